// The banned-word filter of §5.2, run on every chat message: `lower(trim(content))` contains any
// listed word as a substring. One Aho-Corasick pass over the content, independent of the number
// of words (the reference loops over all 10,000).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley::chat {

class BannedWords {
 public:
  // Words are trimmed and ASCII-lowercased; blank ones are skipped. An empty list bans nothing.
  static BannedWords from_words(const std::vector<std::string>& words);
  // One word per line (LF or CRLF). The only file access in chat/.
  static Result<BannedWords> load_file(const std::string& path);
  // The same format from memory (the list compiled into the server, app/default_banned_words.h).
  static BannedWords from_text(std::string_view text);

  // Trimming cannot change the outcome (no word holds a char ≤ U+0020) and blank content has no
  // word chars, so this just scans the bytes, folding A-Z. Two non-ASCII chars that Java's
  // toLowerCase() maps onto ASCII are folded as Java does: KELVIN SIGN → "k", and
  // LATIN CAPITAL I WITH DOT ABOVE → "i" + U+0307. Words are expected to be ASCII.
  bool contains_banned(std::string_view content) const;

  size_t word_count() const { return word_count_; }
  size_t state_count() const { return classes_ == 0 ? 0 : next_.size() / classes_; }

 private:
  BannedWords() = default;
  uint32_t step(uint32_t state, unsigned char byte) const {
    return next_[size_t{state} * classes_ + class_of_[byte]];
  }

  // Bytes that occur in no word share class 0, so the table has one column per distinct word
  // byte (37 for [a-z0-9]) instead of 256: ~50k states × 37 × 4 B ≈ 7 MB for the real list.
  std::array<uint16_t, 256> class_of_{};  // 257 classes at most: 0 plus every byte
  uint32_t classes_ = 0;
  std::vector<uint32_t> next_;      // complete DFA: state × class → state (fail links folded in)
  std::vector<uint8_t> accepting_;  // some word ends at this state or at a suffix of it
  size_t word_count_ = 0;
};

}  // namespace parley::chat

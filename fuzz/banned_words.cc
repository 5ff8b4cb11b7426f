// Fuzz target: the banned-word matcher (src/chat/banned_words.h). Input: a word list (lines, up
// to the first NUL byte; words are ASCII as the contract's list is, others are dropped) and the
// content after it. Invariant: the Aho-Corasick scan answers exactly what a naive search of every
// word in Java's lower-casing of the content answers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "chat/banned_words.h"
#include "fuzz_util.h"

using namespace parley;

namespace {

// Java's toLowerCase() as far as it can produce ASCII: A-Z, KELVIN SIGN → k, U+0130 → i U+0307.
std::string java_lower(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (s.substr(i, 3) == "\xE2\x84\xAA") {
      out.push_back('k');
      i += 2;
    } else if (s.substr(i, 2) == "\xC4\xB0") {
      out += "i\xCC\x87";
      i += 1;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

bool ascii_word(std::string_view w) {
  for (char c : w)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fuzz::as_view(data, size);
  const std::size_t nul = in.find('\0');
  if (nul == std::string_view::npos) return 0;
  const std::string_view list = in.substr(0, nul);
  const std::string_view content = in.substr(nul + 1);

  std::vector<std::string> words;
  std::vector<std::string> lowered;
  std::size_t pos = 0;
  while (pos <= list.size() && words.size() < 64) {
    std::size_t end = list.find('\n', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string_view w = list.substr(pos, end - pos);
    pos = end + 1;
    if (!w.empty() && w.back() == '\r') w.remove_suffix(1);
    if (!ascii_word(w)) continue;
    words.emplace_back(w);
    if (!w.empty()) lowered.push_back(java_lower(w));
  }

  const auto banned = chat::BannedWords::from_words(words);
  FUZZ_CHECK(banned.word_count() == lowered.size());
  const std::string folded = java_lower(content);
  bool expected = false;
  for (const auto& w : lowered)
    expected = expected || folded.find(w) != std::string::npos;
  FUZZ_CHECK(banned.contains_banned(content) == expected);
  return 0;
}

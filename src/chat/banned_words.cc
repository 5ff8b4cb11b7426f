// Aho-Corasick construction (trie, then BFS to fold the failure links into a complete DFA) and
// the scan.
#include "chat/banned_words.h"

#include <fstream>
#include <queue>

#include "chat/validation.h"

namespace parley::chat {

BannedWords BannedWords::from_words(const std::vector<std::string>& raw_words) {
  BannedWords bw;
  std::vector<std::string> words;
  words.reserve(raw_words.size());
  for (const auto& w : raw_words) {
    std::string t = to_lower_ascii(trim_view(w));
    if (!t.empty()) words.push_back(std::move(t));
  }
  bw.word_count_ = words.size();

  // Class 0 is "in no word"; upper-case letters share the class of their lower-case form so the
  // scan folds case for free.
  uint32_t classes = 1;
  for (const auto& w : words) {
    for (char c : w) {
      auto& cls = bw.class_of_[static_cast<unsigned char>(c)];
      if (cls == 0) cls = static_cast<uint16_t>(classes++);
    }
  }
  for (int c = 'A'; c <= 'Z'; ++c)
    bw.class_of_[c] = bw.class_of_[c - 'A' + 'a'];
  bw.classes_ = classes;

  // Trie; 0 in a non-root cell means "no edge yet" (no edge ever leads back to the root).
  bw.next_.assign(classes, 0);
  bw.accepting_.assign(1, 0);
  for (const auto& w : words) {
    uint32_t s = 0;
    for (char c : w) {
      const size_t cell = size_t{s} * classes + bw.class_of_[static_cast<unsigned char>(c)];
      if (bw.next_[cell] == 0) {
        bw.next_[cell] = static_cast<uint32_t>(bw.accepting_.size());
        bw.accepting_.push_back(0);
        bw.next_.resize(bw.next_.size() + classes, 0);
      }
      s = bw.next_[cell];
    }
    bw.accepting_[s] = 1;
  }

  // BFS in depth order: a state's failure target is shallower, so its row is already complete
  // when we copy missing edges from it.
  std::vector<uint32_t> fail(bw.accepting_.size(), 0);
  std::queue<uint32_t> q;
  for (uint32_t c = 0; c < classes; ++c) {
    const uint32_t t = bw.next_[c];
    if (t != 0) q.push(t);  // depth-1 states fail to the root
  }
  while (!q.empty()) {
    const uint32_t s = q.front();
    q.pop();
    if (bw.accepting_[fail[s]]) bw.accepting_[s] = 1;
    for (uint32_t c = 0; c < classes; ++c) {
      uint32_t& edge = bw.next_[size_t{s} * classes + c];
      if (edge != 0) {
        fail[edge] = bw.next_[size_t{fail[s]} * classes + c];
        q.push(edge);
      } else {
        edge = bw.next_[size_t{fail[s]} * classes + c];
      }
    }
  }
  return bw;
}

Result<BannedWords> BannedWords::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::unavailable("cannot open banned word list: " + path);
  std::vector<std::string> words;
  std::string line;
  while (std::getline(in, line))
    words.push_back(std::move(line));  // trim drops a CR
  if (in.bad()) return Error::unavailable("cannot read banned word list: " + path);
  return from_words(words);
}

BannedWords BannedWords::from_text(std::string_view text) {
  std::vector<std::string> words;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    words.emplace_back(text.substr(0, nl));  // trim drops a CR
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return from_words(words);
}

bool BannedWords::contains_banned(std::string_view content) const {
  if (word_count_ == 0) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(content.data());
  const size_t n = content.size();
  uint32_t s = 0;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char b = p[i];
    if (b >= 0x80) [[unlikely]] {
      // Java's toLowerCase() turns these two into ASCII letters; every other non-ASCII char
      // stays non-ASCII and just passes through the table as bytes.
      if (b == 0xE2 && i + 2 < n && p[i + 1] == 0x84 && p[i + 2] == 0xAA) {  // U+212A
        s = step(s, 'k');
        i += 2;
        if (accepting_[s]) return true;
        continue;
      }
      if (b == 0xC4 && i + 1 < n && p[i + 1] == 0xB0) {  // U+0130 → "i\u0307"
        s = step(s, 'i');
        if (accepting_[s]) return true;
        s = step(s, 0xCC);
        if (accepting_[s]) return true;
        s = step(s, 0x87);
        i += 1;
        if (accepting_[s]) return true;
        continue;
      }
    }
    s = step(s, b);
    if (accepting_[s]) return true;
  }
  return false;
}

}  // namespace parley::chat

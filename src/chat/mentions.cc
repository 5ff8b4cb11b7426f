// Hand-written matching for `@(names…)\b`; names are plain words, so no regex engine is needed.
#include "chat/mentions.h"

#include <algorithm>

#include "chat/validation.h"

namespace parley::chat {

namespace {

bool is_word_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// `@name\b` at position `at` (which holds '@'). \b after the name: a word/non-word change
// between the name's last char and the next one (end of text counts as non-word).
bool mention_at(std::string_view text, size_t at, std::string_view name) {
  if (name.empty() || text.compare(at + 1, name.size(), name) != 0) return false;
  const size_t end = at + 1 + name.size();
  const bool next_word = end < text.size() && is_word_char(text[end]);
  return is_word_char(name.back()) != next_word;
}

}  // namespace

const std::vector<std::string>& default_assistant_names() {
  static const std::vector<std::string> names{"wayneAI", "consultingAI"};
  return names;
}

std::vector<std::string> find_mentions(std::string_view content,
                                       std::span<const std::string> names) {
  std::vector<std::string> found;
  size_t i = content.find('@');
  while (i != std::string_view::npos) {
    size_t next = i + 1;
    for (const auto& name : names) {
      if (mention_at(content, i, name)) {
        if (std::find(found.begin(), found.end(), name) == found.end()) found.push_back(name);
        next = i + 1 + name.size();
        break;
      }
    }
    i = content.find('@', next);
  }
  return found;
}

std::string mention_query(std::string_view content, std::string_view name) {
  const std::string_view text = trim_view(content);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '@' && mention_at(text, i, name)) {
      i += 1 + name.size();
    } else {
      out.push_back(text[i]);
      ++i;
    }
  }
  return trim(out);
}

}  // namespace parley::chat

// AI @mentions in chat messages (§3.7): which assistants a message addresses, and the question
// to send each of them. The assistant names come from configuration, so adding one needs no
// code here. A mention is `@<name>\b`: case-sensitive, and the next char (if any) must not be
// [A-Za-z0-9_] ("@wayneAI님" mentions wayneAI, "@wayneAIx" does not).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::chat {

// The names the reference knows; the server's configuration may extend it.
const std::vector<std::string>& default_assistant_names();

// Unique names mentioned in `content`, in order of first mention. At each '@' the names are
// tried in list order, as regex alternation `@(a|b)\b` does.
std::vector<std::string> find_mentions(std::string_view content,
                                       std::span<const std::string> names);

// trim(content) with every `@<name>\b` removed, trimmed again (Java trim). Only this name's
// mentions are removed: "@wayneAI @consultingAI hi" asks wayneAI "@consultingAI hi".
std::string mention_query(std::string_view content, std::string_view name);

}  // namespace parley::chat

// See redirect.h.
#include "redis/redirect.h"

#include <charconv>

#include "redis/endpoint.h"
#include "redis/slot.h"

namespace parley::redis {

namespace {

bool starts_with_word(std::string_view s, std::string_view word) {
  return s.substr(0, word.size()) == word && (s.size() == word.size() || s[word.size()] == ' ');
}

std::optional<Redirect> parse_target(Redirect::Kind kind, std::string_view rest) {
  // rest = "<slot> <host>:<port>"
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  int slot = -1;
  const auto slot_text = rest.substr(0, space);
  const auto [end, ec] =
      std::from_chars(slot_text.data(), slot_text.data() + slot_text.size(), slot);
  if (ec != std::errc() || end != slot_text.data() + slot_text.size() || slot < 0 ||
      slot >= kSlotCount)
    return std::nullopt;
  auto addr = rest.substr(space + 1);
  while (!addr.empty() && (addr.back() == ' ' || addr.back() == '\r' || addr.back() == '\n'))
    addr.remove_suffix(1);
  auto target = parse_endpoint(addr);
  if (!target) return std::nullopt;
  return Redirect{kind, slot, std::move(*target)};
}

}  // namespace

std::optional<Redirect> parse_redirect(std::string_view msg) {
  // "MOVED" alone has no target: substr(6) would be past the end.
  auto after = [&](std::string_view word) {
    return msg.size() > word.size() ? msg.substr(word.size() + 1) : std::string_view();
  };
  if (starts_with_word(msg, "MOVED")) return parse_target(Redirect::Kind::moved, after("MOVED"));
  if (starts_with_word(msg, "ASK")) return parse_target(Redirect::Kind::ask, after("ASK"));
  if (starts_with_word(msg, "TRYAGAIN")) return Redirect{Redirect::Kind::tryagain, -1, {}};
  if (starts_with_word(msg, "CLUSTERDOWN")) return Redirect{Redirect::Kind::clusterdown, -1, {}};
  return std::nullopt;
}

std::optional<Redirect> parse_redirect(const Reply& reply) {
  if (!reply.is_error()) return std::nullopt;
  return parse_redirect(reply.str);
}

}  // namespace parley::redis

// See channels.h.
#include "bus/channels.h"

namespace parley::bus {

uint32_t group_bucket(std::string_view group, uint32_t buckets) {
  uint32_t h = 2166136261u;  // FNV-1a: stable across builds and machines, unlike std::hash
  for (unsigned char c : group) {
    h ^= c;
    h *= 16777619u;
  }
  return buckets == 0 ? 0 : h % buckets;
}

std::string channel_for(std::string_view group, uint32_t buckets) {
  std::string out(kChannelPrefix);
  out += std::to_string(group_bucket(group, buckets));
  out += "}:";
  out += group;
  return out;
}

std::optional<std::string_view> group_of(std::string_view channel) {
  if (!channel.starts_with(kChannelPrefix)) return std::nullopt;
  const auto close = channel.find("}:", kChannelPrefix.size());
  if (close == std::string_view::npos) return std::nullopt;
  return channel.substr(close + 2);
}

std::string encode_payload(std::string_view node_id, std::string_view frame) {
  std::string out;
  out.reserve(node_id.size() + 1 + frame.size());
  out += node_id;
  out += ' ';
  out += frame;
  return out;
}

std::optional<Payload> decode_payload(std::string_view payload) {
  const auto sp = payload.find(' ');
  if (sp == std::string_view::npos || sp == 0) return std::nullopt;
  return Payload{payload.substr(0, sp), payload.substr(sp + 1)};
}

}  // namespace parley::bus

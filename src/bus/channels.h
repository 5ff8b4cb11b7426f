// Channel names and payloads of the cluster bus (see bus/redis/redis_bus.h). Pure functions,
// shared by the bus and its tests.
//
// Channel: "parley:{b<k>}:<group>", k = FNV-1a(group) mod buckets. The hash tag puts every
// channel of one bucket in one slot, so a node's subscriptions to a bucket go in one SSUBSCRIBE
// to one master, and the buckets spread the groups over all masters. The number of subscriber
// connections does not grow with groups or buckets: redis::PubSub keeps one per master.
//
// Payload: "<node id> <frame>". Node ids never contain a space; a node skips its own payloads
// (it delivered them locally when it published).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::bus {

constexpr std::string_view kChannelPrefix = "parley:{b";

uint32_t group_bucket(std::string_view group, uint32_t buckets);
std::string channel_for(std::string_view group, uint32_t buckets);
// The group of a channel made by channel_for; nullopt for anything else.
std::optional<std::string_view> group_of(std::string_view channel);

std::string encode_payload(std::string_view node_id, std::string_view frame);
struct Payload {
  std::string_view node_id;
  std::string_view frame;
};
std::optional<Payload> decode_payload(std::string_view payload);

}  // namespace parley::bus

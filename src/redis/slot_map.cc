// See slot_map.h.
#include "redis/slot_map.h"

#include <algorithm>
#include <charconv>

#include "redis/endpoint.h"

namespace parley::redis {

namespace {

// A RESP2 "map": a flat array of key, value, key, value, …
const Reply* field(const Reply& map, std::string_view key) {
  if (!map.is_array()) return nullptr;
  for (size_t i = 0; i + 1 < map.elements.size(); i += 2)
    if (map.elements[i].is_string() && map.elements[i].str == key) return &map.elements[i + 1];
  return nullptr;
}

std::optional<int64_t> as_int(const Reply* r) {
  if (!r) return std::nullopt;
  if (r->is_integer()) return r->integer;
  if (r->is_string()) {  // some 7.0 patch releases sent slot bounds as strings
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(r->str.data(), r->str.data() + r->str.size(), v);
    if (ec == std::errc() && end == r->str.data() + r->str.size()) return v;
  }
  return std::nullopt;
}

std::string as_string(const Reply* r) {
  return r && r->is_string() ? r->str : std::string();
}

}  // namespace

Result<std::vector<Shard>> parse_cluster_shards(const Reply& reply) {
  if (!reply.is_array()) return Error::invalid("CLUSTER SHARDS: not an array");
  std::vector<Shard> shards;
  for (const auto& s : reply.elements) {
    const Reply* slots = field(s, "slots");
    const Reply* nodes = field(s, "nodes");
    if (!slots || !slots->is_array() || slots->elements.size() % 2 != 0 || !nodes ||
        !nodes->is_array())
      return Error::invalid("CLUSTER SHARDS: shard without slots/nodes");
    Shard shard;
    for (size_t i = 0; i < slots->elements.size(); i += 2) {
      const auto lo = as_int(&slots->elements[i]);
      const auto hi = as_int(&slots->elements[i + 1]);
      if (!lo || !hi || *lo < 0 || *hi >= kSlotCount || *lo > *hi)
        return Error::invalid("CLUSTER SHARDS: bad slot range");
      shard.slots.emplace_back(static_cast<int>(*lo), static_cast<int>(*hi));
    }
    for (const auto& n : nodes->elements) {
      ShardNode node;
      node.id = as_string(field(n, "id"));
      std::string host = as_string(field(n, "endpoint"));
      if (host.empty() || host == "?") host = as_string(field(n, "ip"));
      const auto port = as_int(field(n, "port"));
      if (host.empty() || !port || *port <= 0 || *port > 65535)
        return Error::invalid("CLUSTER SHARDS: node without address");
      node.endpoint = Endpoint{std::move(host), static_cast<uint16_t>(*port)};
      node.master = as_string(field(n, "role")) == "master";
      node.online = as_string(field(n, "health")) == "online";
      shard.nodes.push_back(std::move(node));
    }
    shards.push_back(std::move(shard));
  }
  return shards;
}

SlotMap::SlotMap() {
  owner_.fill(-1);
}

SlotMap SlotMap::from_shards(const std::vector<Shard>& shards) {
  SlotMap m;
  for (const auto& s : shards) {
    const ShardNode* serving = nullptr;
    for (const auto& n : s.nodes) {
      if (std::find(m.nodes_.begin(), m.nodes_.end(), n.endpoint) == m.nodes_.end())
        m.nodes_.push_back(n.endpoint);
      if (n.master && (!serving || (!serving->online && n.online))) serving = &n;
    }
    if (!serving || s.slots.empty()) continue;
    const int idx = m.index_of(serving->endpoint);
    for (const auto& [lo, hi] : s.slots)
      for (int slot = lo; slot <= hi; ++slot)
        m.owner_[static_cast<size_t>(slot)] = static_cast<int16_t>(idx);
  }
  return m;
}

int SlotMap::index_of(const Endpoint& e) {
  const auto it = std::find(endpoints_.begin(), endpoints_.end(), e);
  if (it != endpoints_.end()) return static_cast<int>(it - endpoints_.begin());
  endpoints_.push_back(e);
  return static_cast<int>(endpoints_.size() - 1);
}

const Endpoint* SlotMap::master(int slot) const {
  if (slot < 0 || slot >= kSlotCount) return nullptr;
  const int idx = owner_[static_cast<size_t>(slot)];
  return idx < 0 ? nullptr : &endpoints_[static_cast<size_t>(idx)];
}

void SlotMap::set_master(int slot, const Endpoint& endpoint) {
  if (slot < 0 || slot >= kSlotCount) return;
  owner_[static_cast<size_t>(slot)] = static_cast<int16_t>(index_of(endpoint));
  if (std::find(nodes_.begin(), nodes_.end(), endpoint) == nodes_.end()) nodes_.push_back(endpoint);
}

std::vector<Endpoint> SlotMap::masters() const {
  std::vector<bool> used(endpoints_.size(), false);
  for (const auto o : owner_)
    if (o >= 0) used[static_cast<size_t>(o)] = true;
  std::vector<Endpoint> out;
  for (size_t i = 0; i < endpoints_.size(); ++i)
    if (used[i]) out.push_back(endpoints_[i]);
  return out;
}

bool SlotMap::covers_all() const {
  return std::all_of(owner_.begin(), owner_.end(), [](int16_t o) { return o >= 0; });
}

}  // namespace parley::redis

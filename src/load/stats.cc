// Counters arithmetic and JSON (de)serialisation.
#include "load/stats.h"

#include <boost/json.hpp>

namespace parley::load {

namespace json = boost::json;

namespace {
constexpr std::array<std::string_view, kOpCount> kOpNames = {
    "register",  "login",          "room_list", "room_create",   "rest_join",
    "room_read", "socket_connect", "join_room", "history_fetch", "message_send",
    "delivery",  "read_receipt",   "reaction",  "upload",        "socket_held"};

uint64_t get_u64(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64()) return v->get_int64() > 0 ? static_cast<uint64_t>(v->get_int64()) : 0;
  if (v->is_double()) return v->get_double() > 0 ? static_cast<uint64_t>(v->get_double()) : 0;
  return 0;
}
int64_t get_i64(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return 0;
}
double get_double(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return 0;
}
}  // namespace

std::string_view op_name(Op op) {
  return kOpNames[static_cast<size_t>(op)];
}

bool op_from_name(std::string_view name, Op& out) {
  for (size_t i = 0; i < kOpCount; ++i) {
    if (kOpNames[i] == name) {
      out = static_cast<Op>(i);
      return true;
    }
  }
  return false;
}

void OpStats::merge(const OpStats& o) {
  ok += o.ok;
  failed += o.failed;
  for (const auto& [k, v] : o.reasons)
    reasons[k] += v;
  latency_us.merge(o.latency_us);
}

void Counters::success(Op o, uint64_t latency_us) {
  OpStats& s = op(o);
  ++s.ok;
  s.latency_us.record(latency_us);
}

void Counters::failure(Op o, std::string_view reason) {
  OpStats& s = op(o);
  ++s.failed;
  // Reasons are few distinct strings; cap their length so a server's long text stays readable.
  s.reasons[std::string(reason.substr(0, 120))]++;
}

uint64_t Counters::ok_total() const {
  uint64_t n = 0;
  for (const auto& s : ops)
    n += s.ok;
  return n;
}

uint64_t Counters::failed_total() const {
  uint64_t n = 0;
  for (const auto& s : ops)
    n += s.failed;
  return n;
}

void Counters::merge(const Counters& o) {
  for (size_t i = 0; i < kOpCount; ++i)
    ops[i].merge(o.ops[i]);
  delivery += o.delivery;
  msgs_out += o.msgs_out;
  msgs_in += o.msgs_in;
  error_events += o.error_events;
}

json::value Counters::to_json() const {
  json::object out;
  json::object ops_json;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpStats& s = ops[i];
    if (s.ok == 0 && s.failed == 0) continue;  // sparse: most ticks touch few kinds
    json::object o;
    o["ok"] = s.ok;
    o["failed"] = s.failed;
    if (!s.reasons.empty()) {
      json::object r;
      for (const auto& [k, v] : s.reasons)
        r[k] = v;
      o["reasons"] = std::move(r);
    }
    o["lat"] = s.latency_us.to_json();
    ops_json[kOpNames[i]] = std::move(o);
  }
  out["ops"] = std::move(ops_json);
  json::object d;
  d["expected"] = delivery.expected;
  d["delivered"] = delivery.delivered;
  d["lost"] = delivery.lost;
  d["duplicated"] = delivery.duplicated;
  d["reordered"] = delivery.reordered;
  d["late"] = delivery.late;
  d["foreign"] = delivery.foreign;
  out["delivery"] = std::move(d);
  out["msgs_out"] = msgs_out;
  out["msgs_in"] = msgs_in;
  out["error_events"] = error_events;
  return out;
}

Result<Counters> Counters::from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return Error::invalid("counters: not an object");
  Counters c;
  if (const json::value* ops_v = o->if_contains("ops"); ops_v != nullptr && ops_v->is_object()) {
    for (const auto& kv : ops_v->get_object()) {
      Op op;
      if (!op_from_name(kv.key(), op)) return Error::invalid("counters: unknown op");
      const json::object* so = kv.value().if_object();
      if (so == nullptr) return Error::invalid("counters: bad op entry");
      OpStats& s = c.op(op);
      s.ok = get_u64(*so, "ok");
      s.failed = get_u64(*so, "failed");
      if (const json::value* r = so->if_contains("reasons"); r != nullptr && r->is_object())
        for (const auto& rk : r->get_object())
          s.reasons[std::string(rk.key())] =
              rk.value().is_number() ? rk.value().to_number<uint64_t>() : 0;
      if (const json::value* lat = so->if_contains("lat")) {
        auto h = Histogram::from_json(*lat);
        if (!h) return h.error();
        s.latency_us = std::move(*h);
      }
    }
  }
  if (const json::value* d = o->if_contains("delivery"); d != nullptr && d->is_object()) {
    const json::object& dobj = d->get_object();
    c.delivery.expected = get_u64(dobj, "expected");
    c.delivery.delivered = get_u64(dobj, "delivered");
    c.delivery.lost = get_u64(dobj, "lost");
    c.delivery.duplicated = get_u64(dobj, "duplicated");
    c.delivery.reordered = get_u64(dobj, "reordered");
    c.delivery.late = get_u64(dobj, "late");
    c.delivery.foreign = get_u64(dobj, "foreign");
  }
  c.msgs_out = get_u64(*o, "msgs_out");
  c.msgs_in = get_u64(*o, "msgs_in");
  c.error_events = get_u64(*o, "error_events");
  return c;
}

json::value Sample::to_json() const {
  json::object o;
  o["tick"] = tick;
  o["c"] = interval.to_json();
  o["target"] = target;
  o["users"] = users;
  o["connected"] = connected;
  o["step"] = step;
  o["cpu_s"] = cpu_s;
  o["rss_kb"] = rss_kb;
  o["final"] = final;
  json::array ls;
  for (const LoopUsage& l : loops) {
    json::array a;
    a.emplace_back(l.cpu_s);
    a.emplace_back(l.lag_p99_us);
    a.emplace_back(l.lag_max_us);
    ls.push_back(std::move(a));
  }
  o["loops"] = std::move(ls);
  return o;
}

Result<Sample> Sample::from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return Error::invalid("sample: not an object");
  Sample s;
  s.tick = get_i64(*o, "tick");
  const json::value* c = o->if_contains("c");
  if (c == nullptr) return Error::invalid("sample: no counters");
  auto counters = Counters::from_json(*c);
  if (!counters) return counters.error();
  s.interval = std::move(*counters);
  s.target = get_i64(*o, "target");
  s.users = get_i64(*o, "users");
  s.connected = get_i64(*o, "connected");
  s.step = static_cast<int>(get_i64(*o, "step"));
  s.cpu_s = get_double(*o, "cpu_s");
  s.rss_kb = get_i64(*o, "rss_kb");
  const json::value* f = o->if_contains("final");
  s.final = f != nullptr && f->is_bool() && f->get_bool();
  if (const json::value* ls = o->if_contains("loops"); ls != nullptr && ls->is_array()) {
    for (const json::value& l : ls->get_array()) {
      const json::array* a = l.if_array();
      if (a == nullptr || a->size() != 3 || !(*a)[0].is_number() || !(*a)[1].is_number() ||
          !(*a)[2].is_number())
        return Error::invalid("sample: bad loop entry");
      s.loops.push_back({(*a)[0].to_number<double>(), (*a)[1].to_number<uint64_t>(),
                         (*a)[2].to_number<uint64_t>()});
    }
  }
  return s;
}

}  // namespace parley::load

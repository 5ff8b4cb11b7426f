// What a load run counts. Every operation kind has succeeded/failed counters, failure reasons
// and a latency histogram; delivery has its own tally (lost, duplicated, reordered). Everything
// here is additive, so the per-thread and per-process pieces merge by addition, and the whole
// thing round-trips through JSON for the worker → parent pipe.
#pragma once

#include <array>
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "load/delivery.h"
#include "load/histogram.h"

namespace parley::load {

enum class Op : uint8_t {
  register_user,   // POST /api/auth/register
  login,           // POST /api/auth/login
  room_list,       // GET /api/rooms
  room_create,     // POST /api/rooms
  rest_join,       // POST /api/rooms/:id/join
  room_read,       // GET /api/rooms/:id
  socket_connect,  // TCP + WebSocket handshake + Engine.IO open + Socket.IO CONNECT
  join_room,       // joinRoom → joinRoomSuccess
  history_fetch,   // fetchPreviousMessages → previousMessagesLoaded
  message_send,    // chatMessage → the sender's own echo
  delivery,        // one expected copy of a message at one member (latency: send → receipt)
  read_receipt,    // markMessagesAsRead → the reader's own messagesRead
  reaction,        // messageReaction → messageReactionUpdate including the reactor
  upload,          // POST /api/files/upload
  socket_held,     // a socket stayed up until the tool closed it (failure: disconnect reason)
  count_
};
inline constexpr size_t kOpCount = static_cast<size_t>(Op::count_);
std::string_view op_name(Op op);
// Reverse of op_name, for reading JSON back.
bool op_from_name(std::string_view name, Op& out);

struct OpStats {
  uint64_t ok = 0;
  uint64_t failed = 0;
  std::map<std::string, uint64_t> reasons;  // failure reason → count
  Histogram latency_us;
  void merge(const OpStats& o);
};

struct Counters {
  std::array<OpStats, kOpCount> ops;
  DeliveryTally delivery;
  uint64_t msgs_out = 0;      // chatMessage events sent
  uint64_t msgs_in = 0;       // message events received
  uint64_t error_events = 0;  // Socket.IO `error` events (also counted against an op)

  OpStats& op(Op o) { return ops[static_cast<size_t>(o)]; }
  const OpStats& op(Op o) const { return ops[static_cast<size_t>(o)]; }
  void success(Op o, uint64_t latency_us);
  void failure(Op o, std::string_view reason);
  uint64_t ok_total() const;
  uint64_t failed_total() const;
  void merge(const Counters& o);
  boost::json::value to_json() const;
  static Result<Counters> from_json(const boost::json::value& v);
};

// One event loop's own load in one sample: its thread's CPU time since the clock started, and
// the lag probe's p99 and maximum in that second (tool_limit.h).
struct LoopUsage {
  double cpu_s = 0;
  uint64_t lag_p99_us = 0, lag_max_us = 0;
};

// One second of one source (thread group of a process), and the gauges at its end.
struct Sample {
  int64_t tick = 0;  // covers (tick-1, tick] seconds since the start
  Counters interval;
  int64_t target = 0;     // crowd the schedule asks for
  int64_t users = 0;      // virtual users alive
  int64_t connected = 0;  // sockets connected
  int step = 0;
  double cpu_s = 0;    // process CPU time so far (user + system)
  int64_t rss_kb = 0;  // process resident set
  bool final = false;  // the source's last sample
  std::vector<LoopUsage> loops;
  boost::json::value to_json() const;
  static Result<Sample> from_json(const boost::json::value& v);
};

}  // namespace parley::load

// redis::Cluster: a Redis Cluster client of our own on Boost.Asio (Debian bookworm ships no C++
// cluster client; hiredis 0.14 is used only as the RESP codec). One I/O thread ("redis-io")
// owns every connection (one pipelined connection per master); callers on any event loop
// co_await a command and resume on their own executor. The slot map comes from CLUSTER SHARDS
// and is reloaded on MOVED and on connection errors; ASK, TRYAGAIN and CLUSTERDOWN are followed
// or retried within the command's timeout.
//
// Errors: a Redis error reply (e.g. "WRONGTYPE …" or a script's error) is a Reply of type
// error, for the caller to judge. Result's Error is for "no answer": Error::unavailable when the
// cluster cannot be reached in time (timeout, CLUSTERDOWN past the deadline, not replicated when
// replication was asked for, too many redirects) and when the connection broke after the
// command was written ("outcome unknown": a write may have been applied; it is not resent);
// Error::invalid for a malformed call. A command that times out resets its connection (the
// other commands in flight on it fail as "outcome unknown").
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "redis/reply.h"

namespace parley::redis {

namespace asio = boost::asio;

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// "127.0.0.1:7001,127.0.0.1:7002" -> endpoints; Error::invalid on a malformed list.
Result<std::vector<Endpoint>> parse_endpoints(std::string_view csv);

struct ClusterOptions {
  std::vector<Endpoint> seeds;
  std::string password;  // AUTH <password> on every connection when non-empty
  std::chrono::milliseconds command_timeout{2000};  // per command, redirects and retries included
  std::chrono::milliseconds connect_timeout{1000};
  int max_redirects = 5;  // MOVED + ASK followed per command before Error::unavailable
  // A reply larger than this (or an array longer than max_reply_elements) is a protocol error
  // that closes the connection: a bad peer cannot make the client allocate without bound.
  size_t max_reply_bytes = 512u << 20;
  int max_reply_elements = 1 << 24;
  // Durability for writes sent with Ack::replicated: WAIT <wait_replicas> <wait_timeout> on the
  // same connection right after the write; fewer replicas than asked -> Error::unavailable.
  int wait_replicas = 1;
  std::chrono::milliseconds wait_timeout{200};
  // PubSub's liveness probe: PING on a subscriber connection idle this long; no answer within
  // pubsub_ping_timeout = connection lost (reconnect, resubscribe, gap).
  std::chrono::milliseconds pubsub_ping_interval{1000};
  std::chrono::milliseconds pubsub_ping_timeout{1000};
};

// What a write must reach before it completes.
enum class Ack { master, replicated };

using Command = std::vector<std::string>;

// A Lua script run with EVALSHA (EVAL once when a node answers NOSCRIPT).
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;  // lowercase hex
};

// Counters since start; read from any thread.
struct ClusterStats {
  uint64_t commands = 0;        // commands completed (each pipelined command counts)
  uint64_t round_trips = 0;     // writes of one or more commands answered in full
  uint64_t moved = 0;           // MOVED redirects followed
  uint64_t ask = 0;             // ASK redirects followed
  uint64_t retries = 0;         // TRYAGAIN / CLUSTERDOWN / lost-connection retries
  uint64_t timeouts = 0;        // commands that ran out of time
  uint64_t reconnects = 0;      // connections (re)opened after the first
  uint64_t slot_refreshes = 0;  // slot map reloads
};

class Cluster {
 public:
  // Starts the I/O thread ("redis-io") and loads the slot map from the first seed that answers;
  // Error::unavailable when none does within connect_timeout.
  static Result<std::unique_ptr<Cluster>> start(ClusterOptions options);
  ~Cluster();  // commands in flight complete with Error::unavailable; the thread is joined

  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Sends `cmd` to the master owning the slot of `key` (hash tags honoured).
  asio::awaitable<Result<Reply>> command(std::string_view key, Command cmd, Ack ack = Ack::master);
  // Commands for one slot, written together and answered in order (one round trip).
  asio::awaitable<Result<std::vector<Reply>>> pipeline(std::string_view key,
                                                       std::vector<Command> cmds,
                                                       Ack ack = Ack::master);
  // EVALSHA script (keys must share a slot; the first key routes).
  asio::awaitable<Result<Reply>> eval(const Script& script, std::vector<std::string> keys,
                                      std::vector<std::string> args, Ack ack = Ack::master);
  // One command on every master (tests, diagnostics); replies in no particular order.
  asio::awaitable<Result<std::vector<Reply>>> on_all_masters(Command cmd);

  ClusterStats stats() const;

  class Impl;

 private:
  explicit Cluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class PubSub;
};

// Sharded pub/sub (SSUBSCRIBE / SPUBLISH, Redis 7.0). Subscriptions are routed by the channel's
// slot to the owning master, on dedicated subscriber connections of the cluster's I/O thread.
// When a subscription is lost (sunsubscribe push after a failover, MOVED, connection lost) it is
// re-established on the new owner and `gap` reports the channel: messages published in between
// may be missing (one gap per outage). Handlers run on the cluster's I/O thread and must not
// block. Destroy the PubSub before its Cluster, and never from inside a handler.
class PubSub {
 public:
  struct Handlers {
    std::function<void(std::string_view channel, std::string_view payload)> message;
    std::function<void(std::string_view channel)> gap;
  };
  PubSub(Cluster& cluster, Handlers handlers);
  ~PubSub();

  // Idempotent; from any thread.
  void subscribe(std::string channel);
  void unsubscribe(std::string channel);
  // SPUBLISH; the receiving node's subscriber count.
  asio::awaitable<Result<int64_t>> publish(std::string channel, std::string payload);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::redis

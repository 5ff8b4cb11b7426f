// redis::Connection: one pipelined RESP2 connection to one node, living on the cluster's I/O
// thread (every member must be called there). Commands are written as they come (many in
// flight) and their replies matched in FIFO order; a reply with nothing pending goes to the
// push handler (subscriber connections) or, without one, is a protocol error. Any failure
// (connect timeout, refused, reset, protocol error, AUTH refused) closes the connection and
// fails every pending command with Error::unavailable: the cluster layer decides on retries.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "redis/cluster.h"
#include "redis/codec.h"
#include "redis/reply.h"

namespace parley::redis {

struct ConnectionOptions {
  std::string password;  // AUTH first when non-empty
  std::chrono::milliseconds connect_timeout{1000};
  DecoderLimits limits;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `written`: whether the commands had been handed to the socket when the connection failed
  // (then the outcome is unknown: a write may have been applied); always true on success.
  using Done = std::function<void(Result<std::vector<Reply>>, bool written)>;
  using PushHandler = std::function<void(Reply)>;
  using CloseHandler = std::function<void(const Error&)>;

  // Starts connecting at once; commands sent meanwhile are written once connected (after AUTH).
  static std::shared_ptr<Connection> open(asio::any_io_executor ex, Endpoint endpoint,
                                          ConnectionOptions options);
  ~Connection();

  // `bytes` holds `replies` encoded commands; `done` gets their replies in order (error
  // replies included) or the error that closed the connection; never from inside send().
  void send(std::string bytes, size_t replies, Done done);
  void set_push_handler(PushHandler h) { push_ = std::move(h); }
  void set_close_handler(CloseHandler h) { on_close_ = std::move(h); }
  // Fails everything pending with `why`; idempotent.
  void close(const Error& why);

  bool closed() const { return closed_; }
  bool connected() const { return connected_; }
  const Endpoint& endpoint() const { return endpoint_; }
  size_t pending() const { return pending_.size(); }
  // Since when the node has owed a reply without sending a byte (meaningful while pending()).
  std::chrono::steady_clock::time_point owed_since() const { return owed_since_; }

  struct Private;
  Connection(asio::any_io_executor ex, Endpoint endpoint, ConnectionOptions options,
             const Private&);

 private:
  struct Pending {
    size_t expected;
    std::vector<Reply> replies;
    Done done;
    bool written = false;
  };
  void start();
  void on_connected();
  void flush();
  void read();
  void deliver(Reply reply);

  asio::any_io_executor ex_;
  Endpoint endpoint_;
  ConnectionOptions options_;
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer connect_timer_;
  Decoder decoder_;
  std::deque<Pending> pending_;
  std::string out_;      // waiting to be written
  std::string writing_;  // being written
  std::chrono::steady_clock::time_point owed_since_{};
  bool write_busy_ = false;
  bool connected_ = false;
  bool closed_ = false;
  std::vector<char> rbuf_;
  PushHandler push_;
  CloseHandler on_close_;
};

}  // namespace parley::redis

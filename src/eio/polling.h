// The answer to one long-polling request, and the waiter that carries it back. A polling request
// may arrive on any event loop while its session lives on one: the HTTP coroutine parks a
// PollWaiter with the session (on the session's loop) and resumes on its own loop when the
// session completes it: at once for a POST, when packets are ready for a GET.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "net/http_types.h"

namespace parley::eio {

// Engine.IO's HTTP error codes, as the reference server numbers them.
enum class ErrorCode : int {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};
std::string_view error_message(ErrorCode code);

struct PollReply {
  net::http::status status = net::http::status::ok;
  std::string_view content_type;  // empty: no body
  std::string body;

  // A GET's payload: packets joined by '\x1e'.
  static PollReply payload(std::string body);
  // A POST's acknowledgement: "ok" as text/html (text/plain makes some browsers download it).
  static PollReply ok();
  // 400 {"code":N,"message":"…"} (403 for forbidden).
  static PollReply error(ErrorCode code);
  // A status without a body (the reference answers some protocol violations so).
  static PollReply bare(net::http::status status);
};

class PollWaiter {
 public:
  PollWaiter() = default;
  template <class Handler>
  requires(!std::is_same_v<std::decay_t<Handler>, PollWaiter>) explicit PollWaiter(
      Handler&& handler)
      : home_(boost::asio::get_associated_executor(handler)),
        handler_(std::forward<Handler>(handler)) {}
  PollWaiter(PollWaiter&&) noexcept = default;
  // Boost 1.81's any_completion_handler move assignment recurses forever (it re-wraps its
  // source); swapping avoids it.
  PollWaiter& operator=(PollWaiter&& other) noexcept {
    home_ = std::move(other.home_);
    Handler taken(std::move(other.handler_));
    handler_.swap(taken);
    return *this;
  }

  explicit operator bool() const { return static_cast<bool>(handler_); }
  // Resumes the waiting request on its own loop with `reply`. Call once.
  void complete(PollReply reply);

 private:
  using Handler = boost::asio::any_completion_handler<void(PollReply)>;
  boost::asio::any_io_executor home_;
  Handler handler_;
};

}  // namespace parley::eio

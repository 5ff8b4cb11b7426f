// WsTransport: one Engine.IO WebSocket connection. Beast's websocket::stream reads (framing,
// fragmented messages, control frames, UTF-8 validation of text, the message size limit, the
// close handshake); data frames going out are framed here straight into the outbound queue and
// leave in batched writes (see CorkStream and Loop). Messages are handed to the attached Session,
// which owns the Engine.IO logic; the transport only moves bytes.
//
// Lifetime: pending operations hold the transport (shared_from_this); the transport holds its
// session until it finishes, and tells it why. Threading: everything runs on the transport's loop.
#pragma once

#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "eio/cork_stream.h"
#include "eio/options.h"
#include "eio/outbound_queue.h"
#include "eio/timer_wheel.h"
#include "net/http_types.h"

namespace parley::eio {

class Loop;
class Session;

class WsTransport : public std::enable_shared_from_this<WsTransport> {
 public:
  WsTransport(boost::asio::ip::tcp::socket socket, Loop& loop, const Options& options,
              net::ConnectionSlotPtr slot);
  ~WsTransport();
  WsTransport(const WsTransport&) = delete;
  WsTransport& operator=(const WsTransport&) = delete;

  // Answers the upgrade request (101, or Beast's 400 for a malformed one) and reports whether
  // the WebSocket is open.
  using AcceptHandler = std::function<void(const std::shared_ptr<WsTransport>&, bool ok)>;
  void accept(net::Request req, AcceptHandler done);
  // Starts delivering messages (and finally the close) to `session`.
  void attach(std::shared_ptr<Session> session);

  // Queue one frame each; false when the queue is now over its cap (the caller closes the
  // session as a slow consumer). Frames queued after close() are dropped.
  bool send_text(std::string_view a, std::string_view b = {});
  bool send_shared_text(const SharedText& payload);
  bool send_binary(std::string_view bytes);
  std::size_t queued() const { return queue_.size(); }
  Loop& loop() const { return loop_; }

  // Graceful: what is queued goes out, then a close frame and the close handshake (bounded by
  // Options::ws_close_timeout). abort() drops the connection at once.
  void close();
  void abort();
  bool finished() const { return state_ == State::finished; }

  // Called by Loop at the end of the turn in which frames were queued.
  void flush();
  // Shutdown with the loops stopped: drops what may hold references back to this transport
  // (a parked Beast operation, the session) so that nothing is left in a cycle.
  void abandon();

 private:
  friend bool cork::append(WsTransport&, std::string_view);
  friend void cork::appended(WsTransport&);
  friend void cork::teardown(WsTransport&,
                             boost::asio::any_completion_handler<void(boost::beast::error_code)>);
  friend class TransportRegistry;
  enum class State : std::uint8_t { handshake, open, closing, finished };

  bool enqueue(std::uint8_t opcode, std::string_view a, std::string_view b);
  void schedule_flush();
  void read();
  void on_read(const boost::beast::error_code& ec, std::size_t n);
  void write_async();
  void on_written(const boost::beast::error_code& ec, std::size_t n);
  void maybe_teardown();
  void finish(std::string_view reason);
  boost::asio::ip::tcp::socket& socket() { return ws_.next_layer().socket(); }
  static void on_close_timeout(void* self);

  Loop& loop_;
  const Options& options_;
  boost::beast::websocket::stream<CorkStream> ws_;
  // Reads land in a small fixed buffer: an idle connection's pending read then costs no
  // allocation (Beast's whole-message read reserves ~1.5 KiB per connection up front). Messages
  // that do not fit are gathered in `partial_`.
  std::array<char, 256> chunk_;
  std::string partial_;
  OutboundQueue queue_;
  std::shared_ptr<Session> session_;
  net::ConnectionSlotPtr slot_;
  std::optional<boost::asio::any_completion_handler<void(boost::beast::error_code)>> teardown_;
  TimerEntry close_timer_{&WsTransport::on_close_timeout, this};
  State state_ = State::handshake;
  bool dirty_ = false;              // queued for a flush this turn
  bool writing_ = false;            // an async write is in flight
  bool drop_when_drained_ = false;  // the handshake failed: close once its response is out
  // Membership of the io_context's TransportRegistry (see ws_transport.cc).
  class TransportRegistry* registry_;
  WsTransport* registry_prev_ = nullptr;
  WsTransport* registry_next_ = nullptr;
};

}  // namespace parley::eio

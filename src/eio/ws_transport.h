// WsTransport: one Engine.IO WebSocket connection, framed here end to end: the opening
// handshake (ws_handshake.h), incoming frames (ws_frame_reader.h: fragments, control frames,
// UTF-8, the message size cap), pongs, the close handshake, and outgoing frames, which go into
// the outbound queue and leave in batched writes (see Loop). Messages are handed to the attached
// Session, which owns the Engine.IO logic; the transport only moves bytes.
//
// Reads wait for readability and then read into the loop's shared buffer, so an idle connection
// owns no read buffer at all: its whole state is this object, the socket and a timer entry.
//
// Lifetime: pending operations hold the transport (shared_from_this); the transport holds its
// session until it finishes, and tells it why. Threading: everything runs on the transport's loop.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "eio/options.h"
#include "eio/outbound_queue.h"
#include "eio/timer_wheel.h"
#include "eio/ws_frame_reader.h"
#include "net/http_types.h"

namespace parley::eio {

class Loop;
class Session;

// `payloads` as consecutive WebSocket text frames, in one buffer (a server frame is never
// masked, so the bytes are the same for every connection).
SharedText frame_texts(std::span<const SharedText> payloads);

class WsTransport : public std::enable_shared_from_this<WsTransport>, private WsFrameReader::Sink {
 public:
  WsTransport(boost::asio::ip::tcp::socket socket, Loop& loop, const Options& options,
              net::ConnectionSlotPtr slot);
  ~WsTransport();
  WsTransport(const WsTransport&) = delete;
  WsTransport& operator=(const WsTransport&) = delete;

  // Answers the upgrade request (101, or the refusal for a malformed one) and reports, from a
  // later turn of the loop, whether the WebSocket is open.
  using AcceptHandler = std::function<void(const std::shared_ptr<WsTransport>&, bool ok)>;
  void accept(net::Request req, AcceptHandler done);
  // Starts delivering messages (and finally the close) to `session`.
  void attach(std::shared_ptr<Session> session);

  // Queue one frame each; false when the queue is now over its cap (the caller closes the
  // session as a slow consumer). Frames queued after close() are dropped.
  bool send_text(std::string_view a, std::string_view b = {});
  bool send_shared_text(const SharedText& payload);
  // Frames already encoded by frame_texts(), shared by every recipient of a burst.
  bool send_framed(const SharedText& frames);
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
  friend class TransportRegistry;
  enum class State : std::uint8_t { handshake, open, closing, finished };

  bool enqueue(std::uint8_t opcode, std::string_view a, std::string_view b);
  void schedule_flush();
  bool within_cap();  // the queue is under its cap once what the socket takes is written
  void read();
  void on_readable(const boost::system::error_code& ec);
  void write_async();
  void on_written(const boost::system::error_code& ec, std::size_t n);
  void maybe_teardown();
  // Queues a close frame and finishes with `reason` once it is written (a protocol failure, or
  // the answer to the client's close).
  void close_after(std::uint16_t code, std::string_view reason);
  void queue_close_frame(std::uint16_t code);  // 0 or kCloseNoStatus: an empty close frame
  void finish(std::string_view reason);
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  static void on_close_timeout(void* self);

  // WsFrameReader::Sink
  bool on_ws_data(bool text, std::string_view message) override;
  bool on_ws_ping(std::string_view payload) override;
  void on_ws_close(std::uint16_t code, std::string_view reason) override;

  Loop& loop_;
  const Options& options_;
  boost::asio::ip::tcp::socket socket_;
  WsFrameReader reader_;
  OutboundQueue queue_;
  std::shared_ptr<Session> session_;
  net::ConnectionSlotPtr slot_;
  TimerEntry close_timer_{&WsTransport::on_close_timeout, this};
  std::string_view finish_when_drained_;  // a reason (static text): finish once the queue is out
  State state_ = State::handshake;
  bool dirty_ = false;           // queued for a flush this turn
  bool writing_ = false;         // an async write is in flight
  bool reading_ = false;         // a wait for readability is pending
  bool awaiting_close_ = false;  // our close frame is out: the client's answer ends it
  // Membership of the io_context's TransportRegistry (see ws_transport.cc).
  class TransportRegistry* registry_;
  WsTransport* registry_prev_ = nullptr;
  WsTransport* registry_next_ = nullptr;
};

}  // namespace parley::eio

// Session: one Engine.IO connection (a "socket" in the reference server), whatever transport
// carries it. It owns the protocol state: the open packet, the heartbeat, long-polling's packet
// queue and parked GET, the polling → WebSocket upgrade (probe, "5", noop), closing, and the
// slow-consumer cap. The layer above sees a session through SessionListener and sends with
// send_*(); it never deals with transports.
//
// Threading: a session lives on the loop it was created on; every method runs there. Requests
// for it that arrive elsewhere hop here first (see Server).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "metrics/cell.h"

#include "eio/loop.h"
#include "eio/options.h"
#include "eio/outbound_queue.h"
#include "eio/packet.h"
#include "eio/polling.h"
#include "eio/timer_wheel.h"
#include "net/http_types.h"

namespace parley::eio {

class SessionTable;
class WsTransport;

enum class TransportKind : std::uint8_t { polling, websocket };

// The layer above (Socket.IO) for one session. All calls on the session's loop.
class SessionListener {
 public:
  virtual ~SessionListener() = default;
  // A message packet: text (without the leading '4') or binary.
  virtual void on_message(std::string_view text) = 0;
  virtual void on_binary(std::string_view bytes) = 0;
  // The session is closed; nothing sent from now on goes out. Reasons: "transport close",
  // "transport error", "ping timeout", "parse error", "forced close", "slow consumer".
  virtual void on_close(std::string_view reason) = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::string id, Loop& loop, const Options& options, SessionTable& table,
          net::ConnInfo info);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::string& id() const { return id_; }
  boost::asio::io_context::executor_type executor() const { return loop_.context().get_executor(); }
  Loop& loop() const { return loop_; }
  TimerWheel& timers() const { return loop_.timers(); }
  const Options& options() const { return options_; }
  const net::ConnInfo& conn_info() const { return info_; }
  // Readable from any thread (the HTTP front door checks it before hopping here).
  TransportKind transport() const { return transport_.load(std::memory_order_acquire); }
  bool is_open() const { return state_ == State::open; }

  // Replaces the listener; the session keeps it until it has told it about the close.
  void set_listener(std::shared_ptr<SessionListener> listener) { listener_ = std::move(listener); }

  // Sending. Dropped once the session is closed. A queue over Options::outbound_queue_bytes
  // closes the session as a slow consumer.
  void send(const Packet& packet);
  void send_message(std::string_view text);  // a text message packet ("4" + text)
  void send_binary(std::string_view bytes);
  // A whole encoded text packet, type character included (e.g. `42["event",…]`), shared by many
  // sessions: framed once per recipient, copied only when small.
  void send_frame(const SharedText& packet);
  // Several such packets in order. On a WebSocket they go out as `*framed`, built by the first
  // recipient with frame_texts() and then shared by the others of the burst.
  void send_frames(std::span<const SharedText> packets, SharedText* framed);
  // Server-side close: what is queued still goes out, then the close.
  void close(std::string_view reason = "forced close");
  // Closes at once after a protocol violation: the sid is unknown from now on (a WebSocket still
  // gets its close frame).
  void fail(std::string_view reason);
  std::size_t queued_bytes() const;

  // ---- For Server and the transports ------------------------------------------------------
  // Opening on polling: queues the open packet; take_poll_payload() empties the queue into the
  // handshake response.
  void open_polling();
  std::string take_poll_payload();
  // Opening on a WebSocket: sends the open packet and starts reading.
  void open_websocket(std::shared_ptr<WsTransport> ws);
  // A WebSocket with this sid may start probing an upgrade (only one at a time, only once).
  bool accepts_probe() const;
  void attach_probe(std::shared_ptr<WsTransport> probe);
  // Long-polling requests.
  void on_poll(PollWaiter waiter);
  void on_poll_data(std::string body, PollWaiter waiter);
  // From a transport (the active one or the probe).
  void on_ws_message(WsTransport& transport, bool text, std::string_view data);
  void on_ws_closed(WsTransport& transport, std::string_view reason);
  // Server destruction (loops stopped): drops the listener and transports without telling
  // anyone, so that no reference cycle outlives the server.
  void abandon();

 private:
  enum class State : std::uint8_t { open, draining, closed };
  // graceful: queued packets go out, then the close; client: the client asked (polling: its
  // parked GET gets a noop); abort: drop everything now; now: the session is gone at once (its
  // sid answers 400 from here on) but a WebSocket still gets its close frame; the reference
  // server closes so on a ping timeout and on a payload it cannot decode.
  enum class CloseMode : std::uint8_t { graceful, client, abort, now };

  void start_heartbeat();
  void on_packet(PacketType type, std::string_view data, bool binary);
  void on_probe_message(bool text, std::string_view data);
  void complete_upgrade();
  void enqueue_polling(Packet packet);
  void schedule_poll_flush();
  void flush_poll();
  void slow_consumer();
  void terminate(std::string_view reason, CloseMode mode);
  void finalize();
  static void on_heartbeat(void* self);
  static void on_aux_timer(void* self);

  const std::string id_;
  Loop& loop_;
  const Options& options_;
  SessionTable& table_;
  net::ConnInfo info_;
  std::shared_ptr<SessionListener> listener_;
  std::shared_ptr<WsTransport> ws_;     // the WebSocket in use
  std::shared_ptr<WsTransport> probe_;  // a WebSocket probing an upgrade
  std::vector<Packet> poll_queue_;
  std::size_t poll_bytes_ = 0;
  PollWaiter pending_get_;
  std::chrono::steady_clock::time_point last_received_;
  // When the next ping is due, or (awaiting_pong_) when the pong is overdue. Kept absolute so
  // that timer rounding and a late loop turn do not add up over a ping cycle.
  std::chrono::steady_clock::time_point heartbeat_due_;
  TimerEntry heartbeat_{&Session::on_heartbeat, this};
  TimerEntry aux_timer_{&Session::on_aux_timer, this};  // upgrade timeout, or close linger
  std::atomic<TransportKind> transport_{TransportKind::polling};
  State state_ = State::open;
  bool awaiting_pong_ = false;
  bool upgrading_ = false;  // the probe was answered; waiting for "5"
  bool poll_flush_posted_ = false;
  // The loop's gauge (LoopStats::polling or ::websocket) this open session is counted in.
  metrics::GaugeCell* counted_in_ = nullptr;
  void count_in(metrics::GaugeCell* gauge) {
    if (counted_in_) counted_in_->add(-1);
    if (gauge) gauge->add(1);
    counted_in_ = gauge;
  }
};

using SessionPtr = std::shared_ptr<Session>;

}  // namespace parley::eio

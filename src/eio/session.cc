// See session.h. Behaviour follows the reference engine.io server (lib/socket.ts and the
// polling/websocket transports) wherever a client can observe it.
#include "eio/session.h"

#include "core/log_context.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "eio/session_table.h"
#include "eio/ws_transport.h"

namespace parley::eio {

namespace {

// Rough per-packet overhead in a polling payload (type character and separator).
constexpr std::size_t kPacketOverhead = 2;

}  // namespace

Session::Session(std::string id, Loop& loop, const Options& options, SessionTable& table,
                 net::ConnInfo info)
    : id_(std::move(id)),
      loop_(loop),
      options_(options),
      table_(table),
      info_(std::move(info)),
      last_received_(std::chrono::steady_clock::now()) {}

Session::~Session() {
  // Normally completed when the session closed; never leave an HTTP request hanging.
  if (pending_get_) pending_get_.complete(PollReply::error(ErrorCode::unknown_sid));
}

std::size_t Session::queued_bytes() const {
  return ws_ ? ws_->queued() : poll_bytes_;
}

// ---- Opening ----------------------------------------------------------------------------------

void Session::open_polling() {
  transport_.store(TransportKind::polling, std::memory_order_release);
  count_in(&loop_.stats().polling);
  OpenParams params;
  params.sid = id_;
  if (options_.allow_upgrades && options_.allow_websocket) params.upgrades = {"websocket"};
  params.ping_interval_ms = static_cast<std::uint64_t>(options_.ping_interval.count());
  params.ping_timeout_ms = static_cast<std::uint64_t>(options_.ping_timeout.count());
  params.max_payload = options_.max_payload;
  enqueue_polling(open_packet(params));
  start_heartbeat();
}

std::string Session::take_poll_payload() {
  std::string body = encode_payload(poll_queue_);
  poll_queue_.clear();
  poll_bytes_ = 0;
  return body;
}

void Session::open_websocket(std::shared_ptr<WsTransport> ws) {
  transport_.store(TransportKind::websocket, std::memory_order_release);
  count_in(&loop_.stats().websocket);
  ws_ = std::move(ws);
  OpenParams params;
  params.sid = id_;
  params.ping_interval_ms = static_cast<std::uint64_t>(options_.ping_interval.count());
  params.ping_timeout_ms = static_cast<std::uint64_t>(options_.ping_timeout.count());
  params.max_payload = options_.max_payload;
  ws_->send_text(encode_ws(open_packet(params)));
  ws_->attach(shared_from_this());
  start_heartbeat();
}

// ---- Sending ----------------------------------------------------------------------------------

void Session::send(const Packet& packet) {
  if (state_ != State::open) return;
  if (ws_) {
    bool ok;
    if (packet.binary) {
      ok = ws_->send_binary(packet.data);
    } else {
      const char type = type_char(packet.type);
      ok = ws_->send_text(std::string_view(&type, 1), packet.data);
    }
    if (!ok) slow_consumer();
    return;
  }
  enqueue_polling(packet);
}

void Session::send_message(std::string_view text) {
  if (state_ != State::open) return;
  if (ws_) {
    if (!ws_->send_text("4", text)) slow_consumer();
    return;
  }
  enqueue_polling(Packet::text(PacketType::message, std::string(text)));
}

void Session::send_binary(std::string_view bytes) {
  if (state_ != State::open) return;
  if (ws_) {
    if (!ws_->send_binary(bytes)) slow_consumer();
    return;
  }
  enqueue_polling(Packet::bytes(std::string(bytes)));
}

void Session::send_frame(const SharedText& packet) {
  if (state_ != State::open || !packet || packet->empty()) return;
  if (ws_) {
    if (!ws_->send_shared_text(packet)) slow_consumer();
    return;
  }
  const auto type = type_from_char((*packet)[0]);
  if (!type) return;
  enqueue_polling(Packet::text(*type, packet->substr(1)));
}

void Session::send_frames(std::span<const SharedText> packets, SharedText* framed) {
  if (state_ != State::open) return;
  if (!ws_) {
    for (const auto& p : packets)
      send_frame(p);
    return;
  }
  if (!*framed) *framed = frame_texts(packets);
  loop_.stats().frames_written.add(packets.size());
  if (!ws_->send_framed(*framed)) slow_consumer();
}

void Session::enqueue_polling(Packet packet) {
  loop_.gate().drain();  // parked broadcasts were produced before this packet
  poll_bytes_ += packet.data.size() + kPacketOverhead;
  poll_queue_.push_back(std::move(packet));
  if (poll_bytes_ > options_.outbound_queue_bytes) {
    slow_consumer();
    return;
  }
  if (pending_get_) schedule_poll_flush();
}

void Session::schedule_poll_flush() {
  // Packets queued in this turn of the loop leave together in one response.
  if (poll_flush_posted_) return;
  poll_flush_posted_ = true;
  boost::asio::post(executor(), [self = shared_from_this()] { self->flush_poll(); });
}

void Session::flush_poll() {
  poll_flush_posted_ = false;
  if (!pending_get_) return;
  if (state_ == State::draining) {
    // The last response of a session the server closed: what was queued, then the close packet.
    poll_queue_.push_back(Packet::text(PacketType::close));
    auto waiter = std::move(pending_get_);
    waiter.complete(PollReply::payload(take_poll_payload()));
    finalize();
    return;
  }
  if (poll_queue_.empty()) {
    // During an upgrade the parked GET is ended with a noop so the client can pause polling.
    if (upgrading_) {
      auto waiter = std::move(pending_get_);
      waiter.complete(PollReply::payload("6"));
    }
    return;
  }
  auto waiter = std::move(pending_get_);
  waiter.complete(PollReply::payload(take_poll_payload()));
}

void Session::slow_consumer() {
  LogScope log_scope{{{}, id_}};
  spdlog::warn("eio: closing session {} ({}): slow consumer, {} bytes queued", id_, info_.peer_ip,
               queued_bytes());
  loop_.stats().slow_consumer_closes.add();
  terminate("slow consumer", CloseMode::abort);
}

// ---- Heartbeat --------------------------------------------------------------------------------

void Session::start_heartbeat() {
  awaiting_pong_ = false;
  heartbeat_due_ = std::chrono::steady_clock::now() + options_.ping_interval;
  timers().schedule_at(heartbeat_, heartbeat_due_);
}

void Session::on_heartbeat(void* p) {
  auto self = static_cast<Session*>(p)->shared_from_this();
  if (self->state_ != State::open) return;
  const auto now = std::chrono::steady_clock::now();
  if (!self->awaiting_pong_) {
    // pingTimeout counts from when the ping was due, as in the reference server (a setTimeout
    // started when the ping is written), not from a late wakeup.
    self->awaiting_pong_ = true;
    self->heartbeat_due_ += self->options_.ping_timeout;
    if (self->heartbeat_due_ < now) self->heartbeat_due_ = now;
    self->timers().schedule_at(self->heartbeat_, self->heartbeat_due_);
    self->send(Packet::text(PacketType::ping));
    return;
  }
  // Like the reference server, any packet received lately counts as a sign of life: a pong
  // stuck behind other traffic does not end a busy session.
  const auto alive_until = self->last_received_ + self->options_.ping_timeout;
  if (alive_until > now) {
    self->heartbeat_due_ = alive_until;
    self->timers().schedule_at(self->heartbeat_, alive_until);
    return;
  }
  self->terminate("ping timeout", CloseMode::now);
}

// ---- Receiving --------------------------------------------------------------------------------

void Session::on_packet(PacketType type, std::string_view data, bool binary) {
  last_received_ = std::chrono::steady_clock::now();
  switch (type) {
    case PacketType::message:
      if (listener_) {
        if (binary) {
          listener_->on_binary(data);
        } else {
          listener_->on_message(data);
        }
      }
      break;
    case PacketType::pong:
      if (awaiting_pong_) {
        awaiting_pong_ = false;
        heartbeat_due_ = last_received_ + options_.ping_interval;
        timers().schedule_at(heartbeat_, heartbeat_due_);
      }
      break;
    case PacketType::ping:
      // In protocol v4 only the server pings ("invalid heartbeat direction").
      terminate("transport error", CloseMode::graceful);
      break;
    case PacketType::close:
      terminate("transport close", CloseMode::client);
      break;
    case PacketType::open:
    case PacketType::upgrade:
    case PacketType::noop:
      break;
  }
}

void Session::on_ws_message(WsTransport& transport, bool text, std::string_view data) {
  if (state_ != State::open) return;
  if (&transport == probe_.get()) {
    on_probe_message(text, data);
    return;
  }
  if (&transport != ws_.get()) return;
  if (!text) {
    on_packet(PacketType::message, data, true);
    return;
  }
  auto packet = decode_text_view(data);
  if (!packet) {
    terminate("parse error", CloseMode::graceful);
    return;
  }
  on_packet(packet->type, packet->data, false);
}

void Session::on_ws_closed(WsTransport& transport, std::string_view reason) {
  if (&transport == probe_.get()) {
    probe_.reset();
    upgrading_ = false;
    aux_timer_.cancel();
    return;
  }
  if (&transport == ws_.get()) {
    ws_.reset();
    terminate(reason, CloseMode::abort);
  }
}

void Session::on_poll(PollWaiter waiter) {
  if (state_ == State::closed) {
    waiter.complete(PollReply::error(ErrorCode::unknown_sid));
    return;
  }
  if (transport() != TransportKind::polling) {
    waiter.complete(PollReply::error(ErrorCode::bad_request));
    return;
  }
  if (pending_get_) {
    // One GET at a time: the reference server fails the intruder and closes the session, which
    // answers the parked GET with the close packet.
    waiter.complete(PollReply::bare(net::http::status::bad_request));
    terminate("transport error", CloseMode::graceful);
    return;
  }
  pending_get_ = std::move(waiter);
  if (state_ == State::draining || !poll_queue_.empty() || upgrading_) flush_poll();
}

void Session::on_poll_data(std::string body, PollWaiter waiter) {
  if (state_ != State::open) {
    waiter.complete(PollReply::error(ErrorCode::unknown_sid));
    return;
  }
  if (transport() != TransportKind::polling) {
    waiter.complete(PollReply::error(ErrorCode::bad_request));
    return;
  }
  auto packets = decode_payload(body);
  if (!packets) {
    // 400, and the session is gone: the reference server closes it on the parse error, so the
    // next request with this sid is refused too.
    waiter.complete(PollReply::error(ErrorCode::bad_request));
    terminate("parse error", CloseMode::now);
    return;
  }
  waiter.complete(PollReply::ok());
  for (const Packet& p : *packets) {
    if (state_ != State::open) break;
    on_packet(p.type, p.data, p.binary);
  }
}

// ---- Upgrade ----------------------------------------------------------------------------------

bool Session::accepts_probe() const {
  return state_ == State::open && transport() == TransportKind::polling && !probe_ &&
         options_.allow_upgrades;
}

void Session::attach_probe(std::shared_ptr<WsTransport> probe) {
  probe_ = std::move(probe);
  probe_->attach(shared_from_this());
  timers().schedule(aux_timer_, options_.upgrade_timeout);
}

void Session::on_probe_message(bool text, std::string_view data) {
  auto packet = text ? decode_text_view(data) : Result<PacketView>(Error::invalid("binary"));
  if (packet && packet->type == PacketType::ping && packet->data == "probe" && !upgrading_) {
    upgrading_ = true;
    probe_->send_text("3probe");
    if (pending_get_) schedule_poll_flush();  // ends the parked GET with a noop
    return;
  }
  if (packet && packet->type == PacketType::upgrade && upgrading_) {
    complete_upgrade();
    return;
  }
  // Anything else aborts the upgrade attempt, not the session.
  auto probe = std::move(probe_);
  upgrading_ = false;
  aux_timer_.cancel();
  probe->abort();
}

void Session::complete_upgrade() {
  aux_timer_.cancel();
  upgrading_ = false;
  ws_ = std::move(probe_);
  transport_.store(TransportKind::websocket, std::memory_order_release);
  count_in(&loop_.stats().websocket);
  // What was waiting for the next GET goes over the WebSocket instead, in order.
  auto queued = std::move(poll_queue_);
  poll_queue_.clear();
  poll_bytes_ = 0;
  for (const Packet& p : queued)
    send(p);
  if (pending_get_) {
    auto waiter = std::move(pending_get_);
    waiter.complete(PollReply::payload("6"));
  }
}

// ---- Closing ----------------------------------------------------------------------------------

void Session::close(std::string_view reason) {
  terminate(reason, CloseMode::graceful);
}

void Session::fail(std::string_view reason) {
  terminate(reason, CloseMode::now);
}

void Session::terminate(std::string_view reason, CloseMode mode) {
  if (state_ != State::open) return;
  auto self = shared_from_this();
  state_ = State::draining;
  count_in(nullptr);
  heartbeat_.cancel();
  aux_timer_.cancel();
  if (auto probe = std::move(probe_)) probe->abort();
  upgrading_ = false;
  // The listener learns it first; whatever it still sends is dropped.
  if (auto listener = std::move(listener_)) listener->on_close(reason);

  if (auto ws = std::move(ws_)) {
    if (mode == CloseMode::abort) {
      ws->abort();
    } else {
      ws->close();  // flushes what is queued, then the close handshake
    }
    finalize();
    return;
  }
  // Polling.
  if (mode == CloseMode::graceful && !pending_get_) {
    // Keep the session until the client's next GET collects the queue and the close packet.
    timers().schedule(aux_timer_, options_.close_linger);
    return;
  }
  if (mode == CloseMode::graceful) {
    flush_poll();  // the parked GET gets the queue and the close packet, then finalizes
    return;
  }
  // client, abort, now: the session ends here; a parked GET gets a noop (the client asked)
  // or the close packet.
  if (pending_get_) {
    auto waiter = std::move(pending_get_);
    waiter.complete(PollReply::payload(mode == CloseMode::client ? "6" : "1"));
  }
  finalize();
}

void Session::on_aux_timer(void* p) {
  auto self = static_cast<Session*>(p)->shared_from_this();
  if (self->state_ == State::draining) {
    self->finalize();  // the client never came back for its last packets
    return;
  }
  if (self->state_ == State::open && self->probe_) {
    auto probe = std::move(self->probe_);  // the upgrade did not complete in time
    self->upgrading_ = false;
    probe->abort();
  }
}

void Session::abandon() {
  state_ = State::closed;
  heartbeat_.cancel();
  aux_timer_.cancel();
  listener_.reset();
  if (auto ws = std::move(ws_)) ws->abandon();
  if (auto probe = std::move(probe_)) probe->abandon();
  poll_queue_.clear();
}

void Session::finalize() {
  if (state_ == State::closed) return;
  state_ = State::closed;
  heartbeat_.cancel();
  aux_timer_.cancel();
  poll_queue_.clear();
  poll_bytes_ = 0;
  if (pending_get_) {
    auto waiter = std::move(pending_get_);
    waiter.complete(PollReply::error(ErrorCode::unknown_sid));
  }
  table_.erase(id_, this);
}

}  // namespace parley::eio

// SioClient (see client.h): Socket.IO over a WebSocket framed by hand. The connect phase is a
// coroutine (TCP connect, upgrade request, Engine.IO open, CONNECT) under one deadline; after it
// the client is driven by readiness callbacks: wait until readable, read into a stack buffer,
// parse with eio's frame reader in the client role; writes are masked into one string and
// flushed once per turn of the loop with a non-blocking write.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <cstddef>

#include "core/ascii.h"
#include "eio/base64.h"
#include "eio/ws_frame.h"
#include "eio/ws_frame_reader.h"
#include "eio/ws_handshake.h"
#include "load/client.h"
#include "load/dial.h"
#include "sio/packet.h"

namespace parley::load {

namespace json = boost::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxMessage = 16u << 20;     // far above any message of the contract
constexpr std::size_t kMaxHandshakeResponse = 8192;  // the 101 is a few hundred bytes
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr int kReadsPerWakeup = 4;
constexpr auto kCloseTimeout = std::chrono::seconds(3);

// A client frame: FIN, opcode, masked payload (RFC 6455 §5.3).
void append_client_frame(std::string& out, std::uint8_t opcode, std::string_view payload,
                         std::uint32_t key) {
  const std::size_t n = payload.size();
  char header[10];
  out.append(eio::frame_header(opcode, n, /*masked=*/true, header));
  const char mask[4] = {static_cast<char>(key >> 24), static_cast<char>(key >> 16),
                        static_cast<char>(key >> 8), static_cast<char>(key)};
  out.append(mask, 4);
  const std::size_t at = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i)
    out[at + i] = static_cast<char>(out[at + i] ^ mask[i & 3]);
}

// The value of header `name` (lower case) in a raw response head, or "".
std::string_view header_value(std::string_view head, std::string_view name) {
  const std::string lowered = ascii::to_lower(head);
  const std::string key = "\r\n" + std::string(name) + ":";
  const auto at = lowered.find(key);
  if (at == std::string::npos) return {};
  const auto start = at + key.size();
  const auto end = head.find("\r\n", start);
  return ascii::trim_ows(head.substr(start, end - start));
}

}  // namespace

struct SioClient::Impl final : eio::WsFrameReader::Sink {
  Impl(asio::any_io_executor ex, const Target& t, std::string src, std::uint32_t seed)
      : socket(std::move(ex)),
        target(t),
        source(std::move(src)),
        reader(kMaxMessage, eio::WsFrameReader::Role::client),
        mask_state(seed | 1) {}

  // Masks only have to vary from frame to frame on loopback; xorshift32 is plenty.
  std::uint32_t next_mask() {
    mask_state ^= mask_state << 13;
    mask_state ^= mask_state >> 17;
    mask_state ^= mask_state << 5;
    return mask_state;
  }

  bool on_ws_data(bool text, std::string_view message) override {
    if (!text) return true;  // the contract has no binary packets
    if (!owner) {            // still connecting: connect() takes them in order
      early.emplace_back(message);
      return true;
    }
    owner->handle_message(message);
    return !owner->finished_;
  }
  bool on_ws_ping(std::string_view payload) override {
    append_client_frame(out, eio::kOpPong, payload, next_mask());
    if (owner) owner->flush();
    return true;
  }
  void on_ws_close(std::uint16_t code, std::string_view) override { close_code = code; }

  tcp::socket socket;
  const Target& target;
  std::string source;
  eio::WsFrameReader reader;
  std::string out;                 // masked frames not yet written
  std::vector<std::string> early;  // messages read while connecting, not yet handled
  SioClient* owner = nullptr;      // set by start(): from then on messages go to the client
  std::weak_ptr<SioHandler> handler;
  std::unique_ptr<asio::steady_timer> close_timer;  // only while closing
  std::uint32_t mask_state;
  std::uint16_t close_code = 0;
  bool timed_out = false;
  bool reading = false;
  bool in_read = false;  // handling what a read returned: writes wait for its end
  bool flush_posted = false;
  bool write_waiting = false;
  bool close_sent = false;
};

std::shared_ptr<SioClient> SioClient::create(asio::any_io_executor ex, const Target& target,
                                             const std::string& source_ip) {
  std::shared_ptr<SioClient> c(new SioClient());
  // Mask seeds only need to differ between clients (see next_mask).
  const auto seed =
      static_cast<std::uint64_t>(mono_ns()) ^ reinterpret_cast<std::uintptr_t>(c.get());
  c->impl_ = std::make_unique<Impl>(std::move(ex), target, source_ip,
                                    static_cast<std::uint32_t>(seed ^ (seed >> 32)));
  return c;
}

SioClient::~SioClient() = default;

asio::awaitable<Result<void>> SioClient::connect(std::string auth,
                                                 std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  const tcp::endpoint peer = endpoint_of(im.target);
  if (const error_code oec = open_bound(im.socket, peer, im.source))
    co_return Error::unavailable(describe(oec, "bind"));
  // One deadline for the whole connect: closing the socket ends whatever is pending.
  asio::steady_timer deadline(im.socket.get_executor());
  deadline.expires_after(timeout);
  auto on_deadline = [self = shared_from_this()](const error_code& ec) {
    if (ec) return;
    self->impl_->timed_out = true;
    error_code ignored;
    self->impl_->socket.close(ignored);
  };
  deadline.async_wait(std::move(on_deadline));
  const auto failure = [&im](const error_code& ec, std::string_view stage) {
    return Error::unavailable(im.timed_out ? std::string("timeout") : describe(ec, stage));
  };

  auto [cec] = co_await im.socket.async_connect(peer, kTuple);
  if (cec) co_return failure(cec, "connect");

  std::string key_bytes(16, '\0');
  for (std::size_t i = 0; i < key_bytes.size(); i += 4) {
    const std::uint32_t r = im.next_mask();
    for (std::size_t j = 0; j < 4; ++j)
      key_bytes[i + j] = static_cast<char>(r >> (8 * j));
  }
  const std::string key = eio::base64_encode(key_bytes);
  const std::string request =
      "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + im.target.host_header +
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
      "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  auto [hwec, hwn] = co_await asio::async_write(im.socket, asio::buffer(request), kTuple);
  if (hwec) co_return failure(hwec, "websocket handshake");

  std::string response;
  std::size_t head_end = std::string::npos;
  char buf[4096];
  while (head_end == std::string::npos) {
    auto [rec, rn] = co_await im.socket.async_read_some(asio::buffer(buf), kTuple);
    if (rec) co_return failure(rec, "websocket handshake");
    response.append(buf, rn);
    head_end = response.find("\r\n\r\n");
    if (head_end == std::string::npos && response.size() > kMaxHandshakeResponse)
      co_return Error::unavailable("websocket handshake: response too large");
  }
  const std::string_view head = std::string_view(response).substr(0, head_end + 2);
  if (!head.starts_with("HTTP/1.1 101"))
    co_return Error::unavailable("websocket handshake: " +
                                 std::string(head.substr(0, head.find("\r\n"))));
  if (header_value(head, "sec-websocket-accept") != eio::ws_accept_key(key))
    co_return Error::unavailable("websocket handshake: wrong Sec-WebSocket-Accept");

  // Frames may have come with the 101; then read until the CONNECT is answered.
  std::string rest = response.substr(head_end + 4);
  auto fed = im.reader.feed(std::span<char>(rest.data(), rest.size()), im);
  bool opened = false;
  for (;;) {
    while (im.early.empty()) {
      if (fed.status == eio::WsFrameReader::Status::failed)
        co_return Error::unavailable("websocket: protocol error " + std::to_string(fed.fail_code));
      if (fed.status == eio::WsFrameReader::Status::closed)
        co_return Error::unavailable(std::string(opened ? "CONNECT" : "Engine.IO open") +
                                     ": connection closed");
      if (!im.out.empty()) {  // pongs
        auto [pec, pn] = co_await asio::async_write(im.socket, asio::buffer(im.out), kTuple);
        if (pec) co_return failure(pec, "pong");
        im.out.clear();
      }
      auto [rec, rn] = co_await im.socket.async_read_some(asio::buffer(buf), kTuple);
      if (rec) co_return failure(rec, opened ? "CONNECT" : "Engine.IO open");
      fed = im.reader.feed(std::span<char>(buf, rn), im);
    }
    const std::string frame = std::move(im.early.front());
    im.early.erase(im.early.begin());
    if (frame.empty()) co_return Error::unavailable("empty frame");
    std::string reply;
    if (!opened) {
      if (frame[0] != '0') co_return Error::unavailable("expected the Engine.IO open packet");
      boost::system::error_code jec;
      const json::value open = json::parse(std::string_view(frame).substr(1), jec);
      if (!jec && open.is_object()) {
        const json::object& o = open.get_object();
        int64_t interval = 25000, ping_timeout = 20000;
        if (const auto* v = o.if_contains("pingInterval"); v && v->is_number())
          interval = v->to_number<int64_t>();
        if (const auto* v = o.if_contains("pingTimeout"); v && v->is_number())
          ping_timeout = v->to_number<int64_t>();
        // A little slack on top of the server's own limit before calling it a ping timeout.
        ping_deadline_ns_ = (interval + ping_timeout + 5000) * 1'000'000;
      }
      opened = true;
      reply = "40" + auth;
    } else if (frame == "2") {  // a ping before the CONNECT answer: answer it and keep waiting
      reply = "3";
    } else if (frame.starts_with("40")) {
      break;
    } else if (frame.starts_with("44")) {
      std::string why = frame.substr(2);
      boost::system::error_code jec;
      const json::value err = json::parse(why, jec);
      if (!jec && err.is_object())
        if (const auto* m = err.get_object().if_contains("message"); m && m->is_string())
          why = std::string(m->get_string());
      if (!jec && err.is_string()) why = std::string(err.get_string());
      co_return Error::unavailable("CONNECT_ERROR: " + why);
    } else {
      co_return Error::unavailable("unexpected frame before CONNECT answer");
    }
    append_client_frame(im.out, eio::kOpText, reply, im.next_mask());
    auto [wec, wn] = co_await asio::async_write(im.socket, asio::buffer(im.out), kTuple);
    if (wec) co_return failure(wec, opened && reply != "3" ? "CONNECT write" : "pong");
    im.out.clear();
  }
  connected_ = true;
  last_rx_ns_ = mono_ns();
  co_return Result<void>{};
}

void SioClient::start(std::weak_ptr<SioHandler> handler) {
  Impl& im = *impl_;
  im.handler = std::move(handler);
  im.owner = this;
  error_code ignored;
  im.socket.non_blocking(true, ignored);
  // Messages that came with the CONNECT answer first, then reading.
  asio::post(im.socket.get_executor(), [self = shared_from_this()] {
    auto early = std::move(self->impl_->early);
    for (const auto& m : early) {
      if (self->finished_) return;
      self->handle_message(m);
    }
    self->read();
  });
}

void SioClient::read() {
  Impl& im = *impl_;
  if (im.reading || finished_) return;
  im.reading = true;
  im.socket.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
    self->on_readable(ec);
  });
}

void SioClient::on_readable(const error_code& ec) {
  Impl& im = *impl_;
  im.reading = false;
  if (finished_) return;
  const auto reason_for = [this](const error_code& e) {
    if (e == asio::error::operation_aborted || e == asio::error::bad_descriptor)
      return abort_reason_.empty() ? "transport error: " + e.message() : abort_reason_;
    if (e == asio::error::eof) return std::string("transport close");
    return "transport error: " + e.message();
  };
  if (ec) {
    finish(reason_for(ec));
    return;
  }
  char buf[kReadChunk];
  // Answers (pongs, read receipts) queued while handling this read leave in one write at its end.
  im.in_read = true;
  const auto done_reading = [&im, this] {
    im.in_read = false;
    if (!im.out.empty() && !finished_) flush();
  };
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    error_code rec;
    const std::size_t n = im.socket.read_some(asio::buffer(buf), rec);
    if (rec == asio::error::would_block || rec == asio::error::try_again) break;
    if (rec) {
      im.in_read = false;
      finish(reason_for(rec));
      return;
    }
    last_rx_ns_ = mono_ns();
    const auto r = im.reader.feed(std::span<char>(buf, n), im);
    if (finished_) {
      im.in_read = false;
      return;
    }
    if (r.status == eio::WsFrameReader::Status::closed) {
      im.in_read = false;
      finish("transport close (" + std::to_string(im.close_code) + ")");
      return;
    }
    if (r.status == eio::WsFrameReader::Status::failed) {
      im.in_read = false;
      finish("transport error: websocket protocol error " + std::to_string(r.fail_code));
      return;
    }
    if (n < sizeof buf) break;
  }
  done_reading();
  read();
}

void SioClient::handle_message(std::string_view frame) {
  Impl& im = *impl_;
  if (frame == "2") {
    queue("3");
  } else if (frame.size() > 1 && frame[0] == '4') {
    auto h = im.handler.lock();
    if (h && !h->wants(frame)) return;
    // The event is parsed into a stack buffer (spilling to the heap only for a large one, such
    // as a history answer): no allocation and no tree walk to free it for the usual event. The
    // handler copies what it keeps.
    alignas(std::max_align_t) unsigned char arena[8192];
    json::monotonic_resource mr(arena, sizeof arena);
    sio::DecodeOptions options;
    options.max_attachments = 0;  // the contract has no binary packets
    options.storage = json::storage_ptr(&mr);
    auto packet = sio::decode(frame.substr(1), options);
    if (!packet) return;
    if (packet->type == sio::PacketType::event && packet->payload.is_array()) {
      const json::array& args = packet->payload.get_array();
      static const json::value kNull;
      if (h) h->on_event(packet->event_name(), args.size() > 1 ? args[1] : kNull);
    } else if (packet->type == sio::PacketType::disconnect) {
      finish("io server disconnect");
    }
  } else if (frame.starts_with("1")) {
    finish("transport close (engine.io close)");
  }
}

void SioClient::emit_frame(std::string_view packet) {
  if (!connected_ || closing_) return;
  queue(packet);
}

void SioClient::emit(std::string_view event, const json::value& arg) {
  if (!connected_ || closing_) return;
  queue("4" + sio::encode_event("/", event, arg));
}

void SioClient::queue(std::string_view frame) {
  Impl& im = *impl_;
  if (finished_) return;
  append_client_frame(im.out, eio::kOpText, frame, im.next_mask());
  // Everything queued in this turn of the loop leaves in one write.
  if (im.in_read || im.flush_posted || im.write_waiting) return;
  im.flush_posted = true;
  asio::post(im.socket.get_executor(), [self = shared_from_this()] {
    self->impl_->flush_posted = false;
    self->flush();
  });
}

void SioClient::flush() {
  Impl& im = *impl_;
  if (finished_ || im.write_waiting) return;
  if (!im.out.empty()) {
    error_code ec;
    const std::size_t n = im.socket.write_some(asio::buffer(im.out), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      im.out.clear();
      return;  // the read side sees the broken connection and reports it
    }
    im.out.erase(0, ec ? 0 : n);
    if (!im.out.empty()) {
      im.write_waiting = true;
      im.socket.async_wait(tcp::socket::wait_write,
                           [self = shared_from_this()](const error_code& wec) {
                             self->impl_->write_waiting = false;
                             if (!wec) self->flush();
                           });
      return;
    }
  }
  if (closing_ && !im.close_sent) {
    // DISCONNECT is out: the close handshake, bounded by a timer.
    im.close_sent = true;
    char code[2];
    append_client_frame(im.out, eio::kOpClose, eio::close_payload(eio::kCloseNormal, code),
                        im.next_mask());
    im.close_timer = std::make_unique<asio::steady_timer>(im.socket.get_executor());
    im.close_timer->expires_after(kCloseTimeout);
    im.close_timer->async_wait([self = shared_from_this()](const error_code& tec) {
      if (!tec) self->abort("transport error: close timeout");
    });
    flush();
  }
}

void SioClient::close() {
  if (closing_ || finished_) return;
  closing_ = true;
  if (!connected_) {
    abort("io client disconnect");
    return;
  }
  queue("41");
}

void SioClient::abort(std::string reason) {
  if (finished_) return;
  abort_reason_ = std::move(reason);
  error_code ignored;
  impl_->socket.cancel(ignored);
  impl_->socket.close(ignored);
  // A connected client is reading: its wait completes with operation_aborted and finishes.
}

void SioClient::finish(std::string reason) {
  if (finished_) return;
  finished_ = true;
  connected_ = false;
  Impl& im = *impl_;
  if (im.close_timer) im.close_timer->cancel();
  error_code ignored;
  im.socket.close(ignored);
  if (auto h = im.handler.lock()) h->on_close(reason, closing_);
}

}  // namespace parley::load

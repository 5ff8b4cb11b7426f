// Beast-based HTTP and Socket.IO clients. Coroutines await with as_tuple so errors are values;
// per GCC 12's coroutine bug, nothing inside a co_await expression is a capturing lambda or a
// braced temporary: requests, buffers and tokens are named locals.
#include "load/client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <deque>

#include "eio/packet.h"
#include "sio/packet.h"

namespace parley::load {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::string describe(const error_code& ec, std::string_view stage) {
  if (ec == beast::error::timeout) return "timeout";
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return std::string(stage) + ": connection closed";
  return std::string(stage) + ": " + ec.message();
}

// Opens the socket and binds it to `source` (if any) without taking a port yet: with
// IP_BIND_ADDRESS_NO_PORT the port is chosen at connect() time per destination, so each source
// address offers the whole ephemeral range to every server port.
error_code open_bound(tcp::socket& sock, const tcp::endpoint& peer, const std::string& source) {
  error_code ec;
  sock.open(peer.protocol(), ec);
  if (ec) return ec;
  const int one = 1;
  ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source.empty()) return ec;
  const auto addr = asio::ip::make_address(source, ec);
  if (ec) return ec;
  if (addr.is_v4() != peer.address().is_v4()) return ec;  // family mismatch: let the kernel pick
#ifdef IP_BIND_ADDRESS_NO_PORT
  ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
  const tcp::endpoint local(addr, 0);
  sock.bind(local, ec);
  return ec;
}

tcp::endpoint endpoint_of(const Target& t) {
  error_code ec;
  return tcp::endpoint(asio::ip::make_address(t.ip, ec), t.port);
}

}  // namespace

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

const std::string& SourcePicker::next() const {
  static const std::string none;
  if (ips_.empty()) return none;
  return ips_[next_.fetch_add(1, std::memory_order_relaxed) % ips_.size()];
}

// --- HTTP --------------------------------------------------------------------------------------

struct HttpClient::Impl {
  Impl(asio::any_io_executor ex, const Target& t, const SourcePicker& s)
      : stream(ex), target(t), sources(s) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  const Target& target;
  const SourcePicker& sources;
  bool open = false;
  bool used = false;  // a request already went over this connection

  void reset() {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
    buffer.clear();
    open = false;
    used = false;
  }
};

HttpClient::HttpClient(asio::any_io_executor ex, const Target& target, const SourcePicker& sources)
    : impl_(std::make_unique<Impl>(std::move(ex), target, sources)) {}

HttpClient::~HttpClient() = default;

void HttpClient::close() {
  if (impl_->open) impl_->reset();
}

asio::awaitable<Result<HttpResponse>> HttpClient::send(const HttpRequest& req,
                                                       std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!im.open) {
      const tcp::endpoint peer = endpoint_of(im.target);
      const error_code oec = open_bound(im.stream.socket(), peer, im.sources.next());
      if (oec) {
        im.reset();
        co_return Error::unavailable(describe(oec, "bind"));
      }
      im.stream.expires_after(timeout);
      auto [cec] = co_await im.stream.async_connect(peer, kTuple);
      if (cec) {
        im.reset();
        co_return Error::unavailable(describe(cec, "connect"));
      }
      im.open = true;
    }
    const bool reused = im.used;
    im.used = true;
    http::request<http::string_body> msg;
    msg.method(http::string_to_verb(req.method));
    msg.target(req.path);
    msg.version(11);
    msg.set(http::field::host, im.target.host_header);
    msg.set(http::field::user_agent, "parley-load");
    msg.keep_alive(true);
    if (!req.token.empty()) {
      if (req.bearer) {
        msg.set(http::field::authorization, "Bearer " + req.token);
      } else {
        msg.set("x-auth-token", req.token);
        if (!req.session_id.empty()) msg.set("x-session-id", req.session_id);
      }
    }
    if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
      msg.set(http::field::content_type, req.content_type);
      msg.body() = req.body;
      msg.prepare_payload();
    }
    im.stream.expires_after(timeout);
    auto [wec, wn] = co_await http::async_write(im.stream, msg, kTuple);
    if (wec) {
      im.reset();
      // A kept-alive connection the server already closed: retry once on a fresh one.
      if (reused && wec != beast::error::timeout) continue;
      co_return Error::unavailable(describe(wec, "write"));
    }
    http::response<http::string_body> res;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [rec, rn] = co_await http::async_read(im.stream, im.buffer, parser, kTuple);
    if (rec) {
      im.reset();
      if (reused && rn == 0 && rec != beast::error::timeout) continue;
      co_return Error::unavailable(describe(rec, "read"));
    }
    res = parser.release();
    if (!res.keep_alive()) im.reset();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    co_return out;
  }
  co_return Error::unavailable("connection closed");
}

// --- Socket.IO ---------------------------------------------------------------------------------

struct SioClient::Impl {
  Impl(asio::any_io_executor ex, const Target& t, std::string src)
      : ws(ex), target(t), source(std::move(src)) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  const Target& target;
  std::string source;
  std::deque<std::string> out;
  bool writing = false;
  bool close_sent = false;
  std::weak_ptr<SioHandler> handler;
};

std::shared_ptr<SioClient> SioClient::create(asio::any_io_executor ex, const Target& target,
                                             const std::string& source_ip) {
  std::shared_ptr<SioClient> c(new SioClient());
  c->impl_ = std::make_unique<Impl>(std::move(ex), target, source_ip);
  return c;
}

SioClient::~SioClient() = default;

asio::awaitable<Result<void>> SioClient::connect(std::string auth,
                                                 std::chrono::milliseconds timeout) {
  Impl& im = *impl_;
  auto& lowest = beast::get_lowest_layer(im.ws);
  const tcp::endpoint peer = endpoint_of(im.target);
  const error_code oec = open_bound(lowest.socket(), peer, im.source);
  if (oec) co_return Error::unavailable(describe(oec, "bind"));
  lowest.expires_after(timeout);
  auto [cec] = co_await lowest.async_connect(peer, kTuple);
  if (cec) co_return Error::unavailable(describe(cec, "connect"));
  const std::string path = "/socket.io/?EIO=4&transport=websocket";
  auto [hec] = co_await im.ws.async_handshake(im.target.host_header, path, kTuple);
  if (hec) co_return Error::unavailable(describe(hec, "websocket handshake"));
  im.ws.text(true);
  // Client frames are masked through this buffer; ours are small, and 19,000 sockets × the 4 KiB
  // default is memory the crowd does not need.
  im.ws.write_buffer_bytes(1024);
  bool opened = false;
  for (;;) {
    im.buffer.clear();
    auto [rec, rn] = co_await im.ws.async_read(im.buffer, kTuple);
    if (rec) co_return Error::unavailable(describe(rec, opened ? "CONNECT" : "Engine.IO open"));
    const std::string frame = beast::buffers_to_string(im.buffer.data());
    if (frame.empty()) co_return Error::unavailable("empty frame");
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
      const std::string connect = "40" + auth;
      auto [wec, wn] = co_await im.ws.async_write(asio::buffer(connect), kTuple);
      if (wec) co_return Error::unavailable(describe(wec, "CONNECT write"));
      continue;
    }
    if (frame == "2") {  // a ping before the CONNECT answer: answer it and keep waiting
      const std::string pong = "3";
      auto [pec, pn] = co_await im.ws.async_write(asio::buffer(pong), kTuple);
      if (pec) co_return Error::unavailable(describe(pec, "pong"));
      continue;
    }
    if (frame.starts_with("40")) break;
    if (frame.starts_with("44")) {
      std::string why = frame.substr(2);
      boost::system::error_code jec;
      const json::value err = json::parse(why, jec);
      if (!jec && err.is_object())
        if (const auto* m = err.get_object().if_contains("message"); m && m->is_string())
          why = std::string(m->get_string());
      if (!jec && err.is_string()) why = std::string(err.get_string());
      co_return Error::unavailable("CONNECT_ERROR: " + why);
    }
    co_return Error::unavailable("unexpected frame before CONNECT answer");
  }
  im.buffer.clear();
  lowest.expires_never();
  websocket::stream_base::timeout opt;
  opt.handshake_timeout = std::chrono::seconds(5);
  opt.idle_timeout = websocket::stream_base::none();
  opt.keep_alive_pings = false;
  im.ws.set_option(opt);
  connected_ = true;
  last_rx_ns_ = mono_ns();
  co_return Result<void>{};
}

void SioClient::start(std::weak_ptr<SioHandler> handler) {
  impl_->handler = std::move(handler);
  asio::co_spawn(impl_->ws.get_executor(), read_loop(shared_from_this()), asio::detached);
}

asio::awaitable<void> SioClient::read_loop(std::shared_ptr<SioClient> self) {
  (void)self;  // the coroutine's reference keeps the client alive while it reads
  Impl& im = *impl_;
  std::string reason;
  for (;;) {
    auto [ec, n] = co_await im.ws.async_read(im.buffer, kTuple);
    if (ec) {
      if (ec == websocket::error::closed) {
        const auto& cr = im.ws.reason();
        reason = "transport close (" + std::to_string(cr.code) + ")";
      } else if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        reason = abort_reason_.empty() ? describe(ec, "transport error") : abort_reason_;
      } else if (ec == asio::error::eof || ec == http::error::end_of_stream) {
        reason = "transport close";
      } else {
        reason = "transport error: " + ec.message();
      }
      break;
    }
    last_rx_ns_ = mono_ns();
    if (!im.ws.got_text()) {  // the contract has no binary packets
      im.buffer.consume(im.buffer.size());
      continue;
    }
    const auto data = im.buffer.data();
    const std::string_view frame(static_cast<const char*>(data.data()), data.size());
    if (frame == "2") {
      queue("3");
    } else if (frame.size() > 1 && frame[0] == '4') {
      auto packet = sio::decode(frame.substr(1));
      if (packet) {
        if (packet->type == sio::PacketType::event && packet->payload.is_array()) {
          const json::array& args = packet->payload.get_array();
          static const json::value kNull;
          if (auto h = im.handler.lock())
            h->on_event(packet->event_name(), args.size() > 1 ? args[1] : kNull);
        } else if (packet->type == sio::PacketType::disconnect) {
          reason = "io server disconnect";
          im.buffer.consume(im.buffer.size());
          break;
        }
      }
    } else if (frame.starts_with("1")) {
      reason = "transport close (engine.io close)";
      im.buffer.consume(im.buffer.size());
      break;
    }
    im.buffer.consume(im.buffer.size());
  }
  finish(std::move(reason));
  error_code ignored;
  beast::get_lowest_layer(im.ws).socket().close(ignored);
}

void SioClient::emit(std::string_view event, const json::value& arg) {
  if (!connected_ || closing_) return;
  queue("4" + sio::encode_event("/", event, arg));
}

void SioClient::queue(std::string frame) {
  impl_->out.push_back(std::move(frame));
  if (!impl_->writing) write_next();
}

void SioClient::write_next() {
  Impl& im = *impl_;
  if (im.out.empty()) {
    im.writing = false;
    if (closing_ && !im.close_sent && !finished_) {
      im.close_sent = true;
      beast::get_lowest_layer(im.ws).expires_after(std::chrono::seconds(3));
      im.ws.async_close(websocket::close_code::normal,
                        [self = shared_from_this()](const error_code&) {});
    }
    return;
  }
  im.writing = true;
  im.ws.async_write(asio::buffer(im.out.front()),
                    [self = shared_from_this()](const error_code& ec, std::size_t) {
                      Impl& i = *self->impl_;
                      i.out.pop_front();
                      if (ec) {
                        i.writing = false;
                        i.out.clear();
                        return;  // the read loop sees the broken connection and reports it
                      }
                      self->write_next();
                    });
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
  beast::get_lowest_layer(impl_->ws).socket().cancel(ignored);
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

void SioClient::finish(std::string reason) {
  if (finished_) return;
  finished_ = true;
  connected_ = false;
  if (auto h = impl_->handler.lock()) h->on_close(reason, closing_);
}

}  // namespace parley::load

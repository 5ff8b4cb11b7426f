// parley-load's HTTP client (Beast) and the dialing helpers it shares with the Socket.IO client
// (bound source addresses, error descriptions, the monotonic clock, SourcePicker); SioClient,
// framed by hand, is in sio_client.cc. Coroutines await with as_tuple so errors are values;
// per GCC 12's coroutine bug, nothing inside a co_await expression is a capturing lambda or a
// braced temporary: requests, buffers and tokens are named locals.
#include "load/client.h"
#include "load/dial.h"

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
#include <boost/json.hpp>

namespace parley::load {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

std::string describe(const error_code& ec, std::string_view stage) {
  if (ec == beast::error::timeout) return "timeout";
  if (ec == http::error::end_of_stream || ec == asio::error::eof)
    return std::string(stage) + ": connection closed";
  return std::string(stage) + ": " + ec.message();
}

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

}  // namespace parley::load

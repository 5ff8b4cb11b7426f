// See server.h. Request checks run in the reference server's order: transport, session id,
// transport mismatch, handshake method, WebSocket without upgrade, protocol version.
#include "eio/server.h"

#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "eio/http_replies.h"
#include "eio/ids.h"
#include "eio/query.h"
#include "eio/ws_transport.h"

namespace parley::eio {

namespace asio = boost::asio;
namespace http = net::http;
using tcp = asio::ip::tcp;

namespace {

std::chrono::milliseconds pick_tick(const Options& o) {
  if (o.timer_tick.count() > 0) return o.timer_tick;
  // Heartbeat deadlines are met to within one tick: 1/50 of the shorter setting (4 ms for a
  // 200 ms pingTimeout, the 100 ms cap for the contract's 25 s / 60 s).
  const auto shorter = std::min(o.ping_interval, o.ping_timeout);
  return std::clamp(shorter / 50, std::chrono::milliseconds(2), std::chrono::milliseconds(100));
}

// Writes the reference server's upgrade refusal on a raw socket, then closes it.
void reject_upgrade(tcp::socket socket, std::string_view message) {
  struct Pending {
    tcp::socket socket;
    std::string text;
  };
  auto p = std::make_shared<Pending>(Pending{std::move(socket), upgrade_rejection(message)});
  asio::async_write(p->socket, asio::buffer(p->text),
                    [p](const boost::system::error_code&, std::size_t) {
                      boost::system::error_code ignored;
                      p->socket.shutdown(tcp::socket::shutdown_send, ignored);
                      p->socket.close(ignored);
                    });
}

// A socket descriptor in transit between loops; closed if it never arrives.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Runs `fn(session, waiter)` on the session's loop and resumes with the reply it completes the
// waiter with (at once, or later for a parked GET), back on the calling coroutine's loop.
template <class Fn>
asio::awaitable<PollReply> on_session_loop(SessionPtr session, Fn fn) {
  auto init = [session = std::move(session), fn = std::move(fn)](auto handler) mutable {
    PollWaiter waiter(std::move(handler));
    const auto ex = session->executor();
    asio::post(ex, [session = std::move(session), fn = std::move(fn),
                    waiter = std::move(waiter)]() mutable { fn(*session, std::move(waiter)); });
  };
  auto op = asio::async_initiate<const asio::use_awaitable_t<>&, void(PollReply)>(
      std::move(init), asio::use_awaitable);
  co_return co_await std::move(op);
}

}  // namespace

Server::Server(std::vector<asio::io_context*> loops, Options options, ServerHandler& handler)
    : options_(std::move(options)), handler_(handler) {
  if (options_.path.empty() || options_.path.back() != '/') options_.path += '/';
  const auto tick = pick_tick(options_);
  for (auto* ctx : loops)
    loops_.push_back(std::make_unique<Loop>(*ctx, tick));
}

Server::~Server() {
  // The loops are stopped by now (see server.h): sessions still open are abandoned, which breaks
  // the session ↔ listener and session ↔ transport references that would otherwise leak.
  for (auto& session : table_.snapshot())
    session->abandon();
}

StatsTotal Server::stats() const {
  StatsTotal t;
  for (const auto& loop : loops_) {
    const LoopStats& s = loop->stats();
    t.write_passes += s.write_passes.get();
    t.frames_written += s.frames_written.get();
    t.bytes_written += s.bytes_written.get();
    t.slow_consumer_closes += s.slow_consumer_closes.get();
    t.polling += s.polling.get();
    t.websocket += s.websocket.get();
    s.pass_duration.add_to(t.pass_duration);
  }
  return t;
}

Loop* Server::loop_for(const asio::any_io_executor& ex) const {
  const asio::execution_context* ctx = &asio::query(ex, asio::execution::context);
  for (const auto& loop : loops_) {
    if (static_cast<const asio::execution_context*>(&loop->context()) == ctx) return loop.get();
  }
  return nullptr;
}

bool Server::matches_path(std::string_view path) const {
  // "/socket.io/" and anything below it, like the reference server; "/socket.io" too.
  const std::string_view base = options_.path;
  return path.starts_with(base) || path == base.substr(0, base.size() - 1);
}

std::uint64_t Server::body_limit(const net::RequestHeader&) {
  return options_.max_payload;  // larger POST bodies: 413, as the reference server
}

bool Server::wants_upgrade(const net::Request& req) {
  return matches_path(parse_query(req.target()).path);
}

SessionPtr Server::create_session(Loop& loop, net::ConnInfo info) {
  auto session = std::make_shared<Session>(options_.sid_prefix + random_id(), loop, options_,
                                           table_, std::move(info));
  table_.insert(session);
  return session;
}

asio::awaitable<http::message_generator> Server::handle(net::Request req, net::ConnInfo info) {
  const bool cors_any = options_.cors_any;
  const Query q = parse_query(req.target());
  if (!matches_path(q.path)) co_return make_not_found(req);
  if (req.method() == http::verb::options) co_return make_preflight(req, cors_any);

  const bool polling = q.transport == "polling" && options_.allow_polling;
  const bool websocket = q.transport == "websocket" && options_.allow_websocket;
  if (!polling && !websocket) {
    co_return make_response(req, PollReply::error(ErrorCode::unknown_transport), cors_any);
  }

  if (!q.sid) {
    if (req.method() != http::verb::get) {
      co_return make_response(req, PollReply::error(ErrorCode::bad_handshake_method), cors_any);
    }
    if (websocket) {  // a WebSocket handshake that is not an upgrade request
      co_return make_response(req, PollReply::error(ErrorCode::bad_request), cors_any);
    }
    if (q.eio != "4") {
      co_return make_response(req, PollReply::error(ErrorCode::unsupported_protocol_version),
                              cors_any);
    }
    const auto ex = co_await asio::this_coro::executor;
    Loop* loop = loop_for(ex);
    if (!loop) {
      spdlog::error("eio: request on a loop the server was not given");
      co_return make_response(req, PollReply::bare(http::status::internal_server_error), cors_any);
    }
    auto session = create_session(*loop, std::move(info));
    session->open_polling();
    handler_.on_open(session);
    co_return make_response(req, PollReply::payload(session->take_poll_payload()), cors_any);
  }

  auto session = table_.find(*q.sid);
  if (!session) co_return make_response(req, PollReply::error(ErrorCode::unknown_sid), cors_any);
  if (!polling || session->transport() != TransportKind::polling) {
    co_return make_response(req, PollReply::error(ErrorCode::bad_request), cors_any);
  }

  PollReply reply;
  if (req.method() == http::verb::get) {
    auto on_get = [](Session& s, PollWaiter w) { s.on_poll(std::move(w)); };
    // Awaitables are bound to named locals first: GCC 12 miscompiles some temporaries that
    // live inside a co_await expression.
    auto op = on_session_loop(std::move(session), std::move(on_get));
    reply = co_await std::move(op);
  } else if (req.method() == http::verb::post) {
    if (req[http::field::content_type] == "application/octet-stream") {
      // Binary POST bodies are not part of protocol v4 ("invalid content").
      auto on_bad = [](Session& s, PollWaiter w) {
        w.complete(PollReply::error(ErrorCode::bad_request));
        s.fail("transport error");
      };
      auto op = on_session_loop(std::move(session), std::move(on_bad));
      reply = co_await std::move(op);
    } else {
      auto on_post = [body = std::move(req.body())](Session& s, PollWaiter w) mutable {
        s.on_poll_data(std::move(body), std::move(w));
      };
      auto op = on_session_loop(std::move(session), std::move(on_post));
      reply = co_await std::move(op);
    }
  } else {
    reply = PollReply::bare(http::status::internal_server_error);  // as the reference
  }
  co_return make_response(req, std::move(reply), cors_any);
}

asio::awaitable<void> Server::upgrade(net::beast::tcp_stream stream, net::Request req,
                                      net::ConnInfo info, net::ConnectionSlotPtr slot) {
  const Query q = parse_query(req.target());
  tcp::socket socket = stream.release_socket();

  std::optional<ErrorCode> error;
  SessionPtr session;
  if (q.transport != "websocket" || !options_.allow_websocket) {
    const bool known = q.transport == "polling" && options_.allow_polling;
    error = known ? ErrorCode::bad_request : ErrorCode::unknown_transport;
  } else if (q.sid) {
    session = table_.find(*q.sid);
    if (!session) error = ErrorCode::unknown_sid;
  } else if (q.eio != "4") {
    error = ErrorCode::unsupported_protocol_version;
  }
  if (error) {
    reject_upgrade(std::move(socket), error_message(*error));
    co_return;
  }

  if (!session) {  // a new session, WebSocket from the start
    Loop* loop = loop_for(socket.get_executor());
    if (!loop) {
      reject_upgrade(std::move(socket), "Bad request");
      co_return;
    }
    auto transport =
        std::make_shared<WsTransport>(std::move(socket), *loop, options_, std::move(slot));
    auto on_accept = [this, loop, info = std::move(info)](const std::shared_ptr<WsTransport>& t,
                                                          bool ok) mutable {
      if (!ok) return;
      auto s = create_session(*loop, std::move(info));
      s->open_websocket(t);
      handler_.on_open(s);
    };
    transport->accept(std::move(req), std::move(on_accept));
    co_return;
  }

  // An upgrade of a polling session. Its state lives on its loop; rather than relay every
  // message between loops for the rest of the connection, the socket itself moves there (a
  // one-off cost): its descriptor is released here and adopted by the session's io_context.
  Loop& target = session->loop();
  if (loop_for(socket.get_executor()) == &target) {
    auto run = [this, session, socket = std::move(socket), req = std::move(req),
                slot = std::move(slot)]() mutable {
      start_probe(session, std::move(socket), std::move(req), std::move(slot));
    };
    asio::post(target.context(), std::move(run));
    co_return;
  }
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) co_return;
  auto fd = std::make_unique<FdGuard>(socket.release(ec));
  if (ec) co_return;
  auto adopt = [this, &target, session, protocol, fd = std::move(fd), req = std::move(req),
                slot = std::move(slot)]() mutable {
    tcp::socket moved(target.context());
    boost::system::error_code aec;
    moved.assign(protocol, fd->release(), aec);
    if (aec) return;
    start_probe(session, std::move(moved), std::move(req), std::move(slot));
  };
  asio::post(target.context(), std::move(adopt));
  co_return;
}

void Server::start_probe(const SessionPtr& session, tcp::socket socket, net::Request req,
                         net::ConnectionSlotPtr slot) {
  if (!session->accepts_probe()) {
    // Already upgraded, another probe under way, or closing: the reference server completes
    // the WebSocket handshake and then closes the newcomer with a close frame (a refused
    // handshake would make standard clients raise an error).
    auto extra = std::make_shared<WsTransport>(std::move(socket), session->loop(), options_,
                                               std::move(slot));
    extra->accept(std::move(req), [](const std::shared_ptr<WsTransport>& t, bool ok) {
      if (ok) t->close();
    });
    return;
  }
  auto transport =
      std::make_shared<WsTransport>(std::move(socket), session->loop(), options_, std::move(slot));
  session->attach_probe(transport);
  transport->accept(std::move(req), [](const std::shared_ptr<WsTransport>&, bool) {});
}

void Server::close_all(std::string reason) {
  for (auto& session : table_.snapshot()) {
    asio::post(session->executor(), [session, reason] { session->close(reason); });
  }
}

}  // namespace parley::eio

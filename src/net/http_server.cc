// The listener and the per-connection request loop. A connection is one coroutine on the loop
// that accepted it: read headers (bounded in size and time), pick the body limit, read the body
// (bounded), answer, and repeat while keep-alive holds. Pipelined requests work because the read
// buffer keeps whatever follows the current request.
// Streamed requests (uploads) skip the buffering: the handler pulls the body through a
// BodyStream. Streamed responses (downloads) are written chunk by chunk as the handler's
// BodySource produces them.
#include "net/http_server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "core/log_context.h"
#include "net/request_parse.h"

namespace parley::net {

namespace {

// Inodes of the TCP sockets listening on `port` at an address that overlaps `address` (the same
// one, or a wildcard on either side), from /proc/net/tcp and tcp6. Empty without /proc.
std::set<unsigned long> listening_inodes(const asio::ip::address& address, uint16_t port) {
  // /proc prints an IPv4 address as the raw network-order word in host order (hex).
  const bool v4 = address.is_v4();
  const uint32_t ours = v4 ? __builtin_bswap32(address.to_v4().to_uint()) : 0;
  const bool ours_any = address.is_unspecified();
  std::set<unsigned long> out;
  for (const char* file : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string slot, local, remote, state, queues, timer, retr, uid, timeout;
      unsigned long inode = 0;
      if (!(f >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
            inode))
        continue;
      if (state != "0A") continue;  // TCP_LISTEN
      const auto colon = local.rfind(':');
      if (colon == std::string::npos) continue;
      unsigned value = 0;
      const char* first = local.data() + colon + 1;
      if (std::from_chars(first, local.data() + local.size(), value, 16).ec != std::errc())
        continue;
      if (value != port) continue;
      const std::string addr = local.substr(0, colon);
      const bool any = addr.find_first_not_of('0') == std::string::npos;
      bool overlaps = any || ours_any;
      if (!overlaps && v4 && addr.size() == 8) {
        uint32_t a = 0;
        overlaps =
            std::from_chars(addr.data(), addr.data() + 8, a, 16).ec == std::errc() && a == ours;
      }
      if (overlaps) out.insert(inode);
    }
  }
  return out;
}

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

class CountedSlot final : public ConnectionSlot {
 public:
  explicit CountedSlot(std::shared_ptr<std::atomic<int>> counter) : counter_(std::move(counter)) {
    counter_->fetch_add(1, std::memory_order_relaxed);
  }
  ~CountedSlot() override { counter_->fetch_sub(1, std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<int>> counter_;
};

// A descriptor held in reserve: when accept() fails for lack of descriptors, releasing it lets us
// accept and close the waiting connection, so the client is refused cleanly instead of hanging
// in the backlog while the loop spins on the same error.
class SpareDescriptor {
 public:
  SpareDescriptor() { reopen(); }
  ~SpareDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void reopen() {
    if (fd_ < 0) fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

 private:
  int fd_ = -1;
};

bool out_of_descriptors(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors ||
         ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

template <class Body>
asio::awaitable<void> write_and_close(beast::tcp_stream& stream, http::response<Body> res,
                                      std::chrono::milliseconds timeout) {
  res.keep_alive(false);
  stream.expires_after(timeout);
  co_await http::async_write(stream, res, kTuple);
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

// After answering a request whose body was not read to the end: stop sending, then read and
// drop what the client is still sending before closing (a "lingering close", as nginx does).
// Closing at once would make the kernel answer the unread bytes with a reset, and a client still
// busy sending its body could lose the response (often a 413 or 400 it needs to see). Bounded:
// at most `limit` in total, and the client must keep sending (2 s without data ends it).
asio::awaitable<void> linger_close(beast::tcp_stream& stream, std::chrono::milliseconds limit) {
  using clock = std::chrono::steady_clock;
  constexpr auto kIdle = std::chrono::milliseconds(2000);
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  const auto deadline = clock::now() + limit;
  std::vector<char> scratch(64 * 1024);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) break;
    stream.expires_after(std::min(left, kIdle));
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
    (void)n;
    if (ec) break;
  }
}

// BodyStream over the connection: a buffer_body parser continuing from the parsed header, so
// body bytes go straight from the read buffer into the handler's buffer.
class ConnectionBodyStream final : public BodyStream {
 public:
  ConnectionBodyStream(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                       http::request_parser<http::buffer_body>& parser,
                       std::chrono::milliseconds timeout, uint64_t limit)
      : stream_(stream), buffer_(buffer), parser_(parser), timeout_(timeout), limit_(limit) {}

  bool too_large() const override { return too_large_; }
  bool complete() const override { return parser_.is_done(); }

  asio::awaitable<Result<size_t>> read_some(asio::mutable_buffer out) override {
    if (failed_) co_return Error::unavailable("request body stream already failed");
    if (parser_.is_done()) co_return size_t{0};
    if (out.size() == 0) co_return Error::invalid("empty read buffer");
    if (!started_) {
      started_ = true;
      if (auto length = parser_.content_length(); length && *length > limit_) {
        failed_ = too_large_ = true;
        co_return Error::invalid("request body larger than the limit");
      }
      if (expects_continue()) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream_.expires_after(timeout_);
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(kContinue), kTuple);
        (void)n;
        if (ec) {
          failed_ = true;
          co_return Error::unavailable("writing 100 Continue: " + ec.message());
        }
      }
    }
    for (;;) {
      auto& body = parser_.get().body();
      body.data = out.data();
      body.size = out.size();
      body.more = true;
      stream_.expires_after(timeout_);
      auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kTuple);
      (void)n;
      if (ec == http::error::need_buffer) ec = {};
      const size_t got = out.size() - parser_.get().body().size;
      if (ec) {
        failed_ = true;
        if (ec == http::error::body_limit) too_large_ = true;
        co_return Error::unavailable("reading the request body: " + ec.message());
      }
      received_ += got;
      if (received_ > limit_) {  // chunked bodies have no length up front: count
        failed_ = too_large_ = true;
        co_return Error::invalid("request body larger than the limit");
      }
      if (got > 0) co_return got;
      if (parser_.is_done()) co_return size_t{0};
    }
  }

 private:
  bool expects_continue() const {
    const auto& req = parser_.get();
    return req.version() >= 11 && beast::iequals(req[http::field::expect], "100-continue");
  }

  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  http::request_parser<http::buffer_body>& parser_;
  std::chrono::milliseconds timeout_;
  uint64_t limit_;
  uint64_t received_ = 0;
  bool started_ = false;
  bool failed_ = false;
  bool too_large_ = false;
};

struct Written {
  bool reusable = false;  // the connection may carry another request afterwards
  unsigned status = 0;    // from the status line, for the access log
  uint64_t bytes = 0;     // written, head included
};

// The status code of a response whose first bytes are `head` ("HTTP/1.1 200 ..."), 0 if cut.
unsigned status_of(std::string_view head) {
  if (head.size() < 12 || head[8] != ' ') return 0;
  unsigned code = 0;
  for (char c : head.substr(9, 3)) {
    if (c < '0' || c > '9') return 0;
    code = code * 10 + static_cast<unsigned>(c - '0');
  }
  return code;
}

// Writes a reply; the message generator is drained by hand (as beast::async_write would) so the
// status and byte count can be seen for the access log.
asio::awaitable<Written> write_reply(beast::tcp_stream& stream, Reply reply,
                                     std::chrono::milliseconds timeout) {
  Written out;
  if (auto* message = std::get_if<http::message_generator>(&reply)) {
    const bool keep_alive = message->keep_alive();
    std::string head;  // the first bytes, for the status code
    while (!message->is_done()) {
      boost::system::error_code ec;
      auto buffers = message->prepare(ec);
      if (ec) co_return out;
      for (const auto& b : buffers) {
        if (head.size() >= 12) break;
        head.append(static_cast<const char*>(b.data()), std::min<size_t>(b.size(), 12));
      }
      stream.expires_after(timeout);
      auto [wec, n] = co_await asio::async_write(stream, buffers, kTuple);
      message->consume(n);
      out.bytes += n;
      out.status = status_of(head);
      if (wec) co_return out;
    }
    out.reusable = keep_alive;
    co_return out;
  }
  auto& streamed = std::get<StreamedResponse>(reply);
  uint64_t expected = 0;
  {
    auto field = streamed.header[http::field::content_length];
    auto [ptr, err] = std::from_chars(field.data(), field.data() + field.size(), expected);
    (void)ptr;
    if (err != std::errc{}) co_return out;  // a streamed body must announce its length
  }
  http::response<http::empty_body> head{std::move(streamed.header)};
  out.status = head.result_int();
  const bool keep_alive = head.keep_alive();
  http::response_serializer<http::empty_body> serializer{head};
  stream.expires_after(timeout);
  auto [hec, hn] = co_await http::async_write_header(stream, serializer, kTuple);
  out.bytes += hn;
  if (hec) co_return out;
  uint64_t sent = 0;
  for (;;) {
    auto chunk = co_await streamed.body->next();
    if (!chunk) {
      spdlog::warn("http: streamed response failed after {} bytes: {}", sent, chunk.error().detail);
      co_return out;
    }
    if (chunk->empty()) break;
    if (sent + chunk->size() > expected) co_return out;
    stream.expires_after(timeout);
    auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(*chunk), kTuple);
    out.bytes += wn;
    if (wec) co_return out;
    sent += wn;
  }
  const bool whole = sent == expected;
  out.reusable = keep_alive && whole;
  co_return out;
}

// The client's X-Request-Id when it is a short plain token (it ends up in logs), else a fresh
// 16-hex-digit id from a per-thread generator (splitmix64 over a random seed).
std::string request_id_for(const RequestHeader& header) {
  const std::string_view given = header["x-request-id"];
  if (!given.empty() && given.size() <= 64 && std::all_of(given.begin(), given.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_' || c == '.';
      })) {
    return std::string(given);
  }
  thread_local uint64_t state = std::random_device{}() * 0x9E3779B97F4A7C15ull;
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(z));
  return buf;
}

using Clock = std::chrono::steady_clock;

void log_access(AccessLog* log, const RequestHeader& header, const ConnInfo& info,
                const Written& written, Clock::time_point start) {
  if (!log) return;
  const std::string_view target = header.target();
  AccessEntry e;
  e.method = header.method_string();
  e.path = target.substr(0, target.find('?'));
  e.status = written.status;
  e.bytes = written.bytes;
  e.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  e.client_ip = info.peer_ip;
  e.request_id = info.request_id;
  log->record(e);
}

}  // namespace

// GCC 12 at -O2/-O3 inlines asio's coroutine-frame allocation into this class's coroutine ramps
// but not the matching recycling deallocation, and reports the pair as mismatched (a false
// positive: both go through asio's thread_info_base).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

class HttpConnection {
 public:
  static asio::awaitable<void> serve(HttpServer& server, beast::tcp_stream stream,
                                     ConnectionSlotPtr slot, ConnInfo info) {
    const HttpLimits& limits = server.limits_;
    HttpHandler& handler = server.handler_;
    beast::flat_buffer buffer;
    for (;;) {
      if (buffer.size() == 0) {  // keep-alive wait for the first byte of the next request
        stream.expires_after(limits.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kTuple);
        if (ec) co_return;
        buffer.commit(n);
      }
      http::request_parser<http::empty_body> head;
      limit_head_parser(head, limits);
      stream.expires_after(limits.header_timeout);
      auto [hec, hn] = co_await http::async_read_header(stream, buffer, head, kTuple);
      (void)hn;
      switch (head_verdict(hec)) {
        case ReadVerdict::ok:
          break;
        case ReadVerdict::header_large:
          co_await write_and_close(
              stream, handler.reject(http::status::request_header_fields_too_large, 11),
              limits.body_timeout);
          co_return;
        case ReadVerdict::close:
          co_return;
        case ReadVerdict::bad_request:
        case ReadVerdict::too_large:
          co_await write_and_close(stream, handler.reject(http::status::bad_request, 11),
                                   limits.body_timeout);
          co_return;
      }
      const unsigned version = head.get().version();
      const auto start = Clock::now();
      info.request_id = request_id_for(head.get().base());
      if (ambiguous_framing(head)) {
        co_await write_and_close(stream, handler.reject(http::status::bad_request, version),
                                 limits.body_timeout);
        co_return;
      }
      uint64_t body_limit = handler.body_limit(head.get().base());
      if (body_limit == 0) body_limit = limits.max_body_bytes;
      if (handler.wants_stream(head.get().base())) {
        // The handler answers an oversized body itself (through BodyStream::too_large).
        const bool again =
            co_await serve_streamed(server, stream, buffer, head, body_limit, info, start);
        if (!again) break;
        continue;
      }
      if (announced_too_large(head, body_limit)) {
        co_await write_and_close(stream, handler.reject(http::status::payload_too_large, version),
                                 limits.body_timeout);
        co_return;
      }
      http::request_parser<http::string_body> parser{std::move(head)};
      parser.body_limit(body_limit);
      stream.expires_after(limits.body_timeout);
      auto [bec, bn] = co_await http::async_read(stream, buffer, parser, kTuple);
      (void)bn;
      switch (body_verdict(bec)) {
        case ReadVerdict::ok:
          break;
        case ReadVerdict::too_large:
          co_await write_and_close(stream, handler.reject(http::status::payload_too_large, version),
                                   limits.body_timeout);
          co_return;
        case ReadVerdict::close:
          co_return;
        case ReadVerdict::bad_request:
        case ReadVerdict::header_large:
          co_await write_and_close(stream, handler.reject(http::status::bad_request, version),
                                   limits.body_timeout);
          co_return;
      }
      Request req = parser.release();

      if (beast::websocket::is_upgrade(req) && handler.wants_upgrade(req)) {
        log_access(server.access_log_, req.base(), info, Written{false, 101, 0}, start);
        stream.expires_never();
        co_await handler.upgrade(std::move(stream), std::move(req), std::move(info),
                                 std::move(slot));
        co_return;
      }

      if (server.draining()) req.keep_alive(false);
      server.in_flight_.fetch_add(1, std::memory_order_relaxed);
      struct InFlight {
        std::atomic<int>& n;
        ~InFlight() { n.fetch_sub(1, std::memory_order_relaxed); }
      } in_flight{server.in_flight_};

      std::optional<Reply> response;
      RequestHeader logged;
      if (server.access_log_) logged = req.base();
      try {
        Reply reply = co_await handler.respond(std::move(req), info);
        response.emplace(std::move(reply));
      } catch (const std::exception& e) {
        LogScope scope{{info.request_id, {}}};
        spdlog::error("http: handler failed: {}", e.what());
        response.emplace(
            http::message_generator{handler.reject(http::status::internal_server_error, version)});
      }
      const Written written =
          co_await write_reply(stream, std::move(*response), limits.body_timeout);
      log_access(server.access_log_, logged, info, written, start);
      if (!written.reusable || server.draining()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }

 private:
  // One request whose body the handler reads itself. True when the connection may go on.
  static asio::awaitable<bool> serve_streamed(HttpServer& server, beast::tcp_stream& stream,
                                              beast::flat_buffer& buffer,
                                              http::request_parser<http::empty_body>& head,
                                              uint64_t body_limit, const ConnInfo& info,
                                              Clock::time_point start) {
    const HttpLimits& limits = server.limits_;
    HttpHandler& handler = server.handler_;
    const unsigned version = head.get().version();
    http::request_parser<http::buffer_body> parser{std::move(head)};
    parser.body_limit(boost::none);  // ConnectionBodyStream counts against body_limit itself
    RequestHeader header = parser.get().base();
    if (server.draining()) header.set(http::field::connection, "close");
    RequestHeader logged;
    if (server.access_log_) logged = header;
    ConnectionBodyStream body{stream, buffer, parser, limits.body_timeout, body_limit};

    server.in_flight_.fetch_add(1, std::memory_order_relaxed);
    struct InFlight {
      std::atomic<int>& n;
      ~InFlight() { n.fetch_sub(1, std::memory_order_relaxed); }
    } in_flight{server.in_flight_};

    std::optional<Reply> response;
    try {
      Reply reply = co_await handler.handle_stream(std::move(header), body, info);
      response.emplace(std::move(reply));
    } catch (const std::exception& e) {
      LogScope scope{{info.request_id, {}}};
      spdlog::error("http: streaming handler failed: {}", e.what());
      response.emplace(
          http::message_generator{handler.reject(http::status::internal_server_error, version)});
    }
    const bool complete = body.complete();
    const Written written = co_await write_reply(stream, std::move(*response), limits.body_timeout);
    log_access(server.access_log_, logged, info, written, start);
    if (!complete) {
      co_await linger_close(stream, limits.body_timeout);
      co_return false;
    }
    co_return written.reusable && !server.draining();
  }
};

#pragma GCC diagnostic pop

HttpServer::HttpServer(std::vector<asio::io_context*> loops, HttpHandler& handler,
                       HttpLimits limits)
    : loops_(std::move(loops)), handler_(handler), limits_(limits) {}

HttpServer::~HttpServer() {
  stop_accepting();
}

Result<void> HttpServer::listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return Error::invalid("bad listen address '" + host + "': " + ec.message());
  uint16_t bound = port;
  if (port != 0) {
    // The per-loop acceptors share the port through SO_REUSEPORT, which would just as well
    // let a second process join it and silently take part of the traffic. A probe bound
    // without SO_REUSEPORT fails while anyone listens there, so that case is refused first.
    asio::ip::tcp::acceptor probe(*loops_[0]);
    asio::ip::tcp::endpoint endpoint{address, port};
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(endpoint, ec);
    if (ec == asio::error::address_in_use) {
      return Error::unavailable("cannot listen on " + host + ":" + std::to_string(port) +
                                ": the port is in use by another process (is another "
                                "parley-server running?)");
    }
    if (ec) {
      return Error::unavailable("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                                ec.message());
    }
    probe.close(ec);
  }
  for (size_t i = 0; i < loops_.size(); ++i) {
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(*loops_[i]);
    asio::ip::tcp::endpoint endpoint{address, bound};
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
      acceptor->set_option(reuse_port(true), ec);
    }
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error::unavailable("cannot listen on " + host + ":" + std::to_string(bound) + ": " +
                                ec.message());
    }
    bound = acceptor->local_endpoint().port();  // port 0: the rest join the port we got
    acceptors_.push_back(std::move(acceptor));
  }
  port_ = bound;
  if (port != 0) {
    // Two servers starting at the same instant can both pass the probe above. Once bound, every
    // listener on the port must be one of ours; otherwise both sides see the other and refuse.
    std::set<unsigned long> ours;
    for (const auto& a : acceptors_) {
      struct stat st {};
      if (::fstat(a->native_handle(), &st) == 0) ours.insert(static_cast<unsigned long>(st.st_ino));
    }
    for (unsigned long inode : listening_inodes(address, bound)) {
      if (!ours.contains(inode)) {
        acceptors_.clear();
        return Error::unavailable("cannot listen on " + host + ":" + std::to_string(port) +
                                  ": another process listens on the port too (is another "
                                  "parley-server running?)");
      }
    }
  }
  for (size_t i = 0; i < loops_.size(); ++i) {
    asio::co_spawn(*loops_[i], accept_loop(i), asio::detached);
  }
  return {};
}

void HttpServer::stop_accepting() {
  draining_.store(true, std::memory_order_relaxed);
  for (auto& acceptor : acceptors_) {
    // Closed on its own loop: acceptors are not thread-safe.
    asio::post(acceptor->get_executor(), [a = acceptor.get()] {
      boost::system::error_code ignored;
      a->close(ignored);
    });
  }
}

asio::awaitable<void> HttpServer::accept_loop(size_t index) {
  auto& acceptor = *acceptors_[index];
  SpareDescriptor spare;
  asio::steady_timer backoff{acceptor.get_executor()};
  auto delay = std::chrono::milliseconds(10);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      if (out_of_descriptors(ec)) {
        spdlog::warn("accept: out of descriptors ({}); refusing one connection, backing off {} ms",
                     ec.message(), delay.count());
        spare.release();
        boost::system::error_code ignored;
        asio::ip::tcp::socket victim{acceptor.get_executor()};
        acceptor.accept(victim, ignored);  // non-blocking: a connection is waiting
        victim.close(ignored);
        spare.reopen();
      } else {
        spdlog::warn("accept: {}", ec.message());
      }
      backoff.expires_after(delay);
      co_await backoff.async_wait(kTuple);
      delay = std::min(delay * 2, std::chrono::milliseconds(1000));
      continue;
    }
    delay = std::chrono::milliseconds(10);
    if (connections_->load(std::memory_order_relaxed) >= limits_.max_connections) {
      // Over budget: refuse at once with a 503 that fits in one segment.
      static constexpr std::string_view kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      boost::system::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kBusy), ignored);
      socket.close(ignored);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    ConnInfo info;
    auto remote = socket.remote_endpoint(ignored);
    if (!ignored) info.peer_ip = remote.address().to_string();
    info.local_port = port_;
    auto slot = std::make_shared<CountedSlot>(connections_);
    asio::co_spawn(acceptor.get_executor(),
                   HttpConnection::serve(*this, beast::tcp_stream(std::move(socket)),
                                         std::move(slot), std::move(info)),
                   asio::detached);
  }
}

}  // namespace parley::net

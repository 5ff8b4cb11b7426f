// See ws_transport.h.
#include "eio/ws_transport.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <utility>

#include "eio/loop.h"
#include "eio/session.h"

namespace parley::eio {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;
using boost::beast::error_code;

namespace {

constexpr std::uint8_t kTextOpcode = 0x1;
constexpr std::uint8_t kBinaryOpcode = 0x2;

// A server frame is never masked: FIN and the opcode, then a 7-, 16- or 64-bit length.
std::string_view frame_header(std::uint8_t opcode, std::size_t len, char (&out)[10]) {
  out[0] = static_cast<char>(0x80 | opcode);
  if (len < 126) {
    out[1] = static_cast<char>(len);
    return {out, 2};
  }
  if (len <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<char>(len >> 8);
    out[3] = static_cast<char>(len);
    return {out, 4};
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<char>(static_cast<std::uint64_t>(len) >> (56 - 8 * i));
  return {out, 10};
}

std::string_view close_reason(const error_code& ec) {
  if (ec == websocket::error::closed || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == asio::error::operation_aborted) {
    return "transport close";
  }
  return "transport error";
}

}  // namespace

// Every live transport of one io_context. When the context shuts down (its destructor, with the
// loop stopped) it abandons them before asio destroys the pending handlers: a Beast operation
// parked in a transport (waiting for its teardown) holds the transport, and would otherwise keep
// it alive forever. A service lives exactly as long as its io_context, which makes it the one
// place that is still valid at that point.
class TransportRegistry final : public asio::execution_context::service {
 public:
  using key_type = TransportRegistry;
  static asio::execution_context::id id;
  explicit TransportRegistry(asio::execution_context& ctx) : service(ctx) {}

  void add(WsTransport& t) {
    t.registry_next_ = head_;
    if (head_) head_->registry_prev_ = &t;
    head_ = &t;
  }
  void remove(WsTransport& t) {
    if (t.registry_prev_) t.registry_prev_->registry_next_ = t.registry_next_;
    if (t.registry_next_) t.registry_next_->registry_prev_ = t.registry_prev_;
    if (head_ == &t) head_ = t.registry_next_;
    t.registry_prev_ = t.registry_next_ = nullptr;
  }

 private:
  void shutdown() override {
    // Hold them all first: abandoning one may release others.
    std::vector<std::shared_ptr<WsTransport>> live;
    for (WsTransport* t = head_; t; t = t->registry_next_)
      if (auto sp = t->weak_from_this().lock()) live.push_back(std::move(sp));
    for (auto& t : live)
      t->abandon();
  }

  WsTransport* head_ = nullptr;
};

asio::execution_context::id TransportRegistry::id;

namespace cork {

bool append(WsTransport& t, std::string_view bytes) {
  if (t.state_ == WsTransport::State::finished) return false;
  t.queue_.append({}, bytes);
  return true;
}

void appended(WsTransport& t) {
  t.schedule_flush();
}

void teardown(WsTransport& t, asio::any_completion_handler<void(error_code)> handler) {
  if (t.state_ == WsTransport::State::finished) {
    asio::post(t.socket().get_executor(), [h = std::move(handler)]() mutable {
      std::move(h)(error_code(asio::error::operation_aborted));
    });
    return;
  }
  t.teardown_.emplace(std::move(handler));
  t.maybe_teardown();
}

}  // namespace cork

void beast_close_socket(CorkStream& stream) {
  error_code ignored;
  stream.socket().close(ignored);
}

void teardown(boost::beast::role_type, CorkStream& stream, error_code& ec) {
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

WsTransport::WsTransport(asio::ip::tcp::socket socket, Loop& loop, const Options& options,
                         net::ConnectionSlotPtr slot)
    : loop_(loop),
      options_(options),
      ws_(std::move(socket), *this),
      slot_(std::move(slot)),
      registry_(&asio::use_service<TransportRegistry>(loop.context())) {
  registry_->add(*this);
  ws_.read_message_max(options.max_payload);
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = options.ws_close_timeout;   // also bounds the close handshake
  timeouts.idle_timeout = websocket::stream_base::none();  // Engine.IO heartbeats do that
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  // Flushes try a non-blocking write first and only wait for the socket when it is full.
  error_code ignored;
  this->socket().non_blocking(true, ignored);
}

WsTransport::~WsTransport() {
  registry_->remove(*this);
}

void WsTransport::abandon() {
  auto self = shared_from_this();
  state_ = State::finished;
  close_timer_.cancel();
  teardown_.reset();
  session_.reset();
  error_code ignored;
  socket().close(ignored);
}

void WsTransport::accept(net::Request req, AcceptHandler done) {
  // Beast builds the response from the request when the operation starts; the request is kept
  // with the handler all the same, which costs nothing and depends on no implementation detail.
  auto held = std::make_unique<net::Request>(std::move(req));
  const net::Request& request = *held;
  auto on_accept = [self = shared_from_this(), held = std::move(held),
                    done = std::move(done)](const error_code& ec) {
    if (self->state_ == State::finished) {
      done(self, false);
      return;
    }
    if (ec) {
      // Beast queued a 400 for a malformed upgrade: let it go out, then drop the connection.
      self->state_ = State::closing;
      self->drop_when_drained_ = true;
      self->loop_.timers().schedule(self->close_timer_, self->options_.ws_close_timeout);
      self->maybe_teardown();
      done(self, false);
      return;
    }
    self->state_ = State::open;
    if (self->session_) self->read();  // a probe attached before the handshake
    done(self, true);
  };
  ws_.async_accept(request, std::move(on_accept));
}

void WsTransport::attach(std::shared_ptr<Session> session) {
  const bool start = !session_;
  session_ = std::move(session);
  if (start && state_ == State::open) read();
}

void WsTransport::read() {
  ws_.async_read_some(
      asio::buffer(chunk_),
      [self = shared_from_this()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
}

void WsTransport::on_read(const error_code& ec, std::size_t n) {
  if (ec) {
    finish(close_reason(ec));
    return;
  }
  if (state_ == State::finished) return;
  std::string_view message(chunk_.data(), n);
  if (!ws_.is_message_done() || !partial_.empty()) {
    partial_.append(message);
    if (!ws_.is_message_done()) {
      read();
      return;
    }
    message = partial_;
  }
  if (session_) {
    // The session may close us (or drop its reference) while handling the message; the read
    // handler's reference keeps us alive.
    session_->on_ws_message(*this, ws_.got_text(), message);
  }
  // An idle connection holds no read memory beyond the fixed chunk and Beast's frame buffer.
  if (!partial_.empty()) std::string().swap(partial_);
  if (state_ == State::open || state_ == State::closing) read();
}

bool WsTransport::enqueue(std::uint8_t opcode, std::string_view a, std::string_view b) {
  if (state_ != State::open) return true;  // closing or gone: nothing more goes out
  char header[10];
  queue_.append(frame_header(opcode, a.size() + b.size(), header), a, b);
  schedule_flush();
  return queue_.size() <= options_.outbound_queue_bytes;
}

bool WsTransport::send_text(std::string_view a, std::string_view b) {
  return enqueue(kTextOpcode, a, b);
}

bool WsTransport::send_binary(std::string_view bytes) {
  return enqueue(kBinaryOpcode, bytes, {});
}

bool WsTransport::send_shared_text(const SharedText& payload) {
  if (state_ != State::open) return true;
  char header[10];
  queue_.append_shared(frame_header(kTextOpcode, payload->size(), header), payload);
  schedule_flush();
  return queue_.size() <= options_.outbound_queue_bytes;
}

void WsTransport::schedule_flush() {
  if (dirty_ || writing_ || state_ == State::finished) return;
  dirty_ = true;
  loop_.defer_flush(shared_from_this());
}

void WsTransport::flush() {
  dirty_ = false;
  if (writing_ || state_ == State::finished) return;
  if (!queue_.has_pending()) {
    maybe_teardown();
    return;
  }
  queue_.stage();
  // Most batches fit in the socket buffer: write them now, without a reactor round trip. Asio
  // gathers at most 64 buffers per call, hence the loop.
  for (;;) {
    error_code ec;
    const std::size_t n = socket().write_some(queue_.inflight(), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) {
      finish("transport error");
      return;
    }
    if (queue_.consume(n)) {
      queue_.finish();
      maybe_teardown();
      return;
    }
  }
  write_async();
}

void WsTransport::write_async() {
  writing_ = true;
  asio::async_write(socket(), queue_.inflight(),
                    [self = shared_from_this()](const error_code& ec, std::size_t n) {
                      self->on_written(ec, n);
                    });
}

void WsTransport::on_written(const error_code& ec, std::size_t n) {
  writing_ = false;
  if (state_ == State::finished) return;
  if (ec) {
    finish("transport error");
    return;
  }
  queue_.consume(n);
  queue_.finish();
  if (queue_.has_pending()) {
    flush();
    return;
  }
  maybe_teardown();
}

void WsTransport::maybe_teardown() {
  if (writing_ || queue_.has_pending()) return;
  if (teardown_) {
    // Beast's close handshake (ours or the client's) is done once the close frame is out.
    error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    auto h = std::move(*teardown_);
    teardown_.reset();
    // Beast's operations run on this loop too; the completion just must not be inline.
    asio::post(socket().get_executor(),
               [h = std::move(h)]() mutable { std::move(h)(error_code{}); });
  } else if (drop_when_drained_) {
    error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    finish("transport error");
  }
}

void WsTransport::close() {
  if (state_ == State::handshake) {
    abort();
    return;
  }
  if (state_ != State::open) return;
  state_ = State::closing;
  loop_.timers().schedule(close_timer_, options_.ws_close_timeout);
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](const error_code& ec) {
    self->finish(ec ? close_reason(ec) : std::string_view("forced close"));
  });
}

void WsTransport::abort() {
  finish("forced close");
}

void WsTransport::on_close_timeout(void* p) {
  auto self = static_cast<WsTransport*>(p)->shared_from_this();
  self->finish("transport error");
}

void WsTransport::finish(std::string_view reason) {
  if (state_ == State::finished) return;
  auto self = shared_from_this();
  state_ = State::finished;
  close_timer_.cancel();
  error_code ignored;
  socket().close(ignored);  // pending operations complete with operation_aborted
  queue_.clear();
  if (teardown_) {
    auto h = std::move(*teardown_);
    teardown_.reset();
    asio::post(socket().get_executor(), [h = std::move(h)]() mutable {
      std::move(h)(error_code(asio::error::operation_aborted));
    });
  }
  slot_.reset();
  if (auto s = std::move(session_)) s->on_ws_closed(*this, reason);
}

}  // namespace parley::eio

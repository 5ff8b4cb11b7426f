// See ws_transport.h.
#include "eio/ws_transport.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <utility>

#include "eio/loop.h"
#include "eio/session.h"
#include "eio/ws_frame.h"
#include "eio/ws_handshake.h"

namespace parley::eio {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Reads per readiness event before yielding to the loop's other work.
constexpr int kReadsPerWakeup = 4;

std::string_view close_reason(const error_code& ec) {
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == asio::error::operation_aborted) {
    return "transport close";
  }
  return "transport error";
}

}  // namespace

// Every live transport of one io_context. When the context shuts down (its destructor, with the
// loop stopped) it abandons them before asio destroys the pending handlers: a transport and its
// session hold each other until the transport finishes, and would otherwise stay alive forever. A
// service lives exactly as long as its io_context, which makes it the one place that is still valid
// at that point.
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

WsTransport::WsTransport(asio::ip::tcp::socket socket, Loop& loop, const Options& options,
                         net::ConnectionSlotPtr slot)
    : loop_(loop),
      options_(options),
      socket_(std::move(socket)),
      reader_(options.max_payload),
      slot_(std::move(slot)),
      registry_(&asio::use_service<TransportRegistry>(loop.context())) {
  registry_->add(*this);
  // Reads and flushes are non-blocking calls made when the socket is ready (or likely to be).
  error_code ignored;
  socket_.non_blocking(true, ignored);
}

WsTransport::~WsTransport() {
  registry_->remove(*this);
}

void WsTransport::abandon() {
  auto self = shared_from_this();
  state_ = State::finished;
  close_timer_.cancel();
  session_.reset();
  error_code ignored;
  socket_.close(ignored);
}

void WsTransport::accept(net::Request req, AcceptHandler done) {
  WsHandshake answer = answer_ws_upgrade(req);
  queue_.append({}, answer.response);
  schedule_flush();
  if (answer.ok) {
    state_ = State::open;
    if (session_) read();  // a probe attached before the handshake
  } else {
    // The refusal goes out, then the connection is dropped.
    state_ = State::closing;
    finish_when_drained_ = "transport error";
    loop_.timers().schedule(close_timer_, options_.ws_close_timeout);
  }
  // Reported from a later turn, as an asynchronous handshake would be: the caller may still be
  // setting things up around this call.
  asio::post(socket_.get_executor(), [self = shared_from_this(), done = std::move(done)] {
    done(self, self->state_ == State::open);
  });
}

void WsTransport::attach(std::shared_ptr<Session> session) {
  const bool start = !session_;
  session_ = std::move(session);
  if (start && state_ == State::open) read();
}

void WsTransport::read() {
  if (reading_ || state_ == State::finished) return;
  reading_ = true;
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](const error_code& ec) { self->on_readable(ec); });
}

void WsTransport::on_readable(const error_code& ec) {
  reading_ = false;
  if (state_ == State::finished) return;
  if (ec) {
    finish(close_reason(ec));
    return;
  }
  const std::span<char> buffer = loop_.read_buffer();
  for (int i = 0; i < kReadsPerWakeup; ++i) {
    error_code rec;
    const std::size_t n = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), rec);
    if (rec == asio::error::would_block || rec == asio::error::try_again) break;
    if (rec) {
      finish(close_reason(rec));
      return;
    }
    const auto result = reader_.feed(buffer.first(n), *this);
    if (state_ == State::finished) return;
    switch (result.status) {
      case WsFrameReader::Status::more:
        break;
      case WsFrameReader::Status::stopped:
        return;
      case WsFrameReader::Status::closed:
        return;  // on_ws_close answered; nothing more is read
      case WsFrameReader::Status::failed:
        close_after(result.fail_code, "transport error");
        return;
    }
    if (n < buffer.size()) break;  // drained what was there
  }
  if (state_ == State::open || state_ == State::closing) read();
}

bool WsTransport::on_ws_data(bool text, std::string_view message) {
  if (state_ == State::finished) return false;
  // Once our close frame is out, messages that crossed it are dropped (RFC 6455 §5.5.1).
  if (state_ == State::closing) return true;
  // The session may close us (or drop its reference) while handling the message; the read
  // handler's reference keeps us alive.
  if (session_) session_->on_ws_message(*this, text, message);
  return state_ != State::finished;
}

bool WsTransport::on_ws_ping(std::string_view payload) {
  if (state_ == State::open) enqueue(kOpPong, payload, {});
  return true;
}

void WsTransport::on_ws_close(std::uint16_t code, std::string_view) {
  if (state_ == State::closing) {
    // The answer to our close: the handshake is done.
    finish(finish_when_drained_.empty() ? std::string_view("forced close") : finish_when_drained_);
    return;
  }
  // The client closes: echo its code, then drop the connection once that is written.
  close_after(code == kCloseNoStatus ? 0 : code, "transport close");
}

SharedText frame_texts(std::span<const SharedText> payloads) {
  std::size_t size = 0;
  for (const auto& p : payloads)
    size += p->size() + 10;
  auto out = std::make_shared<std::string>();
  out->reserve(size);
  char header[10];
  for (const auto& p : payloads) {
    out->append(frame_header(kOpText, p->size(), false, header));
    out->append(*p);
  }
  return out;
}

bool WsTransport::enqueue(std::uint8_t opcode, std::string_view a, std::string_view b) {
  loop_.gate().drain();                    // parked broadcasts were produced before this frame
  if (state_ != State::open) return true;  // closing or gone: nothing more goes out
  char header[10];
  queue_.append(frame_header(opcode, a.size() + b.size(), false, header), a, b);
  loop_.stats().frames_written.add();
  schedule_flush();
  return within_cap();
}

bool WsTransport::send_text(std::string_view a, std::string_view b) {
  return enqueue(kOpText, a, b);
}

bool WsTransport::send_binary(std::string_view bytes) {
  return enqueue(kOpBinary, bytes, {});
}

bool WsTransport::send_shared_text(const SharedText& payload) {
  loop_.gate().drain();
  if (state_ != State::open) return true;
  char header[10];
  queue_.append_shared(frame_header(kOpText, payload->size(), false, header), payload);
  loop_.stats().frames_written.add();
  schedule_flush();
  return within_cap();
}

bool WsTransport::send_framed(const SharedText& frames) {
  loop_.gate().drain();
  if (state_ != State::open) return true;
  // A burst is usually several frames: one shared reference beats copying it per connection.
  queue_.append_framed(frames, 512);
  schedule_flush();
  return within_cap();
}

bool WsTransport::within_cap() {
  if (queue_.size() <= options_.outbound_queue_bytes) return true;
  // Only a peer that does not read is a slow consumer. Bytes held back by the loop's pass pacing
  // (see Loop) are written now, and the cap is judged on what the socket would not take.
  if (!writing_ && state_ != State::finished) {
    auto self = shared_from_this();  // a failed write finishes us
    flush();
  }
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
    loop_.stats().bytes_written.add(n);
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
  loop_.stats().bytes_written.add(n);
  queue_.consume(n);
  queue_.finish();
  if (queue_.has_pending()) {
    flush();
    return;
  }
  maybe_teardown();
}

void WsTransport::maybe_teardown() {
  if (writing_ || queue_.has_pending() || finish_when_drained_.empty()) return;
  if (state_ != State::closing || awaiting_close_) return;
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  finish(finish_when_drained_);
}

void WsTransport::queue_close_frame(std::uint16_t code) {
  // Straight to the queue: enqueue() sends only while open.
  char header[10], payload[2];
  const std::string_view body = close_payload(code, payload);
  queue_.append(frame_header(kOpClose, body.size(), false, header), body);
}

void WsTransport::close_after(std::uint16_t code, std::string_view reason) {
  if (state_ == State::finished) return;
  if (state_ != State::closing) {
    queue_close_frame(code);
    state_ = State::closing;
    loop_.timers().schedule(close_timer_, options_.ws_close_timeout);
  }
  awaiting_close_ = false;
  finish_when_drained_ = reason;
  schedule_flush();
  maybe_teardown();
}

void WsTransport::close() {
  if (state_ == State::handshake) {
    abort();
    return;
  }
  if (state_ != State::open) return;
  // Our close frame goes out after what is queued; the client answers with its own, and then
  // the connection ends (on_ws_close), or the close timeout ends it.
  queue_close_frame(kCloseNormal);
  state_ = State::closing;
  awaiting_close_ = true;
  finish_when_drained_ = "forced close";
  loop_.timers().schedule(close_timer_, options_.ws_close_timeout);
  schedule_flush();
  read();  // the client's close frame ends the handshake (a transport without a session too)
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
  socket_.close(ignored);  // pending operations complete with operation_aborted
  queue_.clear();
  slot_.reset();
  if (auto s = std::move(session_)) s->on_ws_closed(*this, reason);
}

}  // namespace parley::eio

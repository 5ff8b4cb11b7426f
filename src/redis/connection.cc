// See connection.h.
#include "redis/connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "redis/endpoint.h"

namespace parley::redis {

struct Connection::Private {};

std::shared_ptr<Connection> Connection::open(asio::any_io_executor ex, Endpoint endpoint,
                                             ConnectionOptions options) {
  auto c = std::make_shared<Connection>(ex, std::move(endpoint), std::move(options), Private{});
  c->start();
  return c;
}

Connection::Connection(asio::any_io_executor ex, Endpoint endpoint, ConnectionOptions options,
                       const Private&)
    : ex_(ex),
      endpoint_(std::move(endpoint)),
      options_(std::move(options)),
      resolver_(ex),
      socket_(ex),
      connect_timer_(ex),
      decoder_(options_.limits),
      rbuf_(64 * 1024) {}

Connection::~Connection() = default;

void Connection::start() {
  if (!options_.password.empty()) {
    // AUTH is the first thing on the wire: it is queued before any caller can send.
    auto self = weak_from_this();
    out_ = encode_command({"AUTH", options_.password});
    pending_.push_back({1, {}, [self](Result<std::vector<Reply>> r, bool) {
                          auto c = self.lock();
                          if (!c || !r) return;
                          if (r.value()[0].is_error())
                            c->close(Error::unavailable("redis " + to_string(c->endpoint_) +
                                                        ": AUTH refused: " + r.value()[0].str));
                        }});
  }
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->connected_) return;
    self->close(Error::unavailable("redis " + to_string(self->endpoint_) + ": connect timeout"));
  });
  resolver_.async_resolve(
      endpoint_.host, std::to_string(endpoint_.port), asio::ip::tcp::resolver::numeric_service,
      [self = shared_from_this()](boost::system::error_code ec,
                                  asio::ip::tcp::resolver::results_type results) {
        if (self->closed_) return;
        if (ec) {
          self->close(Error::unavailable("redis " + to_string(self->endpoint_) +
                                         ": resolve: " + ec.message()));
          return;
        }
        asio::async_connect(
            self->socket_, results,
            [self](boost::system::error_code ec, const asio::ip::tcp::endpoint&) {
              if (self->closed_) return;
              if (ec) {
                self->close(Error::unavailable("redis " + to_string(self->endpoint_) +
                                               ": connect: " + ec.message()));
                return;
              }
              self->on_connected();
            });
      });
}

void Connection::on_connected() {
  connected_ = true;
  connect_timer_.cancel();
  boost::system::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  read();
  flush();
}

void Connection::send(std::string bytes, size_t replies, Done done) {
  if (closed_) {
    if (!done) return;
    // Never synchronously: the caller may hold state it updates after send returns.
    asio::post(ex_, [done = std::move(done), ep = endpoint_]() {
      done(Error::unavailable("redis " + to_string(ep) + ": connection closed"), false);
    });
    return;
  }
  out_.append(bytes);
  if (replies > 0) {
    if (pending_.empty()) owed_since_ = std::chrono::steady_clock::now();
    pending_.push_back({replies, {}, std::move(done)});
  }
  flush();
}

void Connection::flush() {
  if (!connected_ || closed_ || write_busy_ || out_.empty()) return;
  write_busy_ = true;
  for (auto& p : pending_)
    p.written = true;  // everything queued so far is in this write
  writing_.swap(out_);
  out_.clear();
  asio::async_write(socket_, asio::buffer(writing_),
                    [self = shared_from_this()](boost::system::error_code ec, size_t) {
                      self->write_busy_ = false;
                      self->writing_.clear();
                      if (self->closed_) return;
                      if (ec) {
                        self->close(Error::unavailable("redis " + to_string(self->endpoint_) +
                                                       ": write: " + ec.message()));
                        return;
                      }
                      self->flush();
                    });
}

void Connection::read() {
  socket_.async_read_some(asio::buffer(rbuf_), [self = shared_from_this()](
                                                   boost::system::error_code ec, size_t n) {
    if (self->closed_) return;
    if (ec) {
      self->close(Error::unavailable(
          "redis " + to_string(self->endpoint_) + ": " +
          (ec == asio::error::eof ? std::string("connection closed by peer") : ec.message())));
      return;
    }
    self->owed_since_ = std::chrono::steady_clock::now();
    if (auto fed = self->decoder_.feed(std::string_view(self->rbuf_.data(), n)); !fed) {
      self->close(
          Error::unavailable("redis " + to_string(self->endpoint_) + ": " + fed.error().detail));
      return;
    }
    for (;;) {
      auto next = self->decoder_.next();
      if (!next) {
        self->close(
            Error::unavailable("redis " + to_string(self->endpoint_) + ": " + next.error().detail));
        return;
      }
      if (!next.value()) break;
      self->deliver(std::move(*next.value()));
      if (self->closed_) return;
    }
    self->read();
  });
}

void Connection::deliver(Reply reply) {
  if (pending_.empty()) {
    if (push_) {
      push_(std::move(reply));
      return;
    }
    close(
        Error::unavailable("redis " + to_string(endpoint_) + ": protocol error: unexpected reply"));
    return;
  }
  auto& front = pending_.front();
  front.replies.push_back(std::move(reply));
  if (front.replies.size() < front.expected) return;
  Pending done = std::move(front);
  pending_.pop_front();
  done.done(std::move(done.replies), true);
}

void Connection::close(const Error& why) {
  if (closed_) return;
  closed_ = true;
  connected_ = false;
  connect_timer_.cancel();
  resolver_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  auto pending = std::move(pending_);
  pending_.clear();
  auto self = shared_from_this();  // a callback may drop the last other reference
  for (auto& p : pending)
    p.done(why, p.written);
  if (on_close_) {
    auto h = std::move(on_close_);
    on_close_ = nullptr;
    h(why);
  }
  push_ = nullptr;
}

}  // namespace parley::redis

// CorkStream: the next layer under Beast's websocket::stream. Reads go straight to the socket.
// Writes (the 101 handshake response and the control frames Beast sends itself: pong, close) are
// appended to the transport's outbound queue and complete at once, so they are serialized with
// the data frames the transport frames itself, in order, and flushed by the same batched writer.
// Teardown (after a close handshake) first waits for the queue to drain.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <cstddef>
#include <string_view>
#include <utility>

namespace parley::eio {

class WsTransport;

namespace cork {
// Implemented by the transport (ws_transport.cc).
bool append(WsTransport& owner, std::string_view bytes);  // false once the transport is closed
void appended(WsTransport& owner);
void teardown(WsTransport& owner,
              boost::asio::any_completion_handler<void(boost::beast::error_code)> handler);
}  // namespace cork

class CorkStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  CorkStream(boost::asio::ip::tcp::socket socket, WsTransport& owner)
      : socket_(std::move(socket)), owner_(&owner) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  WsTransport& owner() { return *owner_; }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& bufs) {
          std::size_t n = 0;
          bool ok = true;
          for (const auto b : boost::beast::buffers_range_ref(bufs)) {
            ok = ok && cork::append(*owner_, {static_cast<const char*>(b.data()), b.size()});
            n += b.size();
          }
          boost::beast::error_code ec;
          if (ok) {
            cork::appended(*owner_);
          } else {
            ec = boost::asio::error::operation_aborted;
            n = 0;
          }
          // Never complete inline: the caller's composed operation is still on the stack.
          auto ex = boost::asio::get_associated_executor(h, socket_.get_executor());
          boost::asio::post(ex, boost::beast::bind_front_handler(std::move(h), ec, n));
        },
        handler, buffers);
  }

 private:
  boost::asio::ip::tcp::socket socket_;
  WsTransport* owner_;
};

// Beast's customization points, found by argument-dependent lookup.
void beast_close_socket(CorkStream& stream);
void teardown(boost::beast::role_type role, CorkStream& stream, boost::beast::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type, CorkStream& stream, TeardownHandler&& handler) {
  cork::teardown(stream.owner(),
                 boost::asio::any_completion_handler<void(boost::beast::error_code)>(
                     std::forward<TeardownHandler>(handler)));
}

}  // namespace parley::eio

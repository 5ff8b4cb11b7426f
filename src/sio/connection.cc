// See connection.h. Routing follows the reference server's Client: a CONNECT for a namespace
// already joined, a CONNECT_ERROR from the client, or any other packet for a namespace not (yet)
// connected is a protocol violation that closes the connection.
#include "sio/connection.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <exception>

#include "eio/ids.h"
#include "sio/server.h"
#include "sio/socket_impl.h"

namespace parley::sio {

namespace {

// The official parser reads a namespace up to a ',' or the end of the packet ("40/custom"); our
// codec insists on the comma its encoder always writes. Such a packet has no payload, so adding
// the comma at the end reads it the same way.
bool namespace_without_comma(std::string_view text) {
  if (text.empty()) return false;
  std::size_t i = 1;
  if (text[0] == '5' || text[0] == '6') {  // binary types: "<n>-" comes first
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
      ++i;
    if (i >= text.size() || text[i] != '-') return false;
    ++i;
  }
  return i < text.size() && text[i] == '/' && text.find(',', i) == std::string_view::npos;
}

}  // namespace

Connection::Connection(Server& server, eio::SessionPtr session)
    : server_(server), session_(std::move(session)) {
  decode_options_.max_attachments = server.options().max_attachments;
}

Connection::~Connection() {
  // Only when the session was abandoned at shutdown: sockets the application may still hold
  // must not point back here.
  for (auto& s : sockets_)
    s->detach();
}

void Connection::start() {
  session_->timers().schedule(connect_timer_, server_.options().connect_timeout);
}

void Connection::on_connect_timeout(void* p) {
  auto self = static_cast<Connection*>(p)->shared_from_this();
  if (!self->closed_ && !self->ever_connected_) self->fail("forced server close");
}

void Connection::on_message(std::string_view text) {
  if (closed_) return;
  std::string patched;
  if (namespace_without_comma(text)) {
    patched.reserve(text.size() + 1);
    patched.append(text);
    patched.push_back(',');
    text = patched;
  }
  auto result = assembler_.feed_text(text, decode_options_);
  if (!result) {
    spdlog::debug("sio: {}: {}", session_->id(), result.error().detail);
    fail("parse error");
    return;
  }
  if (*result) guarded_dispatch(std::move(**result));
}

void Connection::on_binary(std::string_view bytes) {
  if (closed_) return;
  auto result = assembler_.add(std::string(bytes));
  if (!result) {
    fail("parse error");
    return;
  }
  if (*result) guarded_dispatch(std::move(**result));
}

void Connection::guarded_dispatch(Packet&& packet) {
  // An exception from the application must not unwind through the event loop (it would end
  // the loop's thread): it costs this connection only.
  try {
    dispatch(std::move(packet));
  } catch (const std::exception& e) {
    spdlog::error("sio: handler failed on {}: {}", session_ ? session_->id() : "?", e.what());
    fail("server error");
  }
}

void Connection::on_close(std::string_view reason) {
  if (closed_) return;
  auto self = shared_from_this();
  closed_ = true;
  connect_timer_.cancel();
  assembler_.reset();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& s : sockets)
    s->on_closed(reason);
  session_.reset();
}

void Connection::fail(std::string_view reason) {
  if (closed_ || !session_) return;
  auto keep = session_;
  keep->close(reason);  // calls on_close() with `reason`
}

SocketImpl* Connection::find(std::string_view nsp) const {
  for (const auto& s : sockets_)
    if (s->nsp() == nsp) return s.get();
  return nullptr;
}

void Connection::remove(const SocketImpl* socket) {
  std::erase_if(sockets_, [socket](const auto& s) { return s.get() == socket; });
}

void Connection::send_packet(Packet&& packet) {
  if (closed_) return;
  for (const auto& frame : encode_frames(std::move(packet)))
    session_->send(frame);
}

void Connection::dispatch(Packet&& packet) {
  SocketImpl* socket = find(packet.nsp);
  if (packet.type == PacketType::connect) {
    if (socket) {
      fail("forced server close");
    } else {
      connect(std::move(packet));
    }
    return;
  }
  if (packet.type == PacketType::connect_error || !socket || !socket->connected()) {
    fail("forced server close");
    return;
  }
  switch (packet.type) {
    case PacketType::disconnect: {
      auto keep = socket->shared_from_this();
      remove(socket);
      keep->on_closed("client namespace disconnect");
      return;
    }
    case PacketType::event:
    case PacketType::binary_event:
      socket->on_event(std::move(packet));
      return;
    case PacketType::ack:
    case PacketType::binary_ack:
      socket->on_ack(std::move(packet));
      return;
    case PacketType::connect:
    case PacketType::connect_error:
      return;
  }
}

void Connection::connect(Packet&& packet) {
  if (!server_.has_namespace(packet.nsp)) {
    Packet error;
    error.type = PacketType::connect_error;
    error.nsp = packet.nsp;
    error.payload = json::object{{"message", "Invalid namespace"}};
    send_packet(std::move(error));
    return;
  }
  auto socket = std::make_shared<SocketImpl>(*this, packet.nsp, eio::random_id());
  sockets_.push_back(socket);
  json::value auth =
      packet.payload.is_object() ? std::move(packet.payload) : json::value(json::object{});
  auto task = run_connect(shared_from_this(), socket, std::move(auth));
  auto on_done = [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("sio: connect handling failed: {}", ex.what());
    } catch (...) {
      spdlog::error("sio: connect handling failed");
    }
  };
  boost::asio::co_spawn(session_->executor(), std::move(task), std::move(on_done));
}

boost::asio::awaitable<void> Connection::run_connect(std::shared_ptr<Connection> self,
                                                     std::shared_ptr<SocketImpl> socket,
                                                     json::value auth) {
  ConnectResult result;
  try {
    // Bound to a local before co_await: GCC 12 miscompiles some temporaries in co_await.
    auto op = self->server_.handler().on_connect(socket, socket->nsp(), auth);
    result = co_await std::move(op);
  } catch (const std::exception& e) {
    spdlog::error("sio: on_connect failed: {}", e.what());
    result = ConnectResult::reject("Internal server error");
  }
  self->finish_connect(socket, std::move(result));
}

void Connection::finish_connect(const std::shared_ptr<SocketImpl>& socket, ConnectResult result) {
  if (closed_ || !socket->pending()) {
    socket->on_closed("transport close");  // never connected: leaves its groups, nothing else
    remove(socket.get());
    return;
  }
  if (!result.ok) {
    remove(socket.get());
    socket->on_closed("connect error");
    Packet error;
    error.type = PacketType::connect_error;
    error.nsp = socket->nsp();
    error.payload = result.error_data.is_null()
                        ? json::value(json::object{{"message", "Forbidden"}})
                        : std::move(result.error_data);
    send_packet(std::move(error));
    return;
  }
  if (!ever_connected_) {
    ever_connected_ = true;
    connect_timer_.cancel();
  }
  socket->mark_connected();
  server_.handler().on_connected(socket);
}

void Connection::disconnect_all() {
  if (closed_) return;
  auto self = shared_from_this();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& s : sockets) {
    if (s->connected()) {
      s->server_disconnect();
    } else {
      s->on_closed("server namespace disconnect");
    }
  }
  fail("forced server close");
}

}  // namespace parley::sio

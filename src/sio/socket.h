// The Socket.IO surface the chat is written against: a connected socket on a namespace, the
// handler that receives its events, and pre-encoded frames for fan-out. eio/ + sio/ implement
// the protocol underneath; bus/ moves frames between loops; api/ implements SocketHandler.
//
// Threading: a socket belongs to one event loop (its executor) for its whole life. Every method
// of Socket must be called on that loop; code elsewhere posts to socket.executor() first.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sio {

namespace asio = boost::asio;
namespace json = boost::json;

// One encoded Socket.IO packet as it goes on the wire in an Engine.IO message packet (e.g.
// `42["message",{...}]`), shared immutably by every recipient: a broadcast is encoded once.
using Frame = std::shared_ptr<const std::string>;
Frame make_event_frame(std::string_view event, const json::value& arg);  // namespace "/"
Frame make_event_frame_args(std::string_view event, const json::array& args);

// Consecutive frames for one group, delivered together: every WebSocket member gets the same
// bytes, so the first one frames the burst (`framed`) and the others share it.
struct FrameBatch {
  std::vector<Frame> frames;
  mutable Frame framed;
};

class Socket {
 public:
  virtual ~Socket() = default;
  virtual const std::string& id() const = 0;  // Socket.IO socket id
  virtual asio::any_io_executor executor() const = 0;
  virtual bool connected() const = 0;
  // The TCP peer's address (per-address connection limits); "" when unknown.
  virtual const std::string& peer_ip() const {
    static const std::string unknown;
    return unknown;
  }

  // Queues an event / a pre-encoded frame. Never blocks; if the outbound queue is over its byte
  // cap the socket is closed as a slow consumer (logged) instead of growing memory.
  virtual void emit(std::string_view event, const json::value& arg) = 0;
  virtual void send(Frame frame) = 0;
  // The frames of `batch`, in order, as if sent one by one.
  virtual void send_batch(const FrameBatch& batch) {
    for (const auto& f : batch.frames)
      send(f);
  }
  // Acknowledges an event that carried an ack id.
  virtual void ack(uint64_t id, const json::array& args) = 0;

  // Group membership (Socket.IO "rooms": "room-list", "user:<id>", "<roomId>").
  virtual void join(const std::string& group) = 0;
  virtual void leave(const std::string& group) = 0;
  virtual bool in_group(const std::string& group) const = 0;

  // Sends DISCONNECT and closes the transport.
  virtual void disconnect() = 0;

  // Application state attached at CONNECT (the chat keeps the user id and session here).
  std::shared_ptr<void> user_data;
};
using SocketPtr = std::shared_ptr<Socket>;

struct ConnectResult {
  bool ok = true;
  json::value error_data;  // CONNECT_ERROR payload when !ok, e.g. {"message":"Invalid token"}
  static ConnectResult accept() { return {}; }
  static ConnectResult reject(std::string message) {
    return {false, json::object{{"message", std::move(message)}}};
  }
};

// What the application implements. All callbacks run on the socket's loop.
class SocketHandler {
 public:
  virtual ~SocketHandler() = default;
  // CONNECT to namespace `nsp` with the handshake's auth payload ({} when none). The socket is
  // not yet connected: emits are queued until the CONNECT ack (`40{"sid"}`) has been sent.
  virtual asio::awaitable<ConnectResult> on_connect(SocketPtr socket, std::string_view nsp,
                                                    const json::value& auth) = 0;
  // After the CONNECT ack went out.
  virtual void on_connected(SocketPtr) {}
  // An EVENT. `args` excludes the event name; `ack_id` is set when the client wants an ack.
  virtual void on_event(SocketPtr socket, std::string_view event, json::array args,
                        std::optional<uint64_t> ack_id) = 0;
  // The socket is gone (client DISCONNECT, transport close, ping timeout, slow consumer...).
  virtual void on_disconnect(SocketPtr socket, std::string_view reason) = 0;
};

}  // namespace parley::sio

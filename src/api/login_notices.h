// LoginNotices: duplicate login across nodes (§3.5). A new CONNECT is announced to every node on
// the bus group "logins"; each node then tells its own sockets of that user (all but the new
// one) `duplicate_login` at once and `session_ended` after the grace period. The rule runs where
// the old sockets are, so it holds however many nodes there are, and a user with no other socket
// anywhere gets nothing.
//
// Each node listens with one internal member of "logins" (this object is that sio::Socket: the hub
// delivers the announcement frame to it like to any member), living on one event loop.
//
// The same group carries session ends (logout, account deletion): announced once, each node
// ends its own sockets of that user through the handler ChatSockets sets (session_ended, then
// the close), so a logout on any node reaches the user's sockets on every node.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.h"
#include "chat/model.h"
#include "sio/groups.h"
#include "sio/socket.h"

namespace parley::api {

namespace asio = boost::asio;
namespace json = boost::json;

class LoginNotices final : public sio::Socket {
 public:
  static constexpr const char* kGroup = "logins";

  LoginNotices(bus::Bus& bus, int64_t grace_ms) : bus_(bus), grace_ms_(grace_ms) {}

  // Joins "logins" on `loop` (call once at start; the hub is the membership registry).
  void listen(sio::Groups& groups, asio::any_io_executor loop);

  // A socket of `user_id` connected (from its loop): record it here, tell every node.
  void user_connected(const sio::SocketPtr& socket, const chat::Id& user_id,
                      const json::object& notice);
  void user_disconnected(const sio::Socket* socket, const chat::Id& user_id);

  // Every node: end the sockets of `user_id` (the handler runs on this object's loop).
  using EndHandler = std::function<void(const chat::Id& user_id, const std::string& reason,
                                        const std::string& message)>;
  void on_session_ended(EndHandler handler) { on_end_ = std::move(handler); }
  void announce_session_ended(const chat::Id& user_id, std::string_view reason,
                              std::string_view message);

  // sio::Socket: only send() matters (the hub delivers announcements).
  const std::string& id() const override { return id_; }
  asio::any_io_executor executor() const override { return loop_; }
  bool connected() const override { return true; }
  void emit(std::string_view, const json::value&) override {}
  void send(sio::Frame frame) override;
  void ack(uint64_t, const json::array&) override {}
  void join(const std::string&) override {}
  void leave(const std::string&) override {}
  bool in_group(const std::string&) const override { return false; }
  void disconnect() override {}

 private:
  void notify_local(const chat::Id& user_id, const std::string& except_socket_id,
                    const json::object& notice);

  bus::Bus& bus_;
  int64_t grace_ms_;
  std::string id_ = "login-notices";
  asio::any_io_executor loop_;
  EndHandler on_end_;
  std::mutex mutex_;
  std::unordered_map<chat::Id, std::vector<std::weak_ptr<sio::Socket>>> sockets_;  // this node's
};

}  // namespace parley::api

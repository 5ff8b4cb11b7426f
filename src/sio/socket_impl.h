// SocketImpl: a client's connection to one namespace, the sio::Socket the application sees.
// Emits before the CONNECT ack are held and sent right after it; group memberships are recorded
// in sio::Groups and removed when the socket goes away. Beyond the Socket interface it can send
// packets with binary attachments and events that expect an ack (the conformance server and
// tests use those).
//
// Threading: the socket's loop, always (Socket's contract).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sio/packet.h"
#include "sio/socket.h"

namespace parley::sio {

class Connection;
class Server;

class SocketImpl final : public Socket, public std::enable_shared_from_this<SocketImpl> {
 public:
  SocketImpl(Connection& connection, std::string nsp, std::string id);
  ~SocketImpl() override;

  // ---- sio::Socket ----
  const std::string& id() const override { return id_; }
  asio::any_io_executor executor() const override { return loop_->get_executor(); }
  bool connected() const override { return state_ == State::connected; }
  const std::string& peer_ip() const override { return peer_ip_; }
  void emit(std::string_view event, const json::value& arg) override;
  void send(Frame frame) override;
  void send_batch(const FrameBatch& batch) override;
  void ack(uint64_t id, const json::array& args) override;
  void join(const std::string& group) override;
  void leave(const std::string& group) override;
  bool in_group(const std::string& group) const override;
  void disconnect() override;

  // ---- Extensions ----
  const std::string& nsp() const { return nsp_; }
  const std::vector<std::string>& groups() const { return groups_; }
  // An event with any number of arguments and optional binary attachments (referenced from
  // `args` by placeholders, see sio::add_attachment()).
  void emit_args(std::string_view event, const json::array& args,
                 std::vector<std::string> attachments = {});
  // An ACK carrying binary attachments.
  void ack_binary(uint64_t id, const json::array& args, std::vector<std::string> attachments);
  // An event the client is asked to acknowledge; `on_ack` gets the ack's arguments and
  // attachments (never called if the socket goes away first).
  using AckCallback = std::function<void(json::array args, std::vector<std::string> attachments)>;
  void emit_with_ack(std::string_view event, const json::array& args,
                     std::vector<std::string> attachments, AckCallback on_ack);

  // ---- For Connection ----
  bool pending() const { return state_ == State::pending; }
  // The CONNECT was accepted: sends the CONNECT ack, then what was emitted meanwhile.
  void mark_connected();
  void on_event(Packet&& packet);
  void on_ack(Packet&& packet);
  // The socket is gone; `notify` tells the handler (only for sockets that were connected).
  void on_closed(std::string_view reason);
  // DISCONNECT to the client, then on_closed("server namespace disconnect").
  void server_disconnect();
  // The connection is being destroyed without a close (server shutdown): forget it silently.
  void detach();

 private:
  enum class State : std::uint8_t { pending, connected, closed };
  void send_text(std::string text);  // an encoded Socket.IO packet (no Engine.IO type)
  void send_packet(Packet&& packet);
  // An EVENT (with ack id `id` when set), as text or with binary attachments.
  void send_event(std::string_view event, const json::array& args,
                  std::vector<std::string> attachments, std::optional<uint64_t> id);
  void leave_all();

  Connection* connection_;  // null once closed
  asio::io_context* loop_;
  const std::string nsp_;
  const std::string id_;
  const std::string peer_ip_;
  std::vector<std::string> groups_;
  struct Held {
    Frame frame;  // a whole Engine.IO text packet, or the bytes of a binary message
    bool binary = false;
  };
  std::vector<Held> held_;  // emitted before the CONNECT ack
  std::vector<std::pair<uint64_t, AckCallback>> acks_;
  uint64_t next_ack_id_ = 1;
  State state_ = State::pending;
};

}  // namespace parley::sio

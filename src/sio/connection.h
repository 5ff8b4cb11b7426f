// Connection: the Socket.IO side of one Engine.IO session (the reference server's "Client").
// It decodes packets (reassembling binary ones), routes them to the namespace sockets, runs the
// CONNECT handshake through SocketHandler::on_connect, enforces the connect timeout, and closes
// the session on protocol violations.
//
// Threading: the session's loop, always.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>
#include <vector>

#include "eio/session.h"
#include "eio/timer_wheel.h"
#include "sio/packet.h"
#include "sio/socket.h"

namespace parley::sio {

class Server;
class SocketImpl;

class Connection final : public eio::SessionListener,
                         public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, eio::SessionPtr session);
  ~Connection() override;

  // Arms the connect timeout.
  void start();

  void on_message(std::string_view text) override;
  void on_binary(std::string_view bytes) override;
  void on_close(std::string_view reason) override;

  // ---- For SocketImpl ----
  eio::Session& session() { return *session_; }
  // A packet of `socket`'s namespace: text header, then its attachments as binary messages.
  void send_packet(Packet&& packet);
  // Socket::disconnect(): every namespace gets DISCONNECT, then the transport closes.
  void disconnect_all();
  Server& server() { return server_; }

 private:
  void guarded_dispatch(Packet&& packet);
  void dispatch(Packet&& packet);
  void connect(Packet&& packet);
  static boost::asio::awaitable<void> run_connect(std::shared_ptr<Connection> self,
                                                  std::shared_ptr<SocketImpl> socket,
                                                  json::value auth);
  void finish_connect(const std::shared_ptr<SocketImpl>& socket, ConnectResult result);
  SocketImpl* find(std::string_view nsp) const;
  void remove(const SocketImpl* socket);
  void fail(std::string_view reason);
  static void on_connect_timeout(void* self);

  Server& server_;
  eio::SessionPtr session_;
  BinaryAssembler assembler_;
  DecodeOptions decode_options_;
  std::vector<std::shared_ptr<SocketImpl>> sockets_;  // connected or connecting, one per nsp
  eio::TimerEntry connect_timer_{&Connection::on_connect_timeout, this};
  bool closed_ = false;
  bool ever_connected_ = false;
};

}  // namespace parley::sio

// The behaviour of the conformance servers (see conformance.h), separate from the process
// plumbing so that tests can run them in-process.
#pragma once

#include <memory>

#include "eio/server.h"
#include "sio/groups.h"
#include "sio/server.h"
#include "sio/socket.h"

namespace parley::sio {

// Engine.IO: echoes every message packet to the session it came from.
class EchoEngineHandler final : public eio::ServerHandler {
 public:
  void on_open(const eio::SessionPtr& session) override;
};

// Socket.IO: the reference test server's namespaces and events.
class ConformanceSocketHandler final : public SocketHandler, public BinaryEventHandler {
 public:
  asio::awaitable<ConnectResult> on_connect(SocketPtr socket, std::string_view nsp,
                                            const json::value& auth) override;
  void on_event(SocketPtr socket, std::string_view event, json::array args,
                std::optional<uint64_t> ack_id) override;
  void on_binary_event(SocketPtr socket, std::string_view event, json::array args,
                       std::vector<std::string> attachments,
                       std::optional<uint64_t> ack_id) override;
  void on_disconnect(SocketPtr, std::string_view) override {}

 private:
  void handle(const SocketPtr& socket, std::string_view event, json::array args,
              std::vector<std::string> attachments, std::optional<uint64_t> ack_id);
};

// Group membership nobody reads.
class NullGroups final : public Groups {
 public:
  void add(const std::string&, Socket*) override {}
  void remove(const std::string&, Socket*) override {}
};

}  // namespace parley::sio

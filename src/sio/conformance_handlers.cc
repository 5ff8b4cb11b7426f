// See conformance_handlers.h.
#include "sio/conformance_handlers.h"

#include "sio/socket_impl.h"

namespace parley::sio {

namespace {

class EchoListener final : public eio::SessionListener {
 public:
  // The session owns its listener, so a plain pointer back is always valid when called.
  explicit EchoListener(eio::Session& session) : session_(session) {}
  void on_message(std::string_view text) override { session_.send_message(text); }
  void on_binary(std::string_view bytes) override { session_.send_binary(bytes); }
  void on_close(std::string_view) override {}

 private:
  eio::Session& session_;
};

}  // namespace

void EchoEngineHandler::on_open(const eio::SessionPtr& session) {
  session->set_listener(std::make_shared<EchoListener>(*session));
}

asio::awaitable<ConnectResult> ConformanceSocketHandler::on_connect(SocketPtr socket,
                                                                    std::string_view,
                                                                    const json::value& auth) {
  socket->emit("auth", auth);  // held until the CONNECT ack is out
  co_return ConnectResult::accept();
}

void ConformanceSocketHandler::on_event(SocketPtr socket, std::string_view event, json::array args,
                                        std::optional<uint64_t> ack_id) {
  handle(socket, event, std::move(args), {}, ack_id);
}

void ConformanceSocketHandler::on_binary_event(SocketPtr socket, std::string_view event,
                                               json::array args,
                                               std::vector<std::string> attachments,
                                               std::optional<uint64_t> ack_id) {
  handle(socket, event, std::move(args), std::move(attachments), ack_id);
}

void ConformanceSocketHandler::handle(const SocketPtr& socket, std::string_view event,
                                      json::array args, std::vector<std::string> attachments,
                                      std::optional<uint64_t> ack_id) {
  auto impl = std::static_pointer_cast<SocketImpl>(socket);  // the only Socket there is
  if (impl->nsp() != "/") return;
  if (event == "message") {
    impl->emit_args("message-back", args, std::move(attachments));
  } else if (event == "message-with-ack") {
    if (ack_id) impl->ack_binary(*ack_id, args, std::move(attachments));
  } else if (event == "emit-with-ack") {
    std::weak_ptr<SocketImpl> weak = impl;
    auto on_ack = [weak](json::array ack_args, std::vector<std::string> ack_attachments) {
      if (auto s = weak.lock()) s->emit_args("emit-with-ack", ack_args, std::move(ack_attachments));
    };
    impl->emit_with_ack("emit-with-ack", args, std::move(attachments), std::move(on_ack));
  }
}

}  // namespace parley::sio

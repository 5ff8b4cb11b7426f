// See socket_impl.h.
#include "sio/socket_impl.h"

#include <algorithm>

#include "sio/connection.h"
#include "sio/server.h"

namespace parley::sio {

SocketImpl::SocketImpl(Connection& connection, std::string nsp, std::string id)
    : connection_(&connection),
      loop_(&connection.session().loop().context()),
      nsp_(std::move(nsp)),
      id_(std::move(id)),
      peer_ip_(connection.session().conn_info().peer_ip) {}

SocketImpl::~SocketImpl() = default;

void SocketImpl::send_text(std::string text) {
  if (state_ == State::connected) {
    connection_->session().send_message(text);
  } else if (state_ == State::pending) {
    text.insert(text.begin(), '4');
    held_.push_back({std::make_shared<const std::string>(std::move(text)), false});
  }
}

void SocketImpl::send_packet(Packet&& packet) {
  if (state_ == State::closed) return;
  packet.nsp = nsp_;
  if (state_ == State::connected) {
    connection_->send_packet(std::move(packet));
    return;
  }
  // Held until the CONNECT ack: encoded now, in the order it was emitted.
  for (auto& p : encode_frames(std::move(packet))) {
    if (!p.binary) p.data.insert(p.data.begin(), '4');
    held_.push_back({std::make_shared<const std::string>(std::move(p.data)), p.binary});
  }
}

void SocketImpl::emit(std::string_view event, const json::value& arg) {
  if (state_ == State::closed) return;
  send_text(encode_event(nsp_, event, arg));
}

void SocketImpl::emit_args(std::string_view event, const json::array& args,
                           std::vector<std::string> attachments) {
  if (state_ == State::closed) return;
  send_event(event, args, std::move(attachments), std::nullopt);
}

void SocketImpl::emit_with_ack(std::string_view event, const json::array& args,
                               std::vector<std::string> attachments, AckCallback on_ack) {
  if (state_ == State::closed) return;
  const uint64_t id = next_ack_id_++;
  acks_.emplace_back(id, std::move(on_ack));
  send_event(event, args, std::move(attachments), id);
}

void SocketImpl::send_event(std::string_view event, const json::array& args,
                            std::vector<std::string> attachments, std::optional<uint64_t> id) {
  if (connection_) {
    if (auto* counted = connection_->server().options().events_out) counted->add(executor(), event);
  }
  if (attachments.empty()) {
    send_text(encode_event_args(nsp_, event, args, id));
    return;
  }
  Packet p;
  p.type = PacketType::event;
  p.id = id;
  json::array payload;
  payload.reserve(args.size() + 1);
  payload.emplace_back(json::string(event));
  for (const auto& a : args)
    payload.push_back(a);
  p.payload = std::move(payload);
  p.attachments = std::move(attachments);
  send_packet(std::move(p));
}

void SocketImpl::send(Frame frame) {
  if (state_ == State::connected) {
    connection_->session().send_frame(frame);
  } else if (state_ == State::pending) {
    held_.push_back({std::move(frame), false});
  }
}

void SocketImpl::send_batch(const FrameBatch& batch) {
  if (state_ != State::connected) {
    Socket::send_batch(batch);
    return;
  }
  connection_->session().send_frames(batch.frames, &batch.framed);
}

void SocketImpl::ack(uint64_t id, const json::array& args) {
  if (state_ == State::closed) return;
  send_text(encode_ack(nsp_, id, args));
}

void SocketImpl::ack_binary(uint64_t id, const json::array& args,
                            std::vector<std::string> attachments) {
  if (state_ == State::closed) return;
  if (attachments.empty()) {
    ack(id, args);
    return;
  }
  Packet p;
  p.type = PacketType::ack;
  p.id = id;
  p.payload = args;
  p.attachments = std::move(attachments);
  send_packet(std::move(p));
}

void SocketImpl::join(const std::string& group) {
  if (state_ == State::closed || in_group(group)) return;
  groups_.push_back(group);
  connection_->server().groups().add(group, this);
}

void SocketImpl::leave(const std::string& group) {
  auto it = std::find(groups_.begin(), groups_.end(), group);
  if (it == groups_.end()) return;
  groups_.erase(it);
  if (connection_) connection_->server().groups().remove(group, this);
}

bool SocketImpl::in_group(const std::string& group) const {
  return std::find(groups_.begin(), groups_.end(), group) != groups_.end();
}

void SocketImpl::leave_all() {
  auto groups = std::move(groups_);
  groups_.clear();
  if (!connection_) return;
  for (const auto& g : groups)
    connection_->server().groups().remove(g, this);
}

void SocketImpl::disconnect() {
  if (state_ == State::closed || !connection_) return;
  connection_->disconnect_all();
}

void SocketImpl::mark_connected() {
  state_ = State::connected;
  Packet ack;
  ack.type = PacketType::connect;
  ack.nsp = nsp_;
  ack.payload = json::object{{"sid", id_}};
  connection_->send_packet(std::move(ack));
  auto held = std::move(held_);
  held_.clear();
  for (auto& h : held) {
    if (h.binary) {
      connection_->session().send_binary(*h.frame);
    } else {
      connection_->session().send_frame(h.frame);
    }
  }
}

void SocketImpl::on_event(Packet&& packet) {
  auto self = shared_from_this();
  json::array& arr = packet.payload.as_array();  // validated by the decoder: ["name", ...]
  const json::string name = std::move(arr[0].as_string());
  arr.erase(arr.begin());
  const std::string_view event(name.data(), name.size());
  Server& server = connection_->server();
  if (auto* counted = server.options().events_in) counted->add(executor(), event);
  if (is_binary(packet.type)) {
    if (auto* binary = server.binary_handler()) {
      binary->on_binary_event(self, event, std::move(arr), std::move(packet.attachments),
                              packet.id);
      return;
    }
  }
  server.handler().on_event(self, event, std::move(arr), packet.id);
}

void SocketImpl::on_ack(Packet&& packet) {
  if (!packet.id) return;
  auto it = std::find_if(acks_.begin(), acks_.end(),
                         [&](const auto& entry) { return entry.first == *packet.id; });
  if (it == acks_.end()) return;  // unknown or already acknowledged: ignored, as the reference
  AckCallback callback = std::move(it->second);
  acks_.erase(it);
  auto self = shared_from_this();
  callback(std::move(packet.payload.as_array()), std::move(packet.attachments));
}

void SocketImpl::server_disconnect() {
  if (state_ != State::connected) return;
  Packet p;
  p.type = PacketType::disconnect;
  p.nsp = nsp_;
  connection_->send_packet(std::move(p));
  on_closed("server namespace disconnect");
}

void SocketImpl::detach() {
  state_ = State::closed;
  held_.clear();
  acks_.clear();
  connection_ = nullptr;
}

void SocketImpl::on_closed(std::string_view reason) {
  if (state_ == State::closed) return;
  auto self = shared_from_this();
  const bool was_connected = state_ == State::connected;
  state_ = State::closed;
  held_.clear();
  acks_.clear();
  leave_all();
  Connection* connection = connection_;
  connection_ = nullptr;
  if (was_connected && connection) {
    connection->server().handler().on_disconnect(self, reason);
  }
}

}  // namespace parley::sio

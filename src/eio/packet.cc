// Engine.IO v4 packet codec (see packet.h for the wire forms).
#include "eio/packet.h"

#include "core/json_string.h"

#include <array>
#include <charconv>

#include "eio/base64.h"

namespace parley::eio {
namespace {

void append_uint(std::string& out, std::uint64_t v) {
  std::array<char, 20> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  (void)ec;  // 20 digits always fit a uint64
  out.append(buf.data(), end);
}

std::size_t payload_size(const Packet& p) {
  return p.binary ? 1 + base64_encoded_size(p.data.size()) : 1 + p.data.size();
}

}  // namespace

std::string_view type_name(PacketType t) {
  switch (t) {
    case PacketType::open:
      return "open";
    case PacketType::close:
      return "close";
    case PacketType::ping:
      return "ping";
    case PacketType::pong:
      return "pong";
    case PacketType::message:
      return "message";
    case PacketType::upgrade:
      return "upgrade";
    case PacketType::noop:
      return "noop";
  }
  return "unknown";
}

Result<PacketView> decode_text_view(std::string_view frame) {
  if (frame.empty()) return Error::invalid("eio: empty packet");
  const auto type = type_from_char(frame.front());
  if (!type) return Error::invalid("eio: unknown packet type");
  return PacketView{*type, frame.substr(1)};
}

Result<Packet> decode_text(std::string_view frame) {
  auto view = decode_text_view(frame);
  if (!view) return view.error();
  return Packet{view->type, std::string(view->data), false};
}

Packet decode_binary(std::string_view frame) {
  return Packet::bytes(std::string(frame));
}

void encode_ws_to(const Packet& packet, std::string& out) {
  if (packet.binary) {
    out.append(packet.data);
    return;
  }
  out.reserve(out.size() + 1 + packet.data.size());
  out.push_back(type_char(packet.type));
  out.append(packet.data);
}

std::string encode_ws(const Packet& packet) {
  std::string out;
  encode_ws_to(packet, out);
  return out;
}

std::string encode_payload(std::span<const Packet> packets) {
  // Size exactly once: polling responses batch many packets and reallocation shows up in profiles.
  std::size_t total = packets.empty() ? 0 : packets.size() - 1;
  for (const auto& p : packets)
    total += payload_size(p);
  std::string out;
  out.reserve(total);
  bool first = true;
  for (const auto& p : packets) {
    if (!first) out.push_back(kRecordSeparator);
    first = false;
    if (p.binary) {
      out.push_back('b');
      base64_encode_to(p.data, out);
    } else {
      out.push_back(type_char(p.type));
      out.append(p.data);
    }
  }
  return out;
}

Result<std::vector<Packet>> decode_payload(std::string_view body) {
  if (body.empty()) return Error::invalid("eio: empty payload");
  std::vector<Packet> packets;
  std::size_t pos = 0;
  while (true) {
    const std::size_t sep = body.find(kRecordSeparator, pos);
    const std::string_view seg =
        body.substr(pos, sep == std::string_view::npos ? std::string_view::npos : sep - pos);
    if (seg.empty()) return Error::invalid("eio: empty packet in payload");
    if (seg.front() == 'b') {
      Packet p = Packet::bytes({});
      if (auto r = base64_decode_to(seg.substr(1), p.data); !r) return r.error();
      packets.push_back(std::move(p));
    } else {
      auto p = decode_text(seg);
      if (!p) return p.error();
      packets.push_back(std::move(p).value());
    }
    if (sep == std::string_view::npos) break;
    pos = sep + 1;
  }
  return packets;
}

std::string open_json(const OpenParams& params) {
  std::string out;
  out.reserve(96 + params.sid.size());
  out += "{\"sid\":";
  append_json_string(out, params.sid);
  out += ",\"upgrades\":[";
  for (std::size_t i = 0; i < params.upgrades.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, params.upgrades[i]);
  }
  out += "],\"pingInterval\":";
  append_uint(out, params.ping_interval_ms);
  out += ",\"pingTimeout\":";
  append_uint(out, params.ping_timeout_ms);
  out += ",\"maxPayload\":";
  append_uint(out, params.max_payload);
  out.push_back('}');
  return out;
}

Packet open_packet(const OpenParams& params) {
  return Packet::text(PacketType::open, open_json(params));
}

}  // namespace parley::eio

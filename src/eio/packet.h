// Engine.IO protocol v4 packet codec: pure functions, no I/O.
//
// Wire forms handled here:
//  - WebSocket text frame:   "<type digit><data>"            e.g. "4hello", "2", "3probe"
//  - WebSocket binary frame: raw bytes, always a message packet (no type prefix)
//  - HTTP long-polling body: packets joined by '\x1e'; binary packets as "b<base64>"
// Malformed input yields an Error (Kind::invalid); nothing here throws on bad input.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace parley::eio {

enum class PacketType : std::uint8_t {
  open = 0,
  close = 1,
  ping = 2,
  pong = 3,
  message = 4,
  upgrade = 5,
  noop = 6,
};

// Separates packets in a long-polling payload (ASCII record separator).
inline constexpr char kRecordSeparator = '\x1e';

struct Packet {
  PacketType type = PacketType::message;
  std::string data;
  // Only message packets can be binary; the flag picks the frame type (WS) or "b" prefix (polling).
  bool binary = false;

  static Packet text(PacketType t, std::string d = {}) { return {t, std::move(d), false}; }
  static Packet bytes(std::string d) { return {PacketType::message, std::move(d), true}; }
  bool operator==(const Packet&) const = default;
};

// A decoded text packet that borrows from the input, for callers that hand `data` straight to the
// next layer (Socket.IO decode) and want to skip the copy into Packet::data.
struct PacketView {
  PacketType type = PacketType::message;
  std::string_view data;
};

constexpr char type_char(PacketType t) {
  return static_cast<char>('0' + static_cast<int>(t));
}
constexpr std::optional<PacketType> type_from_char(char c) {
  if (c < '0' || c > '6') return std::nullopt;
  return static_cast<PacketType>(c - '0');
}
std::string_view type_name(PacketType t);

// --- WebSocket ---------------------------------------------------------------------------------

// Decodes a text frame (or one polling segment that is not "b..."). Empty input and unknown type
// characters are errors.
Result<PacketView> decode_text_view(std::string_view frame);
Result<Packet> decode_text(std::string_view frame);
// A binary frame is always a complete binary message packet; it cannot be malformed.
Packet decode_binary(std::string_view frame);

// Frame payload for WebSocket: "<type><data>" for text packets, the raw bytes for binary ones
// (send those as a binary frame; `packet.binary` tells which frame type to use).
std::string encode_ws(const Packet& packet);
void encode_ws_to(const Packet& packet, std::string& out);

// --- HTTP long-polling -------------------------------------------------------------------------

// Body of a polling GET response: packets joined by '\x1e', binary ones as "b<base64>".
std::string encode_payload(std::span<const Packet> packets);
// Body of a polling POST. Rejects an empty body, empty segments (leading/trailing/doubled
// separators), unknown types and bad base64; the whole payload fails if any segment does.
Result<std::vector<Packet>> decode_payload(std::string_view body);

// --- Handshake ---------------------------------------------------------------------------------

struct OpenParams {
  std::string sid;
  std::vector<std::string> upgrades;  // {"websocket"} on polling, {} once on WebSocket
  std::uint64_t ping_interval_ms = 25000;
  std::uint64_t ping_timeout_ms = 20000;
  std::uint64_t max_payload = 1000000;
};

// {"sid":"…","upgrades":[…],"pingInterval":N,"pingTimeout":N,"maxPayload":N}
std::string open_json(const OpenParams& params);
// The open packet carrying open_json(params).
Packet open_packet(const OpenParams& params);

}  // namespace parley::eio

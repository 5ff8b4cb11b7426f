// WebSocket framing shared by both directions and both roles (RFC 6455 §5): opcodes, the close
// codes Parley sends or fails with, and the frame header writer. Reading frames is
// ws_frame_reader.h; the server writes through ws_transport.cc, parley-load through
// load/sio_client.cc.
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::eio {

inline constexpr std::uint8_t kOpContinuation = 0x0;
inline constexpr std::uint8_t kOpText = 0x1;
inline constexpr std::uint8_t kOpBinary = 0x2;
inline constexpr std::uint8_t kOpClose = 0x8;
inline constexpr std::uint8_t kOpPing = 0x9;
inline constexpr std::uint8_t kOpPong = 0xa;

// Close codes (RFC 6455 §7.4.1).
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseProtocolError = 1002;
inline constexpr std::uint16_t kCloseNoStatus = 1005;  // a close frame without a code
inline constexpr std::uint16_t kCloseBadPayload = 1007;
inline constexpr std::uint16_t kCloseTooBig = 1009;

// FIN, `opcode`, the mask bit when `masked` (a client's frame: the caller appends the 4-byte key
// and masks the payload), and a 7-, 16- or 64-bit length. Returns the header within `out`.
std::string_view frame_header(std::uint8_t opcode, std::uint64_t len, bool masked, char (&out)[10]);

// A close frame's payload: the code big-endian in `out`, or nothing for 0 / kCloseNoStatus.
std::string_view close_payload(std::uint16_t code, char (&out)[2]);

}  // namespace parley::eio

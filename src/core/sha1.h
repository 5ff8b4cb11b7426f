// SHA-1: Sec-WebSocket-Accept (RFC 6455 §4.2.2) and Redis script ids (EVALSHA). Not for
// anything that needs a secure hash.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace parley {

std::array<std::uint8_t, 20> sha1(std::string_view data);

}  // namespace parley

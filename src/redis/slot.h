// Key -> hash slot, as the Redis Cluster spec defines it: CRC16-XMODEM of the key (or of its
// {hash tag}) modulo 16384.
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::redis {

inline constexpr int kSlotCount = 16384;

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection, no final xor.
uint16_t crc16(std::string_view data);

// The part of a key that is hashed: the text between the first '{' and the first '}' after
// it when that text is non-empty, else the whole key.
std::string_view hash_tag(std::string_view key);

// 0..16383.
int key_slot(std::string_view key);

}  // namespace parley::redis

// Base64 (RFC 4648 standard alphabet, with '=' padding) for Engine.IO long-polling, where a binary
// packet travels inside a text payload as "b<base64>". The decoder is strict (canonical input only)
// so that a payload we accept re-encodes to exactly the bytes we received.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace parley::eio {

// Length of the encoding of `n` bytes.
constexpr std::size_t base64_encoded_size(std::size_t n) {
  return (n + 2) / 3 * 4;
}

// Appends the encoding of `bytes` to `out`; lets callers build a payload in one buffer.
void base64_encode_to(std::string_view bytes, std::string& out);
std::string base64_encode(std::string_view bytes);

// Rejects a length that is not a multiple of 4, characters outside the alphabet, misplaced or
// excess padding, and non-zero bits in the last character before the padding.
Result<std::string> base64_decode(std::string_view text);
// Appends the decoded bytes to `out`; on error `out` keeps its original contents.
Result<void> base64_decode_to(std::string_view text, std::string& out);

}  // namespace parley::eio

// Table-driven base64 codec used by the Engine.IO polling payload codec.
#include "eio/base64.h"

#include <array>
#include <cstdint>

namespace parley::eio {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xff;

// One lookup per input character keeps the decode loop branch-light; 0xff marks non-alphabet
// bytes, including '=' which is handled separately at the tail.
constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t)
    v = kInvalid;
  for (std::uint8_t i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(kAlphabet[i])] = i;
  return t;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

void base64_encode_to(std::string_view bytes, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + base64_encoded_size(bytes.size()));
  char* dst = out.data() + start;
  const auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = (std::uint32_t{src[i]} << 16) | (std::uint32_t{src[i + 1]} << 8) |
                            std::uint32_t{src[i + 2]};
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = kAlphabet[v & 63];
  }
  const std::size_t rest = n - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{src[i]} << 16;
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = '=';
    *dst++ = '=';
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{src[i]} << 16) | (std::uint32_t{src[i + 1]} << 8);
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = '=';
  }
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  base64_encode_to(bytes, out);
  return out;
}

Result<void> base64_decode_to(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return Error::invalid("base64: length is not a multiple of 4");
  if (text.empty()) return {};
  std::size_t pad = 0;
  if (text.back() == '=') pad = text[text.size() - 2] == '=' ? 2 : 1;

  const std::size_t start = out.size();
  const std::size_t full_quads = text.size() / 4 - (pad ? 1 : 0);
  out.resize(start + text.size() / 4 * 3 - pad);
  char* dst = out.data() + start;
  const auto* src = reinterpret_cast<const unsigned char*>(text.data());

  for (std::size_t q = 0; q < full_quads; ++q, src += 4) {
    const std::uint32_t a = kDecode[src[0]], b = kDecode[src[1]], c = kDecode[src[2]],
                        d = kDecode[src[3]];
    // Valid sextets are < 64, so OR-ing the lookups tests all four for 0xff with one branch.
    if (((a | b | c | d) & 0x80) != 0) {
      out.resize(start);
      return Error::invalid("base64: invalid character");
    }
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
    *dst++ = static_cast<char>(v >> 16);
    *dst++ = static_cast<char>((v >> 8) & 0xff);
    *dst++ = static_cast<char>(v & 0xff);
  }
  if (pad) {
    const std::uint32_t a = kDecode[src[0]], b = kDecode[src[1]];
    const std::uint32_t c = pad == 1 ? kDecode[src[2]] : 0;
    const bool bad_chars = ((a | b | c) & 0x80) != 0;
    // Canonical encoders leave the bits below the last significant character zero.
    const bool stray_bits = pad == 2 ? (b & 0x0f) != 0 : (c & 0x03) != 0;
    if (bad_chars || stray_bits) {
      out.resize(start);
      return Error::invalid(bad_chars ? "base64: invalid character" : "base64: non-canonical");
    }
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6);
    *dst++ = static_cast<char>(v >> 16);
    if (pad == 1) *dst++ = static_cast<char>((v >> 8) & 0xff);
  }
  return {};
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  if (auto r = base64_decode_to(text, out); !r) return r.error();
  return out;
}

}  // namespace parley::eio

// Object ids and session ids from libsodium's CSPRNG.
#include "chat/ids.h"

#include <sodium.h>

#include <array>
#include <atomic>
#include <chrono>

namespace parley::chat {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void ensure_sodium() {
  // sodium_init() is idempotent and thread-safe; the static just skips the call after the first.
  static const bool ok = sodium_init() >= 0;
  (void)ok;
}

void append_hex(std::string& out, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 0x0f]);
  }
}

// Per-thread random part: threads never share it, so no synchronisation is needed, and two
// processes (or two threads) collide only if 40 random bits do.
const std::array<unsigned char, 5>& thread_random() {
  thread_local const std::array<unsigned char, 5> bytes = [] {
    ensure_sodium();
    std::array<unsigned char, 5> b{};
    randombytes_buf(b.data(), b.size());
    return b;
  }();
  return bytes;
}

// One lock-free counter for the whole process: it makes ids unique within a second even when
// two threads happened to draw the same random bytes. Starts at a random value, as Mongo does.
std::atomic<uint32_t>& counter() {
  static std::atomic<uint32_t> c{[] {
    ensure_sodium();
    return randombytes_random();
  }()};
  return c;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Id new_object_id(uint32_t epoch_seconds) {
  std::array<unsigned char, 12> raw{};
  raw[0] = static_cast<unsigned char>(epoch_seconds >> 24);
  raw[1] = static_cast<unsigned char>(epoch_seconds >> 16);
  raw[2] = static_cast<unsigned char>(epoch_seconds >> 8);
  raw[3] = static_cast<unsigned char>(epoch_seconds);
  const auto& rnd = thread_random();
  for (size_t i = 0; i < rnd.size(); ++i)
    raw[4 + i] = rnd[i];
  const uint32_t n = counter().fetch_add(1, std::memory_order_relaxed);
  raw[9] = static_cast<unsigned char>(n >> 16);
  raw[10] = static_cast<unsigned char>(n >> 8);
  raw[11] = static_cast<unsigned char>(n);
  Id out;
  out.reserve(24);
  append_hex(out, raw.data(), raw.size());
  return out;
}

Id new_object_id() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return new_object_id(
      static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count()));
}

bool is_object_id(std::string_view s) {
  if (s.size() != 24) return false;
  for (char c : s) {
    if (hex_value(c) < 0) return false;
  }
  return true;
}

uint32_t object_id_seconds(std::string_view id) {
  if (!is_object_id(id)) return 0;
  uint32_t v = 0;
  for (size_t i = 0; i < 8; ++i)
    v = (v << 4) | static_cast<uint32_t>(hex_value(id[i]));
  return v;
}

std::string new_session_id() {
  ensure_sodium();
  std::array<unsigned char, 16> b{};
  randombytes_buf(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(32);
  append_hex(out, b.data(), b.size());
  return out;
}

std::string random_hex(size_t bytes) {
  ensure_sodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out;
  out.reserve(bytes * 2);
  append_hex(out, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  return out;
}

}  // namespace parley::chat

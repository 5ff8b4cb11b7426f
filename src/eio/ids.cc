// See ids.h. Randomness comes from getrandom() in 4 KiB batches per thread, so an id costs no
// system call in the common case.
#include "eio/ids.h"

#include <sys/random.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace parley::eio {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct RandomPool {
  std::array<std::uint8_t, 4096> bytes{};
  std::size_t used = bytes.size();

  std::uint8_t next() {
    if (used == bytes.size()) {
      std::size_t filled = 0;
      while (filled < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (n > 0) filled += static_cast<std::size_t>(n);  // EINTR: try again
      }
      used = 0;
    }
    return bytes[used++];
  }
};

}  // namespace

std::string random_id() {
  thread_local RandomPool pool;
  std::string id(20, '\0');
  for (char& c : id)
    c = kAlphabet[pool.next() & 63];  // 6 random bits per character
  return id;
}

}  // namespace parley::eio

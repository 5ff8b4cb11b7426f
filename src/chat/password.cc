// argon2id through libsodium's crypto_pwhash_str_alg, offloaded to the hasher's own pool.
#include "chat/password.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "core/offload.h"
#include "core/thread_name.h"

namespace parley::chat {

namespace {

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    // < 0 only when the OS offers no randomness at all; hashing would then fail loudly.
    [[maybe_unused]] const int rc = sodium_init();
  });
}

// The pwhash functions take NUL-terminated hash strings; a string_view may not be one.
bool to_hash_buffer(std::string_view hash, char (&buf)[crypto_pwhash_STRBYTES]) {
  if (hash.size() >= sizeof buf) return false;
  std::copy(hash.begin(), hash.end(), buf);
  buf[hash.size()] = '\0';
  return true;
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordHasherOptions options)
    : opslimit_(std::max(options.opslimit, PasswordHasherOptions::kMinOpsLimit)),
      memlimit_(std::max(options.memlimit, PasswordHasherOptions::kMinMemLimit)),
      pool_(std::max(options.threads, 1u)) {
  ensure_sodium();
  name_pool_threads(pool_, std::max(options.threads, 1u), "hash");
}

PasswordHasher::~PasswordHasher() {
  pool_.join();
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), opslimit_, memlimit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::internal("argon2id hashing failed (out of memory)");
  }
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view password, std::string_view hash) const {
  char buf[crypto_pwhash_STRBYTES];
  if (!to_hash_buffer(hash, buf)) return false;
  return crypto_pwhash_str_verify(buf, password.data(), password.size()) == 0;
}

bool PasswordHasher::needs_rehash(std::string_view hash) const {
  char buf[crypto_pwhash_STRBYTES];
  if (!to_hash_buffer(hash, buf)) return true;
  return crypto_pwhash_str_needs_rehash(buf, opslimit_, memlimit_) != 0;
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

// The jobs are named locals, not lambda temporaries inside the co_await: GCC 12 miscompiles the
// latter (an init-captured SSO std::string is copied bitwise and later freed as heap memory).
boost::asio::awaitable<Result<std::string>> PasswordHasher::hash_async(std::string password) {
  stats_.submitted.add();
  auto job = [this, pw = std::move(password), t0 = std::chrono::steady_clock::now()]() mutable {
    stats_.started.add();
    Result<std::string> r = hash(pw);
    sodium_memzero(pw.data(), pw.size());
    stats_.duration.observe(seconds_since(t0));
    return r;
  };
  co_return co_await parley::offload(pool_, std::move(job));
}

boost::asio::awaitable<bool> PasswordHasher::verify_async(std::string password, std::string hash) {
  stats_.submitted.add();
  auto job = [this, pw = std::move(password), h = std::move(hash),
              t0 = std::chrono::steady_clock::now()]() mutable {
    stats_.started.add();
    const bool ok = verify(pw, h);
    sodium_memzero(pw.data(), pw.size());
    stats_.duration.observe(seconds_since(t0));
    return ok;
  };
  co_return co_await parley::offload(pool_, std::move(job));
}

}  // namespace parley::chat

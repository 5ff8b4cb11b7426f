// RESP2 encoding and decoding with hiredis (the only part of hiredis Parley uses): commands are
// framed with redisFormatCommandArgv, replies parsed by redisReader straight into redis::Reply.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "redis/reply.h"

struct redisReader;

namespace parley::redis {

// One command as a RESP array of bulk strings, appended to `out`.
void encode_command(const std::vector<std::string>& argv, std::string& out);
std::string encode_command(const std::vector<std::string>& argv);

// Limits a peer cannot push past (a garbage length must not become a huge allocation).
struct DecoderLimits {
  size_t max_buffered = 512u << 20;  // bytes of one reply not yet complete
  int max_elements = 1 << 24;        // elements of one array
};

// Incremental reply parser: feed bytes as they arrive, take complete replies out. After a
// protocol error every call fails (the stream cannot be resynchronised); make a new Decoder.
class Decoder {
 public:
  explicit Decoder(DecoderLimits limits = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Error::invalid("protocol error: …") once the input is not RESP2.
  Result<void> feed(std::string_view bytes);
  // The next complete reply; nullopt when more bytes are needed.
  Result<std::optional<Reply>> next();
  bool failed() const { return !error_.empty(); }

 private:
  DecoderLimits limits_;
  redisReader* reader_ = nullptr;
  std::string error_;
};

// Every complete reply in `bytes` (a trailing incomplete one is left out), or the protocol
// error. For fuzzers and tests.
Result<std::vector<Reply>> decode_all(std::string_view bytes, DecoderLimits limits = {});

}  // namespace parley::redis

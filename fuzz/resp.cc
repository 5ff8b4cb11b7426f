// Fuzz target: the RESP2 reply decoder (src/redis/codec.h), which reads whatever a Redis node
// (or anything pretending to be one) sends. Input: byte 0 picks small limits (so the caps are
// reached), byte 1 how the stream is split into reads; the rest is the stream. Invariants: the
// replies and the error do not depend on how the stream was split; no array is longer than the
// element cap; after an error the decoder stays failed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "redis/codec.h"

using namespace parley;

namespace {

bool same(const redis::Reply& a, const redis::Reply& b) {
  if (a.type != b.type || a.integer != b.integer || a.str != b.str ||
      a.elements.size() != b.elements.size())
    return false;
  for (std::size_t i = 0; i < a.elements.size(); ++i)
    if (!same(a.elements[i], b.elements[i])) return false;
  return true;
}

void check_caps(const redis::Reply& r, int max_elements) {
  FUZZ_CHECK(r.elements.size() <= static_cast<std::size_t>(max_elements));
  for (const auto& e : r.elements)
    check_caps(e, max_elements);
}

struct Outcome {
  std::vector<redis::Reply> replies;
  bool failed = false;
};

Outcome run(redis::DecoderLimits limits, const std::vector<std::string_view>& pieces) {
  redis::Decoder decoder(limits);
  Outcome out;
  for (auto piece : pieces) {
    if (!decoder.feed(piece)) {
      out.failed = true;
      break;
    }
    for (;;) {
      auto next = decoder.next();
      if (!next) {
        out.failed = true;
        break;
      }
      if (!next.value()) break;
      check_caps(*next.value(), limits.max_elements);
      out.replies.push_back(std::move(*next.value()));
    }
    if (out.failed) break;
  }
  if (out.failed) FUZZ_CHECK(decoder.failed());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  redis::DecoderLimits limits;
  limits.max_buffered = 64 + std::size_t{data[0]} * 64;
  limits.max_elements = 1 + (data[0] & 0x1f);
  const std::string_view stream = fuzz::as_view(data + 2, size - 2);
  const Outcome whole = run(limits, {stream});
  const Outcome pieces = run(limits, fuzz::split(stream, data[1]));
  // A split stream may fail later than a whole one (the buffered-bytes cap sees less at once),
  // but the replies decoded before the failure agree, and a clean whole stream is clean split.
  const std::size_t n = std::min(whole.replies.size(), pieces.replies.size());
  for (std::size_t i = 0; i < n; ++i)
    FUZZ_CHECK(same(whole.replies[i], pieces.replies[i]));
  if (!whole.failed) {
    FUZZ_CHECK(!pieces.failed || pieces.replies.size() <= whole.replies.size());
  }
  return 0;
}

// Fuzz target: the server-sent-events parser (src/ai/sse.h). Input: byte 0 picks the event size
// cap (small, so the limit is reached), byte 1 how the stream is split into reads; the rest is the
// stream. Invariants: the events and the final status do not depend on how the stream was split
// (network reads split it anywhere); no event exceeds the cap; an event "stop" stops the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ai/sse.h"
#include "fuzz_util.h"

using namespace parley;

namespace {

struct Outcome {
  std::vector<std::string> events;
  ai::SseParser::Status status = ai::SseParser::Status::more;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::size_t cap, const std::vector<std::string_view>& pieces) {
  ai::SseParser parser(cap);
  Outcome out;
  const ai::SseParser::OnData on_data = [&](std::string_view data) {
    FUZZ_CHECK(data.size() <= cap);
    out.events.emplace_back(data);
    return data != "stop";
  };
  for (auto piece : pieces) {
    out.status = parser.feed(piece, on_data);
    if (out.status != ai::SseParser::Status::more) break;
  }
  if (out.status == ai::SseParser::Status::stopped)
    FUZZ_CHECK(!out.events.empty() && out.events.back() == "stop");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t cap = 1 + std::size_t{data[0]};
  const std::string_view stream = fuzz::as_view(data + 2, size - 2);
  const Outcome whole = run(cap, {stream});
  const Outcome pieces = run(cap, fuzz::split(stream, data[1]));
  FUZZ_CHECK(whole == pieces);
  return 0;
}

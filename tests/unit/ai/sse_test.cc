// Tests for ai/sse: event-stream decoding across arbitrary splits, line endings, comments,
// multi-line data, stopping, and the size cap.
#include "ai/sse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace parley::ai {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Collected {
  std::vector<std::string> events;
  SseParser::Status last = SseParser::Status::more;
};

// Feeds `chunks` one after another and collects every event's data.
Collected run(const std::vector<std::string>& chunks, size_t max = 1 << 20) {
  SseParser parser(max);
  Collected out;
  auto on_data = [&](std::string_view d) {
    out.events.emplace_back(d);
    return true;
  };
  for (const auto& c : chunks) {
    out.last = parser.feed(c, on_data);
    if (out.last != SseParser::Status::more) break;
  }
  return out;
}

std::vector<std::string> events_of(const std::string& stream) {
  return run({stream}).events;
}

// A realistic chat-completions stream: keep-alive comments, a role-only chunk, CRLF and LF
// lines, an `event:` field, a multi-line data event, [DONE].
const std::string kStream =
    ": keep-alive\n\n"
    "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"안녕\"}}]}\r\n\r\n"
    ": ping\r\n"
    "event: message\n"
    "id: 7\n"
    "data: first line\n"
    "data:second line\n"
    "\n"
    "data: [DONE]\n\n";

const std::vector<std::string> kExpected = {
    "{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}",
    "{\"choices\":[{\"delta\":{\"content\":\"안녕\"}}]}",
    "first line\nsecond line",
    "[DONE]",
};

TEST(Sse, WholeStream) {
  EXPECT_EQ(events_of(kStream), kExpected);
}

TEST(Sse, SplitAtEveryByteBoundary) {
  for (size_t i = 0; i <= kStream.size(); ++i) {
    auto got = run({kStream.substr(0, i), kStream.substr(i)});
    EXPECT_EQ(got.events, kExpected) << "split at " << i;
  }
  for (size_t i = 0; i <= kStream.size(); ++i) {
    for (size_t j = i; j <= kStream.size(); j += 7) {
      auto got = run({kStream.substr(0, i), kStream.substr(i, j - i), kStream.substr(j)});
      EXPECT_EQ(got.events, kExpected) << "split at " << i << " and " << j;
    }
  }
}

TEST(Sse, ByteByByte) {
  std::vector<std::string> bytes;
  for (char c : kStream)
    bytes.emplace_back(1, c);
  EXPECT_EQ(run(bytes).events, kExpected);
}

TEST(Sse, LineEndings) {
  EXPECT_THAT(events_of("data: a\n\n"), ElementsAre("a"));
  EXPECT_THAT(events_of("data: a\r\n\r\n"), ElementsAre("a"));
  EXPECT_THAT(events_of("data: a\r\rdata: b\r\r"), ElementsAre("a", "b"));
  EXPECT_THAT(events_of("data: a\r\n\ndata: b\n\r\n"), ElementsAre("a", "b"));
  // CR then LF in separate chunks is one line end, not two (which would end the event early).
  EXPECT_THAT(run({"data: a\r", "\ndata: b\r", "\n\r", "\n"}).events, ElementsAre("a\nb"));
}

TEST(Sse, CommentsAndKeepAlivesAreSkipped) {
  EXPECT_THAT(events_of(": keep-alive\n\n:\n\n: x\r\n\r\n"), IsEmpty());
  EXPECT_THAT(events_of(": c\ndata: a\n: c\n\n"), ElementsAre("a"));
}

TEST(Sse, FieldRules) {
  EXPECT_THAT(events_of("data:a\n\n"), ElementsAre("a"));     // no space
  EXPECT_THAT(events_of("data:  a\n\n"), ElementsAre(" a"));  // only one space removed
  EXPECT_THAT(events_of("data\n\n"), ElementsAre(""));        // no colon: empty value
  EXPECT_THAT(events_of("data: \n\n"), ElementsAre(""));
  EXPECT_THAT(events_of("data: a:b\n\n"), ElementsAre("a:b"));         // later colons are data
  EXPECT_THAT(events_of("event: x\nid: 1\nretry: 5\n\n"), IsEmpty());  // no data: no event
  EXPECT_THAT(events_of("datum: a\nDATA: b\n\n"), IsEmpty());          // names are exact
  EXPECT_THAT(events_of("\n\n\ndata: a\n\n\n"), ElementsAre("a"));     // blank lines are harmless
}

TEST(Sse, PartialEventAtEndIsNotDispatched) {
  EXPECT_THAT(events_of("data: a\n\ndata: b\n"), ElementsAre("a"));
  EXPECT_THAT(events_of("data: a\n\ndata: b"), ElementsAre("a"));
}

TEST(Sse, ByteOrderMarkAtStartIsIgnored) {
  EXPECT_THAT(events_of("\xEF\xBB\xBF"
                        "data: a\n\n"),
              ElementsAre("a"));
  EXPECT_THAT(run({"\xEF", "\xBB",
                   "\xBF"
                   "data: a\n\n"})
                  .events,
              ElementsAre("a"));
  EXPECT_THAT(run({"\xEF"}).events, IsEmpty());
}

TEST(Sse, CallbackCanStop) {
  SseParser parser;
  std::vector<std::string> seen;
  auto stop_at_first = [&](std::string_view d) {
    seen.emplace_back(d);
    return false;
  };
  EXPECT_EQ(parser.feed("data: a\n\ndata: b\n\n", stop_at_first), SseParser::Status::stopped);
  EXPECT_THAT(seen, ElementsAre("a"));
}

TEST(Sse, SizeCap) {
  // A line that never ends.
  auto got = run({"data: " + std::string(100, 'x'), std::string(100, 'y')}, 150);
  EXPECT_EQ(got.last, SseParser::Status::too_large);
  EXPECT_THAT(got.events, IsEmpty());
  // Many data lines in one event.
  std::string many;
  for (int i = 0; i < 20; ++i)
    many += "data: " + std::string(10, 'z') + "\n";
  EXPECT_EQ(run({many}, 100).last, SseParser::Status::too_large);
  // Events below the cap pass, however many there are.
  std::string small;
  for (int i = 0; i < 50; ++i)
    small += "data: " + std::string(50, 'q') + "\n\n";
  auto ok = run({small}, 100);
  EXPECT_EQ(ok.last, SseParser::Status::more);
  EXPECT_EQ(ok.events.size(), 50u);
}

// Found by fuzz/sse.cc (input: cap 9, the line below): a long line of an ignored field passed
// when it arrived in one read but was too_large when split, because only the unterminated part
// of a line was measured. The cap now holds for whole lines too, however they arrive.
TEST(Sse, LongIgnoredLineIsTooLargeHoweverItArrives) {
  const std::string line = "dat: 0123456789ab\x94`ef\n\n";
  EXPECT_EQ(run({line}, 9).last, SseParser::Status::too_large);
  EXPECT_EQ(run({line.substr(0, 5), line.substr(5)}, 9).last, SseParser::Status::too_large);
  // Below the cap, the line is skipped either way.
  EXPECT_EQ(run({line}, 64).last, SseParser::Status::more);
  EXPECT_EQ(run({line.substr(0, 5), line.substr(5)}, 64).last, SseParser::Status::more);
}

}  // namespace
}  // namespace parley::ai

// Tests for ai/chat_completions: the streaming request body and the meaning of each data line.
#include "ai/chat_completions.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace parley::ai {
namespace {

namespace json = boost::json;

TEST(ChatCompletions, RequestBody) {
  Request r;
  r.system_prompt = "당신은 도우미입니다.";
  r.temperature = 0.3;
  r.turns = {{"user", "앨리스: 안녕"}, {"assistant", "안녕하세요"}, {"user", "앨리스: 질문"}};
  json::value v = json::parse(completion_request_body("my-model", r));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("model").as_string(), "my-model");
  EXPECT_DOUBLE_EQ(o.at("temperature").to_number<double>(), 0.3);
  EXPECT_EQ(o.at("stream").as_bool(), true);
  const auto& m = o.at("messages").as_array();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].at("role").as_string(), "system");
  EXPECT_EQ(m[0].at("content").as_string(), "당신은 도우미입니다.");
  EXPECT_EQ(m[1].at("role").as_string(), "user");
  EXPECT_EQ(m[1].at("content").as_string(), "앨리스: 안녕");
  EXPECT_EQ(m[2].at("role").as_string(), "assistant");
  EXPECT_EQ(m[3].at("content").as_string(), "앨리스: 질문");
}

TEST(ChatCompletions, Done) {
  auto e = parse_stream_data("[DONE]");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->done);
  EXPECT_EQ(e->delta, "");
}

TEST(ChatCompletions, Delta) {
  auto e =
      parse_stream_data(R"({"id":"x","choices":[{"index":0,"delta":{"content":"안녕 ```"}}]})");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->done);
  EXPECT_EQ(e->delta, "안녕 ```");
}

TEST(ChatCompletions, ChunksWithoutContent) {
  for (const char* data : {
           R"({"choices":[{"delta":{"role":"assistant"}}]})",
           R"({"choices":[{"delta":{"content":null},"finish_reason":"stop"}]})",
           R"({"choices":[{"delta":{}}]})",
           R"({"choices":[{"finish_reason":"stop"}]})",
           R"({"choices":[]})",
           R"({"usage":{"total_tokens":3}})",
       }) {
    auto e = parse_stream_data(data);
    ASSERT_TRUE(e) << data;
    EXPECT_FALSE(e->done) << data;
    EXPECT_EQ(e->delta, "") << data;
  }
}

TEST(ChatCompletions, Malformed) {
  for (const char* data : {
           "{not json",
           "",
           "[DONE",
           "[1,2]",
           "\"text\"",
           R"({"choices":{}})",
           R"({"choices":[1]})",
           R"({"choices":[{"delta":"x"}]})",
           R"({"choices":[{"delta":{"content":5}}]})",
       }) {
    auto e = parse_stream_data(data);
    ASSERT_FALSE(e) << data;
    EXPECT_EQ(e.error().kind, Error::Kind::invalid) << data;
  }
}

TEST(ChatCompletions, ErrorEvent) {
  auto e = parse_stream_data(R"({"error":{"message":"overloaded","type":"server_error"}})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, Error::Kind::unavailable);
  EXPECT_NE(e.error().detail.find("overloaded"), std::string::npos);
}

}  // namespace
}  // namespace parley::ai

// net/request_parse: the listener's verdicts on a request's bytes (ok, close, 400, 413, 431),
// pipelined requests, and the inputs fuzz/http_request.cc found.
#include "net/request_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::net {
namespace {

HttpLimits small_limits() {
  HttpLimits l;
  l.max_header_bytes = 256;
  l.max_body_bytes = 16;
  return l;
}

ParsedRequest parse(std::string_view bytes) {
  return parse_request(bytes, small_limits(), nullptr);
}

TEST(RequestParse, CompleteRequestAndPipelinedNext) {
  const std::string first = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
  const std::string second = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  auto p = parse(first + second);
  ASSERT_EQ(p.verdict, ReadVerdict::ok);
  EXPECT_EQ(p.request->target(), "/a");
  EXPECT_EQ(p.request->body(), "hi");
  EXPECT_EQ(p.consumed, first.size());
  auto q = parse(std::string_view(first + second).substr(p.consumed));
  ASSERT_EQ(q.verdict, ReadVerdict::ok);
  EXPECT_EQ(q.request->target(), "/b");
}

TEST(RequestParse, ChunkedBody) {
  auto p = parse("PUT /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_EQ(p.verdict, ReadVerdict::ok);
  EXPECT_EQ(p.request->body(), "abc");
}

TEST(RequestParse, Verdicts) {
  EXPECT_EQ(parse("").verdict, ReadVerdict::close);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost:").verdict, ReadVerdict::bad_request);  // cut in the head
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab").verdict, ReadVerdict::close);
  EXPECT_EQ(parse("GET / HTTP/9\r\n\r\n").verdict, ReadVerdict::bad_request);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n").verdict,
            ReadVerdict::header_large);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n").verdict, ReadVerdict::too_large);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" +
                  std::string(17, 'x') + "\r\n0\r\n\r\n")
                .verdict,
            ReadVerdict::too_large);
}

TEST(RequestParse, BodyLimitPerRequest) {
  const auto wide = [](const RequestHeader&) -> uint64_t { return 64; };
  auto p = parse_request("POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n" + std::string(17, 'x'),
                         small_limits(), wide);
  EXPECT_EQ(p.verdict, ReadVerdict::ok);
}

// Found by fuzz/http_request.cc: two Transfer-Encoding fields, the first not "chunked" and the
// last "chunked". Beast read the body as chunked while Request::chunked() said it was not, so the
// request was framed one way and described another. Such requests are now a 400.
TEST(RequestParse, TwoTransferEncodingsAreRefused) {
  const std::string fuzzed =
      "PUT /api/users/profile HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chun\xff\xff"
      "d\r\nAuthorization: Be\xff\xff\xff\xff\xff\xff\xff\xff\xff\xffle HTTP/0.1\r\nHost: x\r\n"
      "Transfer-Encoding: chunked\r\nAuthorization: \xff\xff"
      "arer t\r\n\r\n10\r\n{\"name\":\"abcdef\"\r\n1\r\n}\r\n0\r\n\r\n";
  EXPECT_EQ(parse_request(fuzzed, HttpLimits{}, nullptr).verdict, ReadVerdict::bad_request);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked"
                  "\r\n\r\n0\r\n\r\n")
                .verdict,
            ReadVerdict::bad_request);
}

}  // namespace
}  // namespace parley::net

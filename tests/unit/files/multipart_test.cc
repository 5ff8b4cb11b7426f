// Unit tests for the streaming multipart/form-data parser: boundaries split across feeds at
// every position, part headers, skipped parts, malformed and truncated bodies.
#include "files/multipart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::files {
namespace {

struct Part {
  PartHeader header;
  std::string data;
};

struct Parsed {
  std::vector<Part> parts;
  bool done = false;
  std::string error;
};

// Feeds `body` in pieces of `step` bytes and collects every event.
Parsed parse(const std::string& boundary, const std::string& body, size_t step) {
  MultipartParser p{boundary};
  Parsed out;
  size_t fed = 0;
  for (;;) {
    auto ev = p.next();
    switch (ev) {
      case MultipartParser::Event::need_more:
        if (fed >= body.size()) {
          p.finish();
        } else {
          const size_t n = std::min(step, body.size() - fed);
          p.feed(std::string_view(body).substr(fed, n));
          fed += n;
        }
        break;
      case MultipartParser::Event::part_begin:
        out.parts.push_back({p.header(), {}});
        break;
      case MultipartParser::Event::data:
        out.parts.back().data.append(p.data());
        break;
      case MultipartParser::Event::part_end:
        break;
      case MultipartParser::Event::done:
        out.done = true;
        return out;
      case MultipartParser::Event::error:
        out.error = p.error();
        return out;
    }
  }
}

const std::string kBoundary = "----WebKitFormBoundaryX3b9";

std::string two_part_body() {
  return "preamble to ignore\r\n"
         "------WebKitFormBoundaryX3b9\r\n"
         "Content-Disposition: form-data; name=\"note\"\r\n"
         "\r\n"
         "hello\r\n"
         "------WebKitFormBoundaryX3b9\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"q\\\".png\"\r\n"
         "Content-Type: image/png\r\n"
         "\r\n"
         "\x89PNG\r\n\r\n--not-a-boundary\r\n------WebKitFormBoundaryX3b\r\nrest"
         "\r\n"
         "------WebKitFormBoundaryX3b9--\r\n"
         "epilogue";
}

TEST(Multipart, ParsesPartsAtEverySplitSize) {
  const std::string body = two_part_body();
  for (size_t step = 1; step <= body.size(); ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    Parsed r = parse(kBoundary, body, step);
    ASSERT_TRUE(r.done) << r.error;
    ASSERT_EQ(r.parts.size(), 2u);
    EXPECT_EQ(r.parts[0].header.name, "note");
    EXPECT_FALSE(r.parts[0].header.filename.has_value());
    EXPECT_EQ(r.parts[0].data, "hello");
    EXPECT_EQ(r.parts[1].header.name, "file");
    EXPECT_EQ(r.parts[1].header.filename.value(), "a \"q\".png");
    EXPECT_EQ(r.parts[1].header.content_type, "image/png");
    EXPECT_EQ(r.parts[1].data,
              "\x89PNG\r\n\r\n--not-a-boundary\r\n------WebKitFormBoundaryX3b\r\nrest");
  }
}

TEST(Multipart, FirstBoundaryWithoutPreamble) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.pdf\"\r\n\r\n"
      "%PDF\r\n--b--";
  Parsed r = parse("b", body, 3);
  ASSERT_TRUE(r.done) << r.error;
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].data, "%PDF");
}

TEST(Multipart, EmptyPartAndEmptyFilename) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
  Parsed r = parse("b", body, 7);
  ASSERT_TRUE(r.done) << r.error;
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].header.filename.value(), "");
  EXPECT_EQ(r.parts[0].data, "");
}

TEST(Multipart, ExtendedFilenameWins) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\"; "
      "filename*=UTF-8''%ED%95%9C%EA%B8%80.pdf\r\n\r\nx\r\n--b--";
  Parsed r = parse("b", body, 1000);
  ASSERT_TRUE(r.done) << r.error;
  EXPECT_EQ(r.parts[0].header.filename.value(), "한글.pdf");
}

TEST(Multipart, LargeDataIsStreamedNotBuffered) {
  // 1 MiB of zeros fed in 64 KiB reads: every data event is handed out before the next feed.
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"z.pdf\"\r\n\r\n";
  body += std::string(1 << 20, '\0');
  body += "\r\n--b--\r\n";
  MultipartParser p{"b"};
  size_t fed = 0, got = 0;
  bool done = false;
  while (!done) {
    switch (p.next()) {
      case MultipartParser::Event::need_more: {
        const size_t n = std::min<size_t>(64 * 1024, body.size() - fed);
        ASSERT_GT(n, 0u);
        p.feed(std::string_view(body).substr(fed, n));
        fed += n;
        break;
      }
      case MultipartParser::Event::data:
        got += p.data().size();
        break;
      case MultipartParser::Event::done:
        done = true;
        break;
      case MultipartParser::Event::error:
        FAIL() << p.error();
      default:
        break;
    }
    ASSERT_LE(fed - got, 64u * 1024 + 200) << "parser holds back too much";
  }
  EXPECT_EQ(got, 1u << 20);
}

TEST(Multipart, Errors) {
  EXPECT_NE(parse("b", "no boundary at all", 4).error, "");
  EXPECT_NE(parse("b", "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\ndata", 4).error,
            "")
      << "truncated inside a part";
  EXPECT_NE(parse("b", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", 4).error, "")
      << "no Content-Disposition";
  EXPECT_NE(parse("b", "--bXY", 4).error, "") << "garbage after a boundary";
  std::string huge = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: ";
  huge += std::string(MultipartParser::kMaxHeaderBytes, 'a');
  huge += "\r\n\r\nx\r\n--b--";
  EXPECT_NE(parse("b", huge, 4096).error, "") << "header block over the cap";
}

TEST(Multipart, Boundary) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc").value(), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;boundary=\"a b\"").value(), "a b");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
}

TEST(Multipart, HeaderParameter) {
  EXPECT_EQ(header_parameter("form-data; name=\"file\"; filename=\"a;b.png\"", "filename").value(),
            "a;b.png");
  EXPECT_EQ(header_parameter("form-data; NAME=file", "name").value(), "file");
  EXPECT_FALSE(header_parameter("form-data; filename*=x", "filename"));
}

}  // namespace
}  // namespace parley::files

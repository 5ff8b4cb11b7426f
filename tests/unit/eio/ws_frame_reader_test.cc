// WsFrameReader: client frames parsed whatever way the bytes are split, fragments with control
// frames between them, every protocol violation mapped to its close code, strict UTF-8; and the
// handshake's accept key and refusals.
#include "eio/ws_frame_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sha1.h"
#include "eio/ws_handshake.h"

namespace parley::eio {
namespace {

// A client frame: masked with a fixed key.
std::string frame(std::uint8_t first, std::string_view payload, bool masked = true) {
  std::string out(1, static_cast<char>(first));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out += static_cast<char>(mask_bit | payload.size());
  } else if (payload.size() <= 0xffff) {
    out += static_cast<char>(mask_bit | 126);
    out += static_cast<char>(payload.size() >> 8);
    out += static_cast<char>(payload.size() & 0xff);
  } else {
    out += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i)
      out += static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xff);
  }
  const char key[4] = {0x12, 0x34, 0x56, 0x78};
  if (masked) out.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return out;
}

struct Recorder : WsFrameReader::Sink {
  std::vector<std::string> events;
  bool on_ws_data(bool text, std::string_view m) override {
    events.push_back((text ? "text:" : "binary:") + std::string(m));
    return true;
  }
  bool on_ws_ping(std::string_view p) override {
    events.push_back("ping:" + std::string(p));
    return true;
  }
  void on_ws_close(std::uint16_t code, std::string_view reason) override {
    events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
};

// Feeds `bytes` in pieces of `step` bytes; returns the last result.
WsFrameReader::Result feed_in_steps(WsFrameReader& r, std::string bytes, std::size_t step,
                                    Recorder& sink) {
  WsFrameReader::Result last;
  for (std::size_t at = 0; at < bytes.size(); at += step) {
    const std::size_t n = std::min(step, bytes.size() - at);
    last = r.feed(std::span<char>(bytes.data() + at, n), sink);
    if (last.status != WsFrameReader::Status::more) break;
  }
  return last;
}

TEST(WsFrameReader, ParsesTheSameWhateverTheSplit) {
  const std::string big(70000, 'b');  // 64-bit length
  const std::string mid(300, 'm');    // 16-bit length
  const std::string stream = frame(0x81, "4hello") + frame(0x82, mid) + frame(0x01, "4frag") +
                             frame(0x89, "ping!") + frame(0x00, "men") + frame(0x80, "ted") +
                             frame(0x81, "") + frame(0x82, big) + frame(0x8a, "pong");
  const std::vector<std::string> expected = {"text:4hello",      "binary:" + mid, "ping:ping!",
                                             "text:4fragmented", "text:",         "binary:" + big};
  for (std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7},
                           std::size_t{64}, std::size_t{1000}, stream.size()}) {
    WsFrameReader reader(1 << 20);
    Recorder sink;
    const auto r = feed_in_steps(reader, stream, step, sink);
    EXPECT_EQ(r.status, WsFrameReader::Status::more) << "step " << step;
    EXPECT_EQ(sink.events, expected) << "step " << step;
  }
}

TEST(WsFrameReader, CloseFrameEndsReadingWithItsCodeAndReason) {
  WsFrameReader reader(1000);
  Recorder sink;
  const auto r = feed_in_steps(
      reader, frame(0x88, std::string("\x03\xe8", 2) + "bye") + frame(0x81, "after"), 1000, sink);
  EXPECT_EQ(r.status, WsFrameReader::Status::closed);
  EXPECT_EQ(sink.events, std::vector<std::string>{"close:1000:bye"});

  WsFrameReader empty(1000);
  Recorder sink2;
  EXPECT_EQ(feed_in_steps(empty, frame(0x88, ""), 1, sink2).status, WsFrameReader::Status::closed);
  EXPECT_EQ(sink2.events, std::vector<std::string>{"close:1005:"});
}

TEST(WsFrameReader, ProtocolViolationsFailWithTheirCloseCodes) {
  struct Case {
    const char* name;
    std::string bytes;
    std::uint16_t code;
  };
  const std::vector<Case> cases = {
      {"unmasked", frame(0x81, "4x", false), kCloseProtocolError},
      {"rsv bit", frame(0xc1, "4x"), kCloseProtocolError},
      {"unknown opcode", frame(0x83, "x"), kCloseProtocolError},
      {"continuation first", frame(0x80, "x"), kCloseProtocolError},
      {"text inside a message", frame(0x01, "a") + frame(0x81, "b"), kCloseProtocolError},
      {"fragmented ping", frame(0x09, "p"), kCloseProtocolError},
      {"long ping", frame(0x89, std::string(126, 'p')), kCloseProtocolError},
      {"close with one byte", frame(0x88, "x"), kCloseProtocolError},
      {"close code 1005", frame(0x88, std::string("\x03\xed", 2)), kCloseProtocolError},
      {"close code 999", frame(0x88, std::string("\x03\xe7", 2)), kCloseProtocolError},
      {"close reason not utf-8", frame(0x88, std::string("\x03\xe8\xff", 3)), kCloseBadPayload},
      {"text not utf-8", frame(0x81, "4\xff\xfe"), kCloseBadPayload},
      {"text split inside a character", frame(0x01, "4\xe2\x82") + frame(0x80, "\xac\xff"),
       kCloseBadPayload},
      {"too big", frame(0x81, std::string(101, 'x')), kCloseTooBig},
      {"too big over fragments",
       frame(0x01, std::string(60, 'x')) + frame(0x80, std::string(60, 'x')), kCloseTooBig},
  };
  for (const auto& c : cases) {
    for (std::size_t step : {std::size_t{1}, std::size_t{1000}}) {
      WsFrameReader reader(100);
      Recorder sink;
      const auto r = feed_in_steps(reader, c.bytes, step, sink);
      EXPECT_EQ(r.status, WsFrameReader::Status::failed) << c.name << " step " << step;
      EXPECT_EQ(r.fail_code, c.code) << c.name << " step " << step;
    }
  }
}

TEST(WsFrameReader, FragmentedTextSplitInsideACharacterIsValid) {
  WsFrameReader reader(100);
  Recorder sink;
  feed_in_steps(reader, frame(0x01, "4\xe2\x82") + frame(0x80, "\xac"), 1000, sink);
  EXPECT_EQ(sink.events, std::vector<std::string>{"text:4\xe2\x82\xac"});
}

TEST(WsFrameReader, ClientRoleReadsUnmaskedServerFrames) {
  const std::string stream = frame(0x81, "0{\"sid\":\"x\"}", false) + frame(0x89, "", false) +
                             frame(0x82, std::string(300, 'b'), false);
  for (std::size_t step : {std::size_t{1}, std::size_t{5}, stream.size()}) {
    WsFrameReader reader(1 << 20, WsFrameReader::Role::client);
    Recorder sink;
    EXPECT_EQ(feed_in_steps(reader, stream, step, sink).status, WsFrameReader::Status::more);
    EXPECT_EQ(sink.events, (std::vector<std::string>{"text:0{\"sid\":\"x\"}",
                                                     "ping:", "binary:" + std::string(300, 'b')}));
  }
  WsFrameReader reader(100, WsFrameReader::Role::client);
  Recorder sink;
  const auto r = feed_in_steps(reader, frame(0x81, "masked"), 1000, sink);
  EXPECT_EQ(r.status, WsFrameReader::Status::failed);  // a server never masks
  EXPECT_EQ(r.fail_code, kCloseProtocolError);
}

TEST(WsFrame, HeaderLengthsAtEachBoundaryAndTheMaskBit) {
  char h[10];
  EXPECT_EQ(frame_header(kOpText, 125, false, h), std::string_view("\x81\x7d", 2));
  EXPECT_EQ(frame_header(kOpText, 126, false, h), std::string_view("\x81\x7e\x00\x7e", 4));
  EXPECT_EQ(frame_header(kOpBinary, 65535, true, h), std::string_view("\x82\xfe\xff\xff", 4));
  EXPECT_EQ(frame_header(kOpClose, 65536, true, h),
            std::string_view("\x88\xff\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  // What the header writer produces, the reader (server role) reads back.
  std::string masked(frame_header(kOpText, 2, true, h));
  masked += std::string("\0\0\0\0", 4) + "4x";  // a zero mask key leaves the payload as is
  WsFrameReader reader(100);
  Recorder sink;
  EXPECT_EQ(reader.feed(std::span<char>(masked.data(), masked.size()), sink).status,
            WsFrameReader::Status::more);
  EXPECT_EQ(sink.events, std::vector<std::string>{"text:4x"});
  char c[2];
  EXPECT_EQ(close_payload(kCloseTooBig, c), std::string_view("\x03\xf1", 2));
  EXPECT_TRUE(close_payload(kCloseNoStatus, c).empty());
  EXPECT_TRUE(close_payload(0, c).empty());
}

TEST(WsFrameReader, StrictUtf8) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii, long enough for the eight-byte path"));
  EXPECT_TRUE(valid_utf8("\xed\x95\x9c\xea\xb8\x80 \xf0\x9f\x98\x80"));  // 한글 😀
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));                                  // overlong '/'
  EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));                              // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));                              // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));                          // above U+10FFFF
  EXPECT_FALSE(valid_utf8("abc\xe2\x82"));                               // truncated
  EXPECT_FALSE(valid_utf8("\x80"));                                      // stray continuation
}

TEST(WsHandshake, AcceptKeyMatchesTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  const auto empty = sha1("");
  EXPECT_EQ(empty[0], 0xda);
  EXPECT_EQ(empty[19], 0x09);  // da39a3ee…afd80709
  // Two-block padding: 56..63 bytes of input.
  const auto d = sha1(std::string(60, 'a'));
  EXPECT_EQ(d[0], 0x13);  // sha1("a" * 60) = 13d9…
}

TEST(WsHandshake, AnswersGoodUpgradesAndRefusesBadOnes) {
  net::Request req{boost::beast::http::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
  req.set(boost::beast::http::field::connection, "keep-alive, Upgrade");
  req.set(boost::beast::http::field::upgrade, "websocket");
  req.set(boost::beast::http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(boost::beast::http::field::sec_websocket_version, "13");
  auto ok = answer_ws_upgrade(req);
  EXPECT_TRUE(ok.ok);
  EXPECT_TRUE(ok.response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(ok.response.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
            std::string::npos);

  auto bad_version = req;
  bad_version.set(boost::beast::http::field::sec_websocket_version, "8");
  auto r = answer_ws_upgrade(bad_version);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));

  auto bad_key = req;
  bad_key.set(boost::beast::http::field::sec_websocket_key, "short");
  EXPECT_TRUE(answer_ws_upgrade(bad_key).response.starts_with("HTTP/1.1 400 Bad Request\r\n"));

  auto no_upgrade = req;
  no_upgrade.erase(boost::beast::http::field::upgrade);
  EXPECT_FALSE(answer_ws_upgrade(no_upgrade).ok);

  auto post = req;
  post.method(boost::beast::http::verb::post);
  EXPECT_FALSE(answer_ws_upgrade(post).ok);
}

}  // namespace
}  // namespace parley::eio

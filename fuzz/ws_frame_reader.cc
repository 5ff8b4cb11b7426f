// Fuzz target: the WebSocket frame reader (src/eio/ws_frame_reader.h) in both roles. Input:
// byte 0 picks the role (bit 0) and the message cap, byte 1 how the rest is split into reads;
// the rest is the byte stream. Invariants: the events and the final status do not depend on how
// the stream was split; text messages and close reasons are valid UTF-8; no message exceeds the
// cap; and a well-formed frame built around the input (masked as the role expects) reads back as
// exactly that message.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "eio/ws_frame_reader.h"
#include "fuzz_util.h"

using namespace parley;

namespace {

struct Recorder final : eio::WsFrameReader::Sink {
  std::vector<std::string> events;
  std::uint64_t cap = 0;
  bool on_ws_data(bool text, std::string_view m) override {
    FUZZ_CHECK(m.size() <= cap);
    if (text) FUZZ_CHECK(eio::valid_utf8(m));
    events.push_back((text ? "t:" : "b:") + std::string(m));
    return true;
  }
  bool on_ws_ping(std::string_view p) override {
    FUZZ_CHECK(p.size() <= 125);
    events.push_back("p:" + std::string(p));
    return true;
  }
  void on_ws_close(std::uint16_t code, std::string_view reason) override {
    FUZZ_CHECK(eio::valid_utf8(reason));
    events.push_back("c:" + std::to_string(code) + ":" + std::string(reason));
  }
};

struct Outcome {
  std::vector<std::string> events;
  eio::WsFrameReader::Status status = eio::WsFrameReader::Status::more;
  std::uint16_t fail_code = 0;
};

Outcome run(std::string_view stream, std::uint64_t cap, eio::WsFrameReader::Role role,
            const std::vector<std::string_view>& pieces) {
  eio::WsFrameReader reader(cap, role);
  Recorder sink;
  sink.cap = cap;
  Outcome out;
  std::string bytes(stream);  // feed() unmasks in place
  std::size_t at = 0;
  for (auto piece : pieces) {
    auto r = reader.feed(std::span<char>(bytes.data() + at, piece.size()), sink);
    at += piece.size();
    out.status = r.status;
    out.fail_code = r.fail_code;
    if (r.status != eio::WsFrameReader::Status::more) break;
  }
  out.events = std::move(sink.events);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto role =
      (data[0] & 1) ? eio::WsFrameReader::Role::client : eio::WsFrameReader::Role::server;
  const std::uint64_t cap = 1 + static_cast<std::uint64_t>(data[0] >> 1) * 8;
  const std::string_view stream = fuzz::as_view(data + 2, size - 2);

  const Outcome whole = run(stream, cap, role, {stream});
  const Outcome pieces = run(stream, cap, role, fuzz::split(stream, data[1]));
  FUZZ_CHECK(whole.events == pieces.events);
  FUZZ_CHECK(whole.status == pieces.status);
  FUZZ_CHECK(whole.fail_code == pieces.fail_code);
  if (whole.status == eio::WsFrameReader::Status::failed) FUZZ_CHECK(whole.fail_code >= 1000);

  // One binary frame carrying the stream as its payload, the way the other side would send it.
  const bool masked = role == eio::WsFrameReader::Role::server;
  char header[10];
  std::string frame(eio::frame_header(eio::kOpBinary, stream.size(), masked, header));
  const char key[4] = {static_cast<char>(data[0]), static_cast<char>(data[1]), 0x5a, 0x3c};
  if (masked) frame.append(key, 4);
  for (std::size_t i = 0; i < stream.size(); ++i)
    frame.push_back(masked ? static_cast<char>(stream[i] ^ key[i % 4]) : stream[i]);
  const Outcome framed = run(frame, cap, role, fuzz::split(frame, data[1]));
  if (stream.size() <= cap) {
    FUZZ_CHECK(framed.status == eio::WsFrameReader::Status::more);
    FUZZ_CHECK(framed.events.size() == 1 && framed.events[0] == "b:" + std::string(stream));
  } else {
    FUZZ_CHECK(framed.status == eio::WsFrameReader::Status::failed);
    FUZZ_CHECK(framed.fail_code == eio::kCloseTooBig && framed.events.empty());
  }
  return 0;
}

// WsFrameReader: the receiving half of WebSocket framing (RFC 6455 §5), fed with whatever bytes
// a read returned: frame headers, unmasking, fragmented messages with control frames
// between their fragments, UTF-8 validity of text messages and close reasons, and the message
// size cap. Complete messages and control frames go to a Sink. A server reads masked client
// frames; a client (parley-load) reads unmasked server frames.
//
// Memory: nothing between messages. A frame that arrives whole is unmasked in the caller's
// buffer and handed over without a copy; only a message split across reads (or fragments) is
// gathered in a string, released when the message is complete. An idle connection's reader is
// a few dozen bytes, which is most of what a WebSocket costs here when nothing is happening.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "eio/ws_frame.h"

namespace parley::eio {

class WsFrameReader {
 public:
  // Each callback returns false to stop reading (the connection is going away).
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual bool on_ws_data(bool text, std::string_view message) = 0;
    virtual bool on_ws_ping(std::string_view payload) = 0;
    // `code` is kCloseNoStatus when the frame carried none.
    virtual void on_ws_close(std::uint16_t code, std::string_view reason) = 0;
  };

  enum class Status : std::uint8_t { more, stopped, closed, failed };
  struct Result {
    Status status = Status::more;
    std::uint16_t fail_code = 0;  // with Status::failed: the close code to answer with
  };

  enum class Role : std::uint8_t { server, client };
  explicit WsFrameReader(std::uint64_t max_message, Role role = Role::server)
      : max_message_(max_message), masked_(role == Role::server) {}

  // Consumes all of `bytes` (modified: payloads are unmasked in place) unless the sink stops,
  // a close frame arrives or the input breaks the protocol.
  Result feed(std::span<char> bytes, Sink& sink);

 private:
  Result fail(std::uint16_t code);
  Result frame_complete(std::string_view payload, Sink& sink);
  bool header_complete();  // validates the header in hdr_; false: protocol error

  std::uint64_t max_message_;
  std::string message_;  // a message gathered across reads or fragments
  std::string control_;  // a control frame split across reads
  std::uint64_t payload_left_ = 0;
  std::uint64_t frame_length_ = 0;
  std::uint8_t hdr_[14];
  std::uint8_t hdr_len_ = 0;
  std::uint8_t hdr_need_ = 2;  // bytes of header needed, known once the first two arrive
  std::uint8_t mask_[4];
  std::uint8_t mask_pos_ = 0;        // payload offset mod 4
  std::uint8_t opcode_ = 0;          // of the current frame
  std::uint8_t message_opcode_ = 0;  // text or binary while a fragmented message is open
  bool fin_ = false;
  bool in_payload_ = false;
  bool gathering_ = false;  // the current frame's payload goes to message_
  bool failed_ = false;
  bool masked_;  // frames must carry a mask (client to server) or must not (server to client)
};

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace parley::eio

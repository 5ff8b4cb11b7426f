// See ws_frame_reader.h.
#include "eio/ws_frame_reader.h"

#include <algorithm>
#include <cstring>

namespace parley::eio {

namespace {

bool is_control(std::uint8_t opcode) {
  return opcode & 0x8;
}

void unmask(char* p, std::size_t n, const std::uint8_t (&mask)[4], std::uint8_t& pos) {
  if ((mask[0] | mask[1] | mask[2] | mask[3]) == 0) return;  // unmasked (or a zero key)
  for (std::size_t i = 0; i < n; ++i)
    p[i] = static_cast<char>(static_cast<std::uint8_t>(p[i]) ^ mask[(pos + i) & 3]);
  pos = static_cast<std::uint8_t>((pos + n) & 3);
}

bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011);
}

}  // namespace

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII runs are the common case: eight bytes at a time.
    if (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    const std::uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    std::uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[i] & 0x3f);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    p += n + 1;
  }
  return true;
}

WsFrameReader::Result WsFrameReader::fail(std::uint16_t code) {
  failed_ = true;
  message_.clear();
  message_.shrink_to_fit();
  return {Status::failed, code};
}

bool WsFrameReader::header_complete() {
  fin_ = hdr_[0] & 0x80;
  opcode_ = hdr_[0] & 0x0f;
  if (hdr_[0] & 0x70) return false;  // no extension was negotiated: RSV bits must be 0
  std::uint64_t len = hdr_[1] & 0x7f;
  std::size_t at = 2;
  if (len == 126) {
    len = std::uint64_t(hdr_[2]) << 8 | hdr_[3];
    at = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; ++i)
      len = len << 8 | hdr_[2 + i];
    if (len >> 63) return false;
    at = 10;
  }
  if (masked_) {
    std::memcpy(mask_, hdr_ + at, 4);
  } else {
    std::memset(mask_, 0, 4);
  }
  mask_pos_ = 0;
  frame_length_ = payload_left_ = len;
  switch (opcode_) {
    case kOpContinuation:
      if (!message_opcode_) return false;  // nothing to continue
      break;
    case kOpText:
    case kOpBinary:
      if (message_opcode_) return false;  // the previous message is not finished
      break;
    case kOpClose:
    case kOpPing:
    case kOpPong:
      if (!fin_ || len > 125) return false;
      break;
    default:
      return false;
  }
  return true;
}

WsFrameReader::Result WsFrameReader::frame_complete(std::string_view payload, Sink& sink) {
  in_payload_ = false;
  hdr_len_ = 0;
  hdr_need_ = 2;
  switch (opcode_) {
    case kOpPing:
      return {sink.on_ws_ping(payload) ? Status::more : Status::stopped, 0};
    case kOpPong:
      return {};
    case kOpClose: {
      if (payload.size() == 1) return fail(kCloseProtocolError);
      std::uint16_t code = kCloseNoStatus;
      std::string_view reason;
      if (payload.size() >= 2) {
        code = static_cast<std::uint16_t>(static_cast<std::uint8_t>(payload[0]) << 8 |
                                          static_cast<std::uint8_t>(payload[1]));
        reason = payload.substr(2);
        if (!valid_close_code(code)) return fail(kCloseProtocolError);
        if (!valid_utf8(reason)) return fail(kCloseBadPayload);
      }
      sink.on_ws_close(code, reason);
      return {Status::closed, 0};
    }
    default:
      break;
  }
  // A data frame: the message is complete with its final fragment.
  if (opcode_ != kOpContinuation) message_opcode_ = opcode_;
  if (!fin_) return {};
  const bool text = message_opcode_ == kOpText;
  message_opcode_ = 0;
  std::string_view message = gathering_ ? std::string_view(message_) : payload;
  if (text && !valid_utf8(message)) return fail(kCloseBadPayload);
  const bool go_on = sink.on_ws_data(text, message);
  if (gathering_) {
    gathering_ = false;
    std::string().swap(message_);  // an idle connection keeps no message memory
  }
  return {go_on ? Status::more : Status::stopped, 0};
}

WsFrameReader::Result WsFrameReader::feed(std::span<char> bytes, Sink& sink) {
  if (failed_) return {Status::failed, kCloseProtocolError};
  char* p = bytes.data();
  char* const end = p + bytes.size();
  while (p < end) {
    if (!in_payload_) {
      // Gather the header; its size is known from its first two bytes.
      while (hdr_len_ < hdr_need_ && p < end) {
        hdr_[hdr_len_++] = static_cast<std::uint8_t>(*p++);
        if (hdr_len_ == 2) {
          // Client frames are masked, server frames are not (RFC 6455 §5.1).
          if (static_cast<bool>(hdr_[1] & 0x80) != masked_) return fail(kCloseProtocolError);
          const std::uint8_t len7 = hdr_[1] & 0x7f;
          hdr_need_ = static_cast<std::uint8_t>(2 +
                                                (len7 == 126   ? 2
                                                 : len7 == 127 ? 8
                                                               : 0) +
                                                (masked_ ? 4 : 0));
        }
      }
      if (hdr_len_ < hdr_need_) break;
      if (!header_complete()) return fail(kCloseProtocolError);
      const bool data = !is_control(opcode_);
      if (data && message_.size() + frame_length_ > max_message_) return fail(kCloseTooBig);
      in_payload_ = true;
      const bool whole_here = static_cast<std::uint64_t>(end - p) >= frame_length_;
      if (data) gathering_ = !whole_here || !fin_ || opcode_ == kOpContinuation;
      if (whole_here && (data ? !gathering_ : true)) {
        // The common case: a whole message (or control frame) in the buffer, handed over in
        // place without a copy.
        const auto n = static_cast<std::size_t>(frame_length_);
        unmask(p, n, mask_, mask_pos_);
        const std::string_view payload(p, n);
        p += n;
        payload_left_ = 0;
        if (auto r = frame_complete(payload, sink); r.status != Status::more) return r;
        continue;
      }
    }
    // A frame split across reads, or a fragment: its payload is gathered (control frames, at
    // most 125 bytes, on their own so they can sit between a message's fragments).
    const auto n = static_cast<std::size_t>(
        std::min<std::uint64_t>(payload_left_, static_cast<std::uint64_t>(end - p)));
    unmask(p, n, mask_, mask_pos_);
    (is_control(opcode_) ? control_ : message_).append(p, n);
    p += n;
    payload_left_ -= n;
    if (payload_left_ != 0) break;
    if (is_control(opcode_)) {
      std::string payload;
      payload.swap(control_);
      if (auto r = frame_complete(payload, sink); r.status != Status::more) return r;
    } else if (auto r = frame_complete({}, sink); r.status != Status::more) {
      return r;
    }
  }
  return {};
}

}  // namespace parley::eio

// See ws_frame.h.
#include "eio/ws_frame.h"

namespace parley::eio {

std::string_view frame_header(std::uint8_t opcode, std::uint64_t len, bool masked,
                              char (&out)[10]) {
  const auto mask_bit = static_cast<std::uint8_t>(masked ? 0x80 : 0);
  out[0] = static_cast<char>(0x80 | opcode);
  if (len < 126) {
    out[1] = static_cast<char>(mask_bit | len);
    return {out, 2};
  }
  if (len <= 0xffff) {
    out[1] = static_cast<char>(mask_bit | 126);
    out[2] = static_cast<char>(len >> 8);
    out[3] = static_cast<char>(len);
    return {out, 4};
  }
  out[1] = static_cast<char>(mask_bit | 127);
  for (int i = 0; i < 8; ++i)
    out[2 + i] = static_cast<char>(len >> (56 - 8 * i));
  return {out, 10};
}

std::string_view close_payload(std::uint16_t code, char (&out)[2]) {
  if (code == 0 || code == kCloseNoStatus) return {};
  out[0] = static_cast<char>(code >> 8);
  out[1] = static_cast<char>(code);
  return {out, 2};
}

}  // namespace parley::eio

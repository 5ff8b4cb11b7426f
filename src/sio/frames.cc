// Pre-encoded event frames for fan-out (declared in socket.h): the whole Engine.IO text packet,
// message type included (`42["event",…]`), so that each recipient's transport frames the shared
// bytes as they are.
#include <memory>
#include <string>

#include "sio/packet.h"
#include "sio/socket.h"

namespace parley::sio {

namespace {

Frame as_frame(std::string sio_packet) {
  sio_packet.insert(sio_packet.begin(), '4');  // Engine.IO "message"
  return std::make_shared<const std::string>(std::move(sio_packet));
}

}  // namespace

Frame make_event_frame(std::string_view event, const json::value& arg) {
  return as_frame(encode_event("/", event, arg));
}

Frame make_event_frame_args(std::string_view event, const json::array& args) {
  return as_frame(encode_event_args("/", event, args));
}

}  // namespace parley::sio

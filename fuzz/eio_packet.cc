// Fuzz target: the Engine.IO v4 packet codec (src/eio/packet.h). The input is tried as a
// WebSocket text frame, a binary frame and a long-polling payload. Invariants: whatever decodes
// re-encodes to exactly the same bytes (the decoders accept only canonical forms), the borrowing
// and owning text decoders agree, and a re-decoded payload equals the first decode.
#include <cstddef>
#include <cstdint>

#include "eio/packet.h"
#include "fuzz_util.h"

using namespace parley;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fuzz::as_view(data, size);

  auto text = eio::decode_text(in);
  auto view = eio::decode_text_view(in);
  FUZZ_CHECK(text.ok() == view.ok());
  if (text) {
    FUZZ_CHECK(!text->binary);
    FUZZ_CHECK(text->type == view->type && text->data == view->data);
    FUZZ_CHECK(eio::encode_ws(*text) == in);
    std::string appended = "x";
    eio::encode_ws_to(*text, appended);
    FUZZ_CHECK(appended.substr(1) == in);
    FUZZ_CHECK(!eio::type_name(text->type).empty());
  }

  const eio::Packet binary = eio::decode_binary(in);
  FUZZ_CHECK(binary.binary && binary.type == eio::PacketType::message && binary.data == in);
  FUZZ_CHECK(eio::encode_ws(binary) == in);

  auto payload = eio::decode_payload(in);
  if (payload) {
    FUZZ_CHECK(!payload->empty());
    const std::string encoded = eio::encode_payload(*payload);
    FUZZ_CHECK(encoded == in);
    auto again = eio::decode_payload(encoded);
    FUZZ_CHECK(again.ok() && *again == *payload);
  }
  return 0;
}

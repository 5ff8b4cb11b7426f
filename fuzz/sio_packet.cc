// Fuzz target: the Socket.IO v5 decoder and the binary assembler (src/sio/packet.h).
// The input is a sequence of Engine.IO messages separated by 0xFF (a byte valid UTF-8 never
// holds): "T<text>" is a text message, anything else a binary attachment (minus its first byte).
// Invariants: a decoded packet re-encodes to text that decodes to the same packet; the assembler
// yields only complete packets (every attachment present, every placeholder resolvable) and
// encode_frames() of such a packet, fed to a fresh assembler, gives the same packet back.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "sio/packet.h"

using namespace parley;

namespace {

// JSON equality, except that doubles may differ by one unit in the last place: Boost.JSON 1.81
// does not round long decimal numbers correctly (e.g. a 130-digit integer), so a number can move
// by 1 ULP through parse → serialize → parse (found by this target; see
// tests/unit/sio/packet_test.cc, LongNumbersSurviveReencodingWithinOneUlp).
bool same_json(const boost::json::value& a, const boost::json::value& b, int depth = 0) {
  if (depth > 64) return a == b;
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double();
    const double y = b.get_double();
    return x == y || std::nextafter(x, y) == y;
  }
  if (a.kind() != b.kind()) return a == b;
  if (const auto* arr = a.if_array()) {
    const auto& other = b.get_array();
    if (arr->size() != other.size()) return false;
    for (std::size_t i = 0; i < arr->size(); ++i)
      if (!same_json((*arr)[i], other[i], depth + 1)) return false;
    return true;
  }
  if (const auto* obj = a.if_object()) {
    const auto& other = b.get_object();
    if (obj->size() != other.size()) return false;
    for (const auto& kv : *obj) {
      const auto* v = other.if_contains(kv.key());
      if (!v || !same_json(kv.value(), *v, depth + 1)) return false;
    }
    return true;
  }
  return a == b;
}

void check_same(const sio::Packet& a, const sio::Packet& b) {
  FUZZ_CHECK(a.nsp == b.nsp);
  FUZZ_CHECK(a.id == b.id);
  FUZZ_CHECK(same_json(a.payload, b.payload));
  FUZZ_CHECK(a.attachments == b.attachments);
}

// Every placeholder in `v` resolves to one of the packet's attachments.
void check_placeholders(const sio::Packet& p, const boost::json::value& v, int depth = 0) {
  if (depth > 64) return;
  if (auto idx = sio::placeholder_index(v)) {
    FUZZ_CHECK(sio::attachment_for(p, v) != nullptr);
    return;
  }
  if (const auto* arr = v.if_array()) {
    for (const auto& e : *arr)
      check_placeholders(p, e, depth + 1);
  } else if (const auto* obj = v.if_object()) {
    for (const auto& kv : *obj)
      check_placeholders(p, kv.value(), depth + 1);
  }
}

void check_decode_roundtrip(std::string_view text) {
  auto p = sio::decode(text);
  if (!p) return;
  FUZZ_CHECK(!p->nsp.empty() && p->nsp[0] == '/');
  FUZZ_CHECK(!sio::type_name(p->type).empty());
  const std::string encoded = sio::encode(*p);
  auto again = sio::decode(encoded);
  FUZZ_CHECK(again.ok());
  // A binary header declaring 0 attachments is written as the plain type; otherwise the same.
  FUZZ_CHECK(again->type == p->type || (sio::is_binary(p->type) && p->attachment_count == 0));
  FUZZ_CHECK(again->attachment_count == p->attachment_count);
  FUZZ_CHECK(again->event_name() == p->event_name());
  check_same(*p, *again);
  // (not byte-equal: a long number may move by 1 ULP, see same_json)
}

void check_complete(const sio::Packet& p) {
  // In a plain packet a placeholder-shaped object is only data (as in socket.io-parser).
  if (sio::is_binary(p.type)) {
    FUZZ_CHECK(p.attachments.size() == p.attachment_count);
    check_placeholders(p, p.payload);
  }
  // What a server would send for it comes back as the same packet.
  std::vector<eio::Packet> frames = sio::encode_frames(p);
  FUZZ_CHECK(!frames.empty() && !frames[0].binary);
  sio::BinaryAssembler assembler;
  auto r = assembler.feed_text(frames[0].data);
  FUZZ_CHECK(r.ok());
  for (std::size_t i = 1; i < frames.size(); ++i) {
    FUZZ_CHECK(frames[i].binary && r->has_value() == false);
    r = assembler.add(frames[i].data);
    FUZZ_CHECK(r.ok());
  }
  FUZZ_CHECK(r->has_value() && !assembler.pending());
  check_same(p, **r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fuzz::as_view(data, size);
  check_decode_roundtrip(in);

  sio::DecodeOptions options;
  options.max_attachments = 8;
  sio::BinaryAssembler assembler;
  std::size_t pos = 0;
  while (pos <= in.size()) {
    std::size_t end = in.find('\xff', pos);
    if (end == std::string_view::npos) end = in.size();
    const std::string_view msg = in.substr(pos, end - pos);
    pos = end + 1;
    if (msg.empty()) continue;
    const bool was_pending = assembler.pending();
    const std::size_t missing = assembler.missing();
    Result<std::optional<sio::Packet>> r = msg[0] == 'T'
                                               ? assembler.feed_text(msg.substr(1), options)
                                               : assembler.add(std::string(msg.substr(1)));
    if (msg[0] == 'T') {
      check_decode_roundtrip(msg.substr(1));
      if (was_pending) FUZZ_CHECK(!r.ok());  // text while attachments are outstanding
    } else if (!was_pending) {
      FUZZ_CHECK(!r.ok());  // an attachment nobody asked for
    } else {
      FUZZ_CHECK(r.ok());
      FUZZ_CHECK(r->has_value() == (missing == 1));
    }
    if (!r) {
      FUZZ_CHECK(!assembler.pending());
      continue;
    }
    if (r->has_value()) check_complete(**r);
  }
  return 0;
}

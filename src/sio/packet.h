// Socket.IO protocol v5 packet codec: pure functions, no I/O.
//
// Text form: <type>[<attachments>-][<nsp>,][<ack id>][<json payload>]
//   type 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, 5 BINARY_EVENT, 6 BINARY_ACK;
//   "<attachments>-" only on the binary types; the namespace is omitted when it is "/".
// A binary packet is that text header followed by N Engine.IO binary messages; in the header's
// JSON each buffer appears as {"_placeholder":true,"num":k}. BinaryAssembler collects them.
//
// Binary data has no JSON representation, so a complete binary packet keeps its placeholders in
// `payload` and the bytes in `attachments[num]` (use placeholder_index()/attachment_for() to
// resolve one). That is also the form the encoder takes: add_attachment() stores the bytes and
// returns the placeholder to put in the payload.
//
// Decoding validates like the official socket.io-parser and never throws on malformed input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "core/result.h"
#include "eio/packet.h"

namespace parley::sio {

namespace json = boost::json;

enum class PacketType : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

constexpr bool is_binary(PacketType t) {
  return t == PacketType::binary_event || t == PacketType::binary_ack;
}
std::string_view type_name(PacketType t);

struct Packet {
  PacketType type = PacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;  // ack id
  json::value payload;              // null when the packet has none
  // Attachment count declared by a decoded binary header.
  std::size_t attachment_count = 0;
  // Binary buffers, indexed by placeholder "num". Filled by BinaryAssembler or by the sender.
  std::vector<std::string> attachments;

  // For EVENT/BINARY_EVENT packets that passed decode validation: the event name; else "".
  std::string_view event_name() const;
};

// Events the official server refuses to receive because they have a special meaning.
bool is_reserved_event(std::string_view name);

struct DecodeOptions {
  // A header may declare at most this many attachments; each one is buffered until the last
  // arrives, so this bounds memory per connection. 0 forbids binary packets.
  std::size_t max_attachments = 256;
  // Memory resource the payload is allocated from (default: the heap).
  json::storage_ptr storage;
};

// Decodes one text packet. For binary types the result is only the header: pass it to
// BinaryAssembler::begin() (or use BinaryAssembler::feed_text()) to collect the attachments.
Result<Packet> decode(std::string_view text, const DecodeOptions& options = {});

// --- Encoding ----------------------------------------------------------------------------------

// The text part of `packet`, i.e. the whole packet unless it carries attachments. EVENT/ACK
// packets with attachments go out as BINARY_EVENT/BINARY_ACK declaring attachments.size()
// buffers (or attachment_count when `attachments` is empty, i.e. a header not yet assembled).
// Precondition: nsp starts with '/' and contains no ','.
std::string encode(const Packet& packet);
void encode_to(const Packet& packet, std::string& out);

// Everything to send, in order, as Engine.IO messages: the text header, then each attachment as
// a binary message. The rvalue overload moves the attachment bytes instead of copying them.
std::vector<eio::Packet> encode_frames(const Packet& packet);
std::vector<eio::Packet> encode_frames(Packet&& packet);

// Fast paths for the common server → client packets (no Packet built, one allocation typical):
//   encode_event(nsp, name, arg)         → 2[<nsp>,]["name",arg]
//   encode_event_args(nsp, name, args)   → 2[<nsp>,][id]["name",args...]
//   encode_ack(nsp, id, args)            → 3[<nsp>,]<id>[args...]
std::string encode_event(std::string_view nsp, std::string_view name, const json::value& arg);
std::string encode_event_args(std::string_view nsp, std::string_view name, const json::array& args,
                              std::optional<std::uint64_t> id = std::nullopt);
std::string encode_ack(std::string_view nsp, std::uint64_t id, const json::array& args);

// --- Binary attachments ------------------------------------------------------------------------

// {"_placeholder":true,"num":num}
json::value make_placeholder(std::size_t num);
// The "num" of a well-formed placeholder object (num a non-negative integer), else nullopt.
std::optional<std::size_t> placeholder_index(const json::value& v);
// Appends `bytes` to packet.attachments and returns the placeholder that refers to it.
json::value add_attachment(Packet& packet, std::string bytes);
// The attachment a placeholder refers to, or nullptr if `v` is not a placeholder of `packet`.
const std::string* attachment_for(const Packet& packet, const json::value& v);

// Reassembles binary packets from a connection's inbound Engine.IO messages. Mirrors the
// official Decoder's state machine: a text packet while attachments are outstanding, or a
// binary message when none are expected, is a protocol error. After an error the assembler is
// reset; the caller is expected to close the connection.
class BinaryAssembler {
 public:
  bool pending() const { return pending_.has_value(); }
  // Attachments still expected for the pending packet (0 when none is pending).
  std::size_t missing() const;

  // Starts a packet from a decoded BINARY_EVENT/BINARY_ACK header. Every placeholder in its
  // payload must have num < attachment_count. Returns the packet at once if it declares none.
  Result<std::optional<Packet>> begin(Packet header);
  // Adds the next attachment; returns the complete packet after the last one.
  Result<std::optional<Packet>> add(std::string buffer);
  // Decodes a text message and either returns it (non-binary packet), or begins a binary one.
  Result<std::optional<Packet>> feed_text(std::string_view text, const DecodeOptions& options = {});
  void reset() { pending_.reset(); }

 private:
  std::optional<Packet> pending_;
};

}  // namespace parley::sio

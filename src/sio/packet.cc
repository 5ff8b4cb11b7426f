// Socket.IO v5 packet codec (see packet.h for the wire format and the binary model).
#include "sio/packet.h"

#include <cmath>

#include <array>
#include <charconv>
#include <exception>
#include <system_error>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/string.hpp>

namespace parley::sio {
namespace {

constexpr std::array<std::string_view, 6> kReservedEvents = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length of the run of ASCII digits starting at `pos`.
std::size_t digit_run(std::string_view s, std::size_t pos) {
  std::size_t end = pos;
  while (end < s.size() && is_digit(s[end]))
    ++end;
  return end - pos;
}

// Parses digits [pos, pos+len) into an unsigned 64-bit value, failing on overflow.
std::optional<std::uint64_t> parse_u64(std::string_view s, std::size_t pos, std::size_t len) {
  std::uint64_t v = 0;
  const char* first = s.data() + pos;
  auto [ptr, ec] = std::from_chars(first, first + len, v);
  if (ec != std::errc{} || ptr != first + len) return std::nullopt;
  return v;
}

// One parser per thread, reset for every packet: it keeps its internal stack between parses, so
// steady-state decoding allocates only for the resulting value.
json::parser& thread_parser() {
  thread_local json::parser parser;
  return parser;
}

Result<json::value> parse_json(std::string_view text, const json::storage_ptr& storage) {
  json::parser& parser = thread_parser();
  try {
    parser.reset(storage);
    json::error_code ec;
    // write() (unlike write_some) requires the JSON to span the whole input: trailing garbage
    // is reported as an error rather than silently ignored.
    parser.write(text.data(), text.size(), ec);
    if (ec) return Error::invalid("sio: invalid JSON payload: " + ec.message());
    return parser.release();
  } catch (const std::exception& e) {
    // Only resource exhaustion gets here; still report it as a value.
    return Error::invalid(std::string("sio: JSON payload rejected: ") + e.what());
  }
}

// `present` distinguishes a literal JSON null (invalid for every type) from no payload at all.
bool valid_payload(PacketType type, bool present, const json::value& payload,
                   std::string_view& why) {
  switch (type) {
    case PacketType::connect:
      if (!present || payload.is_object()) return true;
      why = "sio: CONNECT payload must be an object";
      return false;
    case PacketType::disconnect:
      if (!present) return true;
      why = "sio: DISCONNECT takes no payload";
      return false;
    case PacketType::connect_error:
      if (payload.is_object() || payload.is_string()) return true;
      why = "sio: CONNECT_ERROR payload must be an object or a string";
      return false;
    case PacketType::event:
    case PacketType::binary_event: {
      const json::array* arr = payload.if_array();
      if (!arr || arr->empty()) {
        why = "sio: EVENT payload must be a non-empty array";
        return false;
      }
      const json::string* name = (*arr)[0].if_string();
      if (!name) {
        why = "sio: EVENT name must be a string";
        return false;
      }
      if (is_reserved_event(std::string_view(name->data(), name->size()))) {
        why = "sio: reserved event name";
        return false;
      }
      return true;
    }
    case PacketType::ack:
    case PacketType::binary_ack:
      if (payload.is_array()) return true;
      why = "sio: ACK payload must be an array";
      return false;
  }
  why = "sio: unknown packet type";
  return false;
}

// Checks every placeholder in `v` refers to one of `count` attachments. Recursion depth is bounded
// by the parser's max_depth for decoded payloads.
bool placeholders_in_range(const json::value& v, std::size_t count) {
  if (const json::array* arr = v.if_array()) {
    for (const auto& e : *arr)
      if (!placeholders_in_range(e, count)) return false;
    return true;
  }
  if (const json::object* obj = v.if_object()) {
    // Same test as the official reconstructor: any object with _placeholder === true is one.
    if (const json::value* flag = obj->if_contains("_placeholder");
        flag && flag->is_bool() && flag->get_bool()) {
      const auto idx = placeholder_index(v);
      return idx && *idx < count;
    }
    for (const auto& kv : *obj)
      if (!placeholders_in_range(kv.value(), count)) return false;
    return true;
  }
  return true;
}

PacketType wire_type(const Packet& p) {
  if (!p.attachments.empty()) {
    if (p.type == PacketType::event) return PacketType::binary_event;
    if (p.type == PacketType::ack) return PacketType::binary_ack;
  }
  return p.type;
}

void append_uint(std::string& out, std::uint64_t v) {
  std::array<char, 20> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  (void)ec;  // 20 digits always fit a uint64
  out.append(buf.data(), end);
}

// Streams the serializer straight into the tail of `out`, avoiding the temporary string that
// json::serialize() would return.
void drain(json::serializer& sr, std::string& out) {
  while (!sr.done()) {
    const std::size_t old = out.size();
    const std::size_t room = out.capacity() > old + 64 ? out.capacity() - old : 256 + old;
    out.resize(old + room);
    const auto written = sr.read(out.data() + old, room);
    out.resize(old + written.size());
  }
}

void append_json(std::string& out, const json::value& v) {
  json::serializer sr;
  sr.reset(&v);
  drain(sr, out);
}

void append_json_string(std::string& out, std::string_view s) {
  json::serializer sr;
  sr.reset(json::string_view(s.data(), s.size()));
  drain(sr, out);
}

void append_header(std::string& out, char type, std::string_view nsp) {
  out.push_back(type);
  if (nsp != "/" && !nsp.empty()) {
    out.append(nsp);
    out.push_back(',');
  }
}

// Appends the elements of `args` without the enclosing brackets.
void append_elements(std::string& out, const json::array& args) {
  for (const auto& a : args) {
    out.push_back(',');
    append_json(out, a);
  }
}

}  // namespace

std::string_view type_name(PacketType t) {
  switch (t) {
    case PacketType::connect:
      return "CONNECT";
    case PacketType::disconnect:
      return "DISCONNECT";
    case PacketType::event:
      return "EVENT";
    case PacketType::ack:
      return "ACK";
    case PacketType::connect_error:
      return "CONNECT_ERROR";
    case PacketType::binary_event:
      return "BINARY_EVENT";
    case PacketType::binary_ack:
      return "BINARY_ACK";
  }
  return "UNKNOWN";
}

bool is_reserved_event(std::string_view name) {
  for (auto r : kReservedEvents)
    if (r == name) return true;
  return false;
}

std::string_view Packet::event_name() const {
  if (type != PacketType::event && type != PacketType::binary_event) return {};
  const json::array* arr = payload.if_array();
  if (!arr || arr->empty()) return {};
  const json::string* name = (*arr)[0].if_string();
  if (!name) return {};
  return {name->data(), name->size()};
}

// A number too large for a double (1e400) parses as infinity, which has no JSON form: Boost.JSON
// would write it back as `Infinity` and every client would fail to parse what we relay. JS does
// the same parse and JSON.stringify() turns the value into null, so we store null right away
// (found by fuzz/sio_packet.cc). Depth is bounded by the parser's own limit.
void null_non_finite(json::value& v) {
  if (v.is_double()) {
    if (!std::isfinite(v.get_double())) v = nullptr;
  } else if (auto* arr = v.if_array()) {
    for (auto& e : *arr)
      null_non_finite(e);
  } else if (auto* obj = v.if_object()) {
    for (auto& kv : *obj)
      null_non_finite(kv.value());
  }
}

Result<Packet> decode(std::string_view text, const DecodeOptions& options) {
  if (text.empty()) return Error::invalid("sio: empty packet");
  if (text[0] < '0' || text[0] > '6') return Error::invalid("sio: unknown packet type");
  const auto type = static_cast<PacketType>(text[0] - '0');
  std::size_t i = 1;

  std::size_t attachment_count = 0;
  if (is_binary(type)) {
    const std::size_t len = digit_run(text, i);
    if (len == 0 || i + len >= text.size() || text[i + len] != '-')
      return Error::invalid("sio: bad attachment count");
    const auto n = parse_u64(text, i, len);
    if (!n || *n > options.max_attachments) return Error::invalid("sio: too many attachments");
    attachment_count = static_cast<std::size_t>(*n);
    i += len + 1;
  }

  std::string_view nsp = "/";
  if (i < text.size() && text[i] == '/') {
    // The namespace runs to the first ','; the official encoder always writes that comma, so
    // without one the rest cannot be told apart from the namespace.
    const std::size_t comma = text.find(',', i);
    if (comma == std::string_view::npos) return Error::invalid("sio: namespace without ','");
    nsp = text.substr(i, comma - i);
    i = comma + 1;
  }

  std::optional<std::uint64_t> id;
  if (const std::size_t len = digit_run(text, i); len > 0) {
    id = parse_u64(text, i, len);
    if (!id) return Error::invalid("sio: ack id overflows");
    i += len;
  }
  if ((type == PacketType::ack || type == PacketType::binary_ack) && !id)
    return Error::invalid("sio: ACK without id");

  const bool present = i < text.size();
  if (!present && type != PacketType::connect && type != PacketType::disconnect) {
    // The official parser lets these through and the server then trips over undefined data;
    // no conforming client sends them, so refuse at the door.
    return Error::invalid("sio: missing payload");
  }
  if (present && type == PacketType::disconnect)
    return Error::invalid("sio: DISCONNECT takes no payload");

  // Construct rather than assign the payload all the way into the Packet: json::value's move
  // assignment copies when storages differ, which would defeat DecodeOptions::storage.
  auto payload = present ? parse_json(text.substr(i), options.storage)
                         : Result<json::value>(json::value(options.storage));
  if (!payload) return payload.error();
  null_non_finite(*payload);

  std::string_view why;
  if (!valid_payload(type, present, *payload, why)) return Error::invalid(std::string(why));
  return Packet{type, std::string(nsp), id, std::move(payload).value(), attachment_count, {}};
}

void encode_to(const Packet& packet, std::string& out) {
  const PacketType type = wire_type(packet);
  out.push_back(static_cast<char>('0' + static_cast<int>(type)));
  if (is_binary(type)) {
    append_uint(out,
                packet.attachments.empty() ? packet.attachment_count : packet.attachments.size());
    out.push_back('-');
  }
  if (packet.nsp != "/" && !packet.nsp.empty()) {
    out.append(packet.nsp);
    out.push_back(',');
  }
  if (packet.id) append_uint(out, *packet.id);
  if (!packet.payload.is_null()) append_json(out, packet.payload);
}

std::string encode(const Packet& packet) {
  std::string out;
  out.reserve(16 + packet.nsp.size());
  encode_to(packet, out);
  return out;
}

std::vector<eio::Packet> encode_frames(const Packet& packet) {
  std::vector<eio::Packet> frames;
  const bool binary = is_binary(wire_type(packet));
  frames.reserve(1 + (binary ? packet.attachments.size() : 0));
  frames.push_back(eio::Packet::text(eio::PacketType::message, encode(packet)));
  if (binary)
    for (const auto& a : packet.attachments)
      frames.push_back(eio::Packet::bytes(a));
  return frames;
}

std::vector<eio::Packet> encode_frames(Packet&& packet) {
  std::vector<eio::Packet> frames;
  const bool binary = is_binary(wire_type(packet));
  frames.reserve(1 + (binary ? packet.attachments.size() : 0));
  frames.push_back(eio::Packet::text(eio::PacketType::message, encode(packet)));
  if (binary)
    for (auto& a : packet.attachments)
      frames.push_back(eio::Packet::bytes(std::move(a)));
  packet.attachments.clear();
  return frames;
}

std::string encode_event(std::string_view nsp, std::string_view name, const json::value& arg) {
  std::string out;
  out.reserve(32 + nsp.size() + name.size());
  append_header(out, '2', nsp);
  out.push_back('[');
  append_json_string(out, name);
  out.push_back(',');
  append_json(out, arg);
  out.push_back(']');
  return out;
}

std::string encode_event_args(std::string_view nsp, std::string_view name, const json::array& args,
                              std::optional<std::uint64_t> id) {
  std::string out;
  out.reserve(32 + nsp.size() + name.size());
  append_header(out, '2', nsp);
  if (id) append_uint(out, *id);
  out.push_back('[');
  append_json_string(out, name);
  append_elements(out, args);
  out.push_back(']');
  return out;
}

std::string encode_ack(std::string_view nsp, std::uint64_t id, const json::array& args) {
  std::string out;
  out.reserve(32 + nsp.size());
  append_header(out, '3', nsp);
  append_uint(out, id);
  out.push_back('[');
  bool first = true;
  for (const auto& a : args) {
    if (!first) out.push_back(',');
    first = false;
    append_json(out, a);
  }
  out.push_back(']');
  return out;
}

json::value make_placeholder(std::size_t num) {
  return json::object{{"_placeholder", true}, {"num", num}};
}

std::optional<std::size_t> placeholder_index(const json::value& v) {
  const json::object* obj = v.if_object();
  if (!obj) return std::nullopt;
  const json::value* flag = obj->if_contains("_placeholder");
  if (!flag || !flag->is_bool() || !flag->get_bool()) return std::nullopt;
  const json::value* num = obj->if_contains("num");
  if (!num) return std::nullopt;
  if (const auto* u = num->if_uint64()) return static_cast<std::size_t>(*u);
  if (const auto* s = num->if_int64(); s && *s >= 0) return static_cast<std::size_t>(*s);
  return std::nullopt;
}

json::value add_attachment(Packet& packet, std::string bytes) {
  packet.attachments.push_back(std::move(bytes));
  return make_placeholder(packet.attachments.size() - 1);
}

const std::string* attachment_for(const Packet& packet, const json::value& v) {
  const auto idx = placeholder_index(v);
  if (!idx || *idx >= packet.attachments.size()) return nullptr;
  return &packet.attachments[*idx];
}

std::size_t BinaryAssembler::missing() const {
  if (!pending_) return 0;
  return pending_->attachment_count - pending_->attachments.size();
}

Result<std::optional<Packet>> BinaryAssembler::begin(Packet header) {
  if (pending_) {
    pending_.reset();
    return Error::invalid("sio: packet received while attachments are outstanding");
  }
  if (!is_binary(header.type)) return Error::invalid("sio: not a binary packet");
  if (!placeholders_in_range(header.payload, header.attachment_count))
    return Error::invalid("sio: placeholder refers to a missing attachment");
  header.attachments.clear();
  if (header.attachment_count == 0) return std::optional<Packet>(std::move(header));
  header.attachments.reserve(header.attachment_count);
  pending_.emplace(std::move(header));
  return std::optional<Packet>();
}

Result<std::optional<Packet>> BinaryAssembler::add(std::string buffer) {
  if (!pending_) return Error::invalid("sio: unexpected binary attachment");
  pending_->attachments.push_back(std::move(buffer));
  if (pending_->attachments.size() < pending_->attachment_count) return std::optional<Packet>();
  std::optional<Packet> done = std::move(pending_);
  pending_.reset();
  return done;
}

Result<std::optional<Packet>> BinaryAssembler::feed_text(std::string_view text,
                                                         const DecodeOptions& options) {
  if (pending_) {
    pending_.reset();
    return Error::invalid("sio: text packet received while attachments are outstanding");
  }
  auto packet = decode(text, options);
  if (!packet) return packet.error();
  if (is_binary(packet->type)) return begin(std::move(packet).value());
  return std::optional<Packet>(std::move(packet).value());
}

}  // namespace parley::sio

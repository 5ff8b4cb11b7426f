// See http_file.h.
#include "files/http_file.h"

#include <cctype>
#include <charconv>

#include "core/ascii.h"
#include "files/upload_rules.h"

namespace parley::files {

namespace {

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size();
}

std::string_view opaque_tag(std::string_view tag) {
  tag = ascii::trim_ows(tag);
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

RangeVerdict parse_range(std::string_view header, uint64_t size, ByteRange& out) {
  header = ascii::trim_ows(header);
  if (header.size() < 6) return RangeVerdict::whole;
  if (!ascii::iequals(header.substr(0, 6), "bytes=")) return RangeVerdict::whole;
  std::string_view spec = ascii::trim_ows(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeVerdict::whole;
  const size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeVerdict::whole;
  const std::string_view a = ascii::trim_ows(spec.substr(0, dash)),
                         b = ascii::trim_ows(spec.substr(dash + 1));
  if (a.empty()) {  // suffix: the last N bytes
    uint64_t n;
    if (!parse_u64(b, n)) return RangeVerdict::whole;
    if (n == 0 || size == 0) return RangeVerdict::unsatisfiable;
    out.first = n >= size ? 0 : size - n;
    out.last = size - 1;
    return RangeVerdict::partial;
  }
  uint64_t first;
  if (!parse_u64(a, first)) return RangeVerdict::whole;
  uint64_t last = UINT64_MAX;
  if (!b.empty()) {
    if (!parse_u64(b, last) || last < first) return RangeVerdict::whole;
  }
  if (first >= size) return RangeVerdict::unsatisfiable;
  out.first = first;
  out.last = last >= size ? size - 1 : last;
  return RangeVerdict::partial;
}

bool etag_list_matches(std::string_view header, std::string_view etag) {
  header = ascii::trim_ows(header);
  if (header == "*") return true;
  const std::string_view want = opaque_tag(etag);
  while (!header.empty()) {
    const size_t comma = header.find(',');
    if (opaque_tag(header.substr(0, comma)) == want) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

std::string rfc5987_encode(std::string_view utf8) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(utf8.size() * 3);
  for (char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string attachment_disposition(std::string_view name) {
  return "attachment; filename*=UTF-8''" + rfc5987_encode(name);
}

std::string inline_disposition(std::string_view name) {
  std::string ascii;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x80) {
      // One '_' per code point: skip the continuation bytes.
      ascii.push_back('_');
      while (i + 1 < name.size() && (static_cast<unsigned char>(name[i + 1]) & 0xC0) == 0x80)
        ++i;
    } else if (c < 0x20 || c == 0x7f) {
      ascii.push_back('_');
    } else {
      if (c == '"' || c == '\\') ascii.push_back('\\');
      ascii.push_back(static_cast<char>(c));
    }
  }
  return "inline; filename=\"" + ascii + "\"; filename*=UTF-8''" + rfc5987_encode(name);
}

bool previewable(std::string_view mime) {
  static constexpr std::string_view kTypes[] = {"image/jpeg", "image/png", "image/gif",
                                                "image/webp", "video/mp4", "video/webm",
                                                "audio/mpeg", "audio/wav", "application/pdf"};
  for (auto t : kTypes) {
    if (t == mime) return true;
  }
  return false;
}

std::string_view image_type_for(std::string_view filename) {
  const std::string ext = ascii::to_lower(extension_of(filename));
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  return "application/octet-stream";
}

}  // namespace parley::files

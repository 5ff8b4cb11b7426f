// See s3_xml.h.
#include "files/s3_xml.h"

#include <charconv>
#include <cstdint>

namespace parley::files::s3xml {

namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity at the start of `s` (which begins with '&'); 0 when it is not one.
size_t decode_entity(std::string_view s, std::string& out) {
  const size_t semi = s.find(';');
  if (semi == std::string_view::npos || semi > 12) return 0;
  const std::string_view name = s.substr(1, semi - 1);
  if (name == "amp")
    out.push_back('&');
  else if (name == "lt")
    out.push_back('<');
  else if (name == "gt")
    out.push_back('>');
  else if (name == "quot")
    out.push_back('"');
  else if (name == "apos")
    out.push_back('\'');
  else if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    uint32_t cp = 0;
    auto [ptr, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty() ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    append_utf8(out, cp);
  } else {
    return 0;
  }
  return semi + 1;
}

}  // namespace

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      if (const size_t n = decode_entity(text.substr(i), out); n > 0) {
        i += n;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> element_text(std::string_view xml, std::string_view name) {
  const std::string open = "<" + std::string(name);
  const std::string close = "</" + std::string(name) + ">";
  for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at + 1)) {
    const size_t after = at + open.size();
    if (after >= xml.size()) return std::nullopt;
    const char next = xml[after];
    if (next != '>' && next != ' ' && next != '\t' && next != '\r' && next != '\n' && next != '/')
      continue;  // <UploadIdMarker> is not <UploadId>
    const size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return std::nullopt;
    if (xml[gt - 1] == '/') return std::string();  // <Name/>
    const size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return unescape(xml.substr(gt + 1, end - gt - 1));
  }
  return std::nullopt;
}

std::optional<S3Error> parse_error(std::string_view xml) {
  const size_t at = xml.find("<Error");
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view doc = xml.substr(at);
  auto code = element_text(doc, "Code");
  if (!code) return std::nullopt;
  return S3Error{std::move(*code), element_text(doc, "Message").value_or("")};
}

std::string complete_multipart_body(const std::vector<std::pair<int, std::string>>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const auto& [number, etag] : parts) {
    out += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + escape(etag) +
           "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace parley::files::s3xml

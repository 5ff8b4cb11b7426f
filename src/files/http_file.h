// HTTP details of serving stored files: single byte ranges (RFC 9110 §14), entity-tag
// matching for If-None-Match / If-Range, Content-Disposition with an RFC 5987 UTF-8 name,
// the previewable types of the view route and the content type of a public profile image.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley::files {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeVerdict {
  whole,          // no usable Range header (absent, malformed, several ranges): send everything
  partial,        // 206 with the range
  unsatisfiable,  // 416
};
// Interprets a Range header against a representation of `size` bytes. Several ranges are
// answered with the whole body (allowed by RFC 9110), which keeps every answer single-part.
RangeVerdict parse_range(std::string_view header, uint64_t size, ByteRange& out);

// If-None-Match: "*" or a list of tags, compared weakly (W/ prefixes ignored).
bool etag_list_matches(std::string_view header, std::string_view etag);

// RFC 5987 value-chars: unreserved bytes kept, everything else %XX (so space is %20).
std::string rfc5987_encode(std::string_view utf8);
// `attachment; filename*=UTF-8''<encoded>`
std::string attachment_disposition(std::string_view name);
// `inline; filename="<ascii fallback>"; filename*=UTF-8''<encoded>`. The quoted form carries an
// ASCII rendering (other characters become '_', quotes and backslashes escaped): raw UTF-8 in a
// header is not portable; clients that read UTF-8 use filename*.
std::string inline_disposition(std::string_view name);

// image/jpeg, image/png, image/gif, image/webp, video/mp4, video/webm, audio/mpeg, audio/wav,
// application/pdf.
bool previewable(std::string_view mime);
// The content type of a stored profile image from its extension (any case).
std::string_view image_type_for(std::string_view filename);

}  // namespace parley::files

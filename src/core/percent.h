// Strict percent-decoding (RFC 3986 `%XX`), shared by every place that decodes client-sent text:
// URL paths of the web client and RFC 5987 file names in multipart headers. A malformed escape is
// an error, never passed through, so a decoded value cannot smuggle what validation rejected.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley {

// nullopt when a `%` is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view in);

}  // namespace parley

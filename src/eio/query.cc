// See query.h. Invalid percent-escapes are kept literally: the values are only compared.
#include "eio/query.h"
#include "core/ascii.h"

namespace parley::eio {

namespace {

std::string decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && ascii::hex_digit(s[i + 1]) >= 0 &&
               ascii::hex_digit(s[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(ascii::hex_digit(s[i + 1]) * 16 + ascii::hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

Query parse_query(std::string_view target) {
  Query q;
  const auto qmark = target.find('?');
  q.path = target.substr(0, qmark);
  if (qmark == std::string_view::npos) return q;
  std::string_view rest = target.substr(qmark + 1);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    // A repeated key: the last one wins, as in the reference (Object.fromEntries).
    if (key == "EIO") {
      q.eio = decode(value);
    } else if (key == "transport") {
      q.transport = decode(value);
    } else if (key == "sid") {
      q.sid = decode(value);
    }
  }
  return q;
}

}  // namespace parley::eio

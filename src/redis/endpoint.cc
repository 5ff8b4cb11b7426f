// See endpoint.h and parse_endpoints in cluster.h.
#include "redis/endpoint.h"

#include <charconv>

#include "core/ascii.h"

namespace parley::redis {

std::string to_string(const Endpoint& e) {
  return e.host + ":" + std::to_string(e.port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return Endpoint{std::string(host), static_cast<uint16_t>(port)};
}

Result<std::vector<Endpoint>> parse_endpoints(std::string_view csv) {
  std::vector<Endpoint> out;
  size_t start = 0;
  while (start <= csv.size()) {
    auto comma = csv.find(',', start);
    if (comma == std::string_view::npos) comma = csv.size();
    const auto item = ascii::trim_ows(csv.substr(start, comma - start));
    auto e = parse_endpoint(item);
    if (!e || e->host.empty())
      return Error::invalid("redis nodes: expected host:port, got \"" + std::string(item) + "\"");
    out.push_back(std::move(*e));
    start = comma + 1;
  }
  if (out.empty()) return Error::invalid("redis nodes: empty list");
  return out;
}

}  // namespace parley::redis

// Loopback checks done on the numeric form (inet_pton), never on names.
#include "load/guard.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace parley::load {

bool is_loopback_ip(std::string_view ip) {
  const std::string s(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    static const in6_addr loop = IN6ADDR_LOOPBACK_INIT;
    return std::memcmp(&v6, &loop, sizeof v6) == 0;
  }
  return false;
}

Result<Target> parse_target(std::string_view url) {
  const std::string what = "target '" + std::string(url) + "'";
  Target t;
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return Error::invalid(what + ": expected http://host:port");
  t.scheme = std::string(url.substr(0, sep));
  if (t.scheme != "http" && t.scheme != "ws")
    return Error::invalid(what + ": only http:// and ws:// are supported");
  std::string_view rest = url.substr(sep + 3);
  const size_t slash = rest.find('/');
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (!path.empty() && path != "/") return Error::invalid(what + ": give the server root, no path");
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos)
    return Error::invalid(what + ": credentials in the URL are not supported");
  std::string_view host, port;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Error::invalid(what + ": unterminated [ipv6]");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Error::invalid(what + ": bad port");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (host.empty()) return Error::invalid(what + ": missing host");
  t.host = std::string(host);
  if (!port.empty()) {
    unsigned p = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535)
      return Error::invalid(what + ": bad port");
    t.port = static_cast<uint16_t>(p);
  }
  if (t.host == "localhost") {
    t.ip = "127.0.0.1";
  } else if (is_loopback_ip(t.host)) {
    t.ip = t.host;
  } else {
    return Error::invalid(what + ": host '" + t.host +
                          "' is not a loopback address (127.0.0.0/8, ::1 or localhost); "
                          "parley-load only loads servers on this machine");
  }
  const bool v6 = t.ip.find(':') != std::string::npos;
  t.host_header = (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
  return t;
}

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}
}  // namespace

Result<std::vector<std::string>> parse_source_ips(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      if (!is_loopback_ip(item))
        return Error::invalid("source address '" + std::string(item) + "' is not loopback");
      out.emplace_back(item);
      continue;
    }
    const std::string a(trim(item.substr(0, dash))), b(trim(item.substr(dash + 1)));
    in_addr lo{}, hi{};
    if (inet_pton(AF_INET, a.c_str(), &lo) != 1 || inet_pton(AF_INET, b.c_str(), &hi) != 1)
      return Error::invalid("source range '" + std::string(item) + "' needs two IPv4 addresses");
    const uint32_t l = ntohl(lo.s_addr), h = ntohl(hi.s_addr);
    if ((l >> 24) != 127 || (h >> 24) != 127)
      return Error::invalid("source range '" + std::string(item) + "' is not in 127.0.0.0/8");
    if (h < l || h - l > 65535)
      return Error::invalid("source range '" + std::string(item) + "' is empty or too large");
    for (uint32_t v = l; v <= h; ++v) {
      in_addr x{};
      x.s_addr = htonl(v);
      char buf[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &x, buf, sizeof buf);
      out.emplace_back(buf);
    }
  }
  return out;
}

}  // namespace parley::load

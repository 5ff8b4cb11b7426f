// Target and source-address guard. parley-load only ever sends traffic to this machine: a target
// whose host is not in 127.0.0.0/8, ::1 or "localhost" is refused before any socket is opened
// (the caller exits with status 2), and so is a source address outside the loopback range.
// Host names other than "localhost" are refused outright rather than resolved, so a DNS entry or
// /etc/hosts line can never redirect the load elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley::load {

struct Target {
  std::string scheme;  // http | ws
  std::string host;    // as written, without brackets
  std::string ip;      // numeric address to connect to ("localhost" → 127.0.0.1)
  uint16_t port = 80;
  std::string host_header;  // "host:port" for Host:
};

// True for a numeric IPv4 address in 127.0.0.0/8 or IPv6 ::1.
bool is_loopback_ip(std::string_view ip);

// Parses http://host[:port][/] (or ws://) and applies the loopback guard.
Result<Target> parse_target(std::string_view url);

// "127.0.0.2-127.0.0.20,127.0.0.30" → every address, each checked by is_loopback_ip (ranges only
// vary the last octet). Empty text → empty list (the kernel picks the source).
Result<std::vector<std::string>> parse_source_ips(std::string_view text);

}  // namespace parley::load

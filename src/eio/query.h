// The parts of an Engine.IO request target the server looks at: the path and the EIO, transport
// and sid query parameters (percent-decoded).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::eio {

struct Query {
  std::string_view path;
  std::optional<std::string> eio;
  std::optional<std::string> transport;
  std::optional<std::string> sid;
};

Query parse_query(std::string_view target);

}  // namespace parley::eio

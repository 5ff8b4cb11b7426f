// See mentions_json.h.
#include "store/mentions_json.h"

#include <boost/json.hpp>

namespace parley::store {

std::string mentions_to_json(const std::vector<std::string>& mentions) {
  boost::json::array a;
  a.reserve(mentions.size());
  for (const auto& m : mentions)
    a.emplace_back(m);
  return boost::json::serialize(a);
}

std::vector<std::string> mentions_from_json(std::string_view json) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string().c_str(), e.as_string().size());
  }
  return out;
}

}  // namespace parley::store

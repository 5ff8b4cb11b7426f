// How a message's mentions are kept by every store: a JSON array of strings, one field or column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::store {

std::string mentions_to_json(const std::vector<std::string>& mentions);
// Lenient: only the stores write the field, so anything that is not an array of strings reads
// as no mentions rather than failing the whole message.
std::vector<std::string> mentions_from_json(std::string_view json);

}  // namespace parley::store

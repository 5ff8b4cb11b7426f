// redis::Reply: one decoded RESP2 reply, owning its data (decoded from hiredis's reader).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::redis {

struct Reply {
  enum class Type { nil, status, error, integer, string, array };
  Type type = Type::nil;
  int64_t integer = 0;
  std::string str;              // status, error and string replies
  std::vector<Reply> elements;  // array replies

  bool is_nil() const { return type == Type::nil; }
  bool is_error() const { return type == Type::error; }
  bool is_string() const { return type == Type::string || type == Type::status; }
  bool is_integer() const { return type == Type::integer; }
  bool is_array() const { return type == Type::array; }
};

}  // namespace parley::redis

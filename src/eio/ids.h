// Random identifiers for Engine.IO sessions and Socket.IO sockets: 20 URL-safe characters from
// 120 bits of kernel randomness, so a session id cannot be guessed (it authorizes the polling
// requests of its session).
#pragma once

#include <string>

namespace parley::eio {

std::string random_id();

}  // namespace parley::eio

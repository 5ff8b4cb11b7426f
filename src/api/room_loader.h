// Builds Room JSON from stored rooms: one batched user lookup for all creators and participants,
// plus the recent-message count per room (§1 Room). Shared by REST and socket handlers.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <vector>

#include "api/services.h"
#include "api/views.h"

namespace parley::api {

// Non-deleted messages newer than this count as "recent" (§1).
inline constexpr int64_t kRecentWindowMs = 10 * 60 * 1000;

asio::awaitable<Result<boost::json::array>> load_room_views(Services& s,
                                                            const std::vector<chat::Room>& rooms);
asio::awaitable<Result<boost::json::object>> load_room_view(Services& s, const chat::Room& room);
// Users by id, in one store call.
asio::awaitable<Result<UserIndex>> load_users(Services& s, std::vector<chat::Id> ids);

}  // namespace parley::api

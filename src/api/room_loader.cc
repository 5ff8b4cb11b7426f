// See room_loader.h.
#include "api/room_loader.h"

#include <unordered_set>

#include "core/clock.h"

namespace parley::api {

asio::awaitable<Result<UserIndex>> load_users(Services& s, std::vector<chat::Id> ids) {
  auto users = co_await s.store.get_users(std::move(ids));
  if (!users) co_return users.error();
  UserIndex index;
  for (auto& u : users.value()) {
    auto id = u.id;
    index.emplace(std::move(id), std::move(u));
  }
  co_return index;
}

asio::awaitable<Result<boost::json::array>> load_room_views(Services& s,
                                                            const std::vector<chat::Room>& rooms) {
  std::vector<chat::Id> ids;
  std::unordered_set<chat::Id> seen;
  for (const auto& room : rooms) {
    if (seen.insert(room.creator_id).second) ids.push_back(room.creator_id);
    for (const auto& p : room.participant_ids) {
      if (seen.insert(p).second) ids.push_back(p);
    }
  }
  auto users = co_await load_users(s, std::move(ids));
  if (!users) co_return users.error();
  std::vector<chat::Id> room_ids;
  room_ids.reserve(rooms.size());
  for (const auto& room : rooms)
    room_ids.push_back(room.id);
  auto recent =
      co_await s.store.count_messages_since(std::move(room_ids), now_ms() - kRecentWindowMs);
  if (!recent) co_return recent.error();
  boost::json::array out;
  out.reserve(rooms.size());
  for (size_t i = 0; i < rooms.size(); ++i) {
    out.push_back(room_view(rooms[i], users.value(), recent.value()[i]));
  }
  co_return out;
}

asio::awaitable<Result<boost::json::object>> load_room_view(Services& s, const chat::Room& room) {
  std::vector<chat::Room> one;
  one.push_back(room);
  auto views = co_await load_room_views(s, one);
  if (!views) co_return views.error();
  co_return std::move(views.value()[0].as_object());
}

}  // namespace parley::api

// See message_loader.h.
#include "api/message_loader.h"

#include <unordered_map>
#include <unordered_set>

#include "api/room_loader.h"

namespace parley::api {

asio::awaitable<Result<boost::json::array>> load_message_views(
    Services& s, const std::vector<chat::Message>& messages) {
  std::vector<chat::Id> sender_ids;
  std::unordered_set<chat::Id> seen;
  std::unordered_map<chat::Id, std::optional<chat::FileRecord>> files;
  for (const auto& m : messages) {
    if (!m.sender_id.empty() && seen.insert(m.sender_id).second) sender_ids.push_back(m.sender_id);
    if (m.type == chat::MessageType::file && !m.file_id.empty())
      files.emplace(m.file_id, std::nullopt);
  }
  auto users = co_await load_users(s, std::move(sender_ids));
  if (!users) co_return users.error();
  for (auto& [id, record] : files) {
    auto file = co_await s.store.get_file(id);
    if (!file) co_return file.error();
    record = std::move(file.value());
  }
  boost::json::array out;
  out.reserve(messages.size());
  for (const auto& m : messages) {
    const chat::FileRecord* file = nullptr;
    if (auto it = files.find(m.file_id); it != files.end() && it->second) file = &*it->second;
    out.push_back(message_view(m, users.value(), file));
  }
  co_return out;
}

}  // namespace parley::api

// Events: what the REST side tells connected sockets: room created/updated (§2.3), a session
// that ended (logout, account deleted) and a session that was replaced (login, refresh-token).
// ChatSockets (api/chat_sockets.h) implements it; app/ relays to it once it exists.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "chat/model.h"

namespace parley::api {

class Events {
 public:
  virtual ~Events() = default;
  // roomCreated(Room) to every socket (group room-list).
  virtual void room_created(const boost::json::object& room) = 0;
  // roomUpdated(Room) to the sockets in Socket.IO room <room_id>.
  virtual void room_updated(const chat::Id& room_id, const boost::json::object& room) = 0;
  // session_ended {reason, message} to group user:<user_id>.
  virtual void session_ended(const chat::Id& user_id, std::string_view reason,
                             std::string_view message) = 0;
  // The user's session `old_session_id` was replaced by `new_session_id`: by a new login
  // (same_client false: sockets of the old session are ended after the duplicate-login grace)
  // or by refresh-token (same_client true: those sockets carry on with the new session).
  virtual void session_replaced(const chat::Id& user_id, const std::string& old_session_id,
                                const std::string& new_session_id, bool same_client) = 0;
};

}  // namespace parley::api

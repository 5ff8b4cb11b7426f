// Events: what the REST side tells connected sockets (§2.1 logout, §2.3 create/join). The
// Socket.IO layer implements it; api/ only knows that these notifications exist.
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
};

}  // namespace parley::api

// ReadMarks: coalesces one socket's markMessagesAsRead events (§3.6) that are waiting in its
// event queue into one store write and one messagesRead broadcast. The contract allows a
// reader's marks that arrive together to leave as one messagesRead carrying several messageIds;
// read receipts are three quarters of the traffic and each broadcast reaches the whole room, so
// this is what keeps a large room's fan-out from growing with the number of marks.
//
// Only consecutive marks merge (the queue order of everything else is untouched), and only marks
// that name the same room in `roomId` with at least one well-formed id: any other mark (no
// roomId, a room the socket did not join, nothing valid) ends the run and is handled on its own,
// with its own error reply. Pure data, no I/O: ChatSockets feeds it and does the writes.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "chat/model.h"

namespace parley::api {

class ReadMarks {
 public:
  // The roomId of a mark that can be merged (non-empty roomId, messageIds a non-empty array with
  // at least one object id); nullopt for a mark that must be handled on its own.
  static std::optional<std::string> mergeable_room(const boost::json::value& payload);

  // Starts a run for `room_id` (the room of the first mark, already checked to be joined).
  explicit ReadMarks(std::string room_id) : room_id_(std::move(room_id)) {}

  // Adds a mark to the run; false (and nothing added) when it names another room or is not
  // mergeable. `ack_id` is kept so the caller acks every merged event, in order, after the write.
  bool add(const boost::json::value& payload, std::optional<uint64_t> ack_id);

  const std::string& room_id() const { return room_id_; }
  // Well-formed ids for the store, first occurrence kept, in arrival order.
  const std::vector<chat::Id>& ids() const { return ids_; }
  // What messagesRead carries: the events' messageIds concatenated in arrival order, a string
  // repeated within the run sent once (each event alone would echo its own array).
  const boost::json::array& wire_ids() const { return wire_; }
  const std::vector<uint64_t>& acks() const { return acks_; }
  size_t events() const { return events_; }

 private:
  std::string room_id_;
  std::vector<chat::Id> ids_;
  boost::json::array wire_;
  std::unordered_set<std::string> seen_wire_;
  std::unordered_set<std::string> seen_ids_;
  std::vector<uint64_t> acks_;
  size_t events_ = 0;
};

}  // namespace parley::api

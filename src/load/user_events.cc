// A virtual user's answers to its socket's events: join and history answers, messages
// (echo, delivery check, read receipt, reaction), receipts, reactions, errors, the close.
#include "load/user.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "load/engine_util.h"

namespace parley::load::engine_detail {

namespace {
// True when `s` needs no JSON escaping (and is not empty).
bool plain_id(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
          c == '_'))
      return false;
  return true;
}
}  // namespace

void User::on_event(std::string_view name, const json::value& arg) {
  const int64_t now = mono_ns();
  if (name == "message") {
    on_message(arg);
  } else if (name == "joinRoomSuccess") {
    if (!join_sent) return;
    loop.success(Op::join_room, us_since(join_sent, now));
    join_sent = 0;
    pend(-1);
    if (room && member >= 0) room->checker.joined(member, now);
    json::object req;
    req["roomId"] = room->id;
    req["limit"] = eng.cfg.history_limit;
    const json::value payload(std::move(req));
    history_sent = now;
    pend(1);
    sio->emit("fetchPreviousMessages", payload);
  } else if (name == "joinRoomError") {
    if (!join_sent) return;
    loop.failure(Op::join_room, "joinRoomError: " + str_field(arg, "message"));
    join_sent = 0;
    pend(-1);
    die();
  } else if (name == "previousMessagesLoaded") {
    if (!history_sent) return;
    loop.success(Op::history_fetch, us_since(history_sent, now));
    history_sent = 0;
    pend(-1);
    if (!sending && !eng.stopping) {
      sending = true;
      asio::co_spawn(loop.io, send_loop(), asio::detached);
    }
  } else if (name == "messagesRead") {
    if (str_field(arg, "userId") != user_id) return;
    const json::value* ids = field(arg, "messageIds");
    if (ids == nullptr || !ids->is_array()) return;
    for (const json::value& id : ids->get_array()) {
      if (!id.is_string()) continue;
      auto it = reads.find(std::string(id.get_string()));
      if (it == reads.end()) continue;
      loop.success(Op::read_receipt, us_since(it->second, now));
      if (room) eng.acks.record("read", room->id, it->first, user_id, eng.email_of(idx));
      reads.erase(it);
      pend(-1);
    }
  } else if (name == "messageReactionUpdate") {
    auto it = reactions.find(str_field(arg, "messageId"));
    if (it == reactions.end()) return;
    const json::value* r = field(arg, "reactions");
    const json::value* who = r ? field(*r, "👍") : nullptr;
    if (who == nullptr || !who->is_array()) return;
    for (const json::value& u : who->get_array()) {
      if (u.is_string() && u.get_string() == user_id) {
        loop.success(Op::reaction, us_since(it->second, now));
        if (room) eng.acks.record("reaction", room->id, it->first, user_id, eng.email_of(idx), "👍");
        reactions.erase(it);
        pend(-1);
        return;
      }
    }
  } else if (name == "error") {
    const std::string code = str_field(arg, "code");
    const std::string text = str_field(arg, "message");
    const std::string reason =
        "error " + (code.empty() ? std::string("(no code)") : code) + ": " + text;
    loop.record([](Counters& c) { c.error_events++; });
    // The contract's error events carry no request id; attribute by code (see docs/LOAD.md).
    if (code == "LOAD_ERROR" && history_sent) {
      loop.failure(Op::history_fetch, reason);
      history_sent = 0;
      pend(-1);
    } else if (!code.empty() && !echoes.empty()) {
      loop.failure(Op::message_send, reason);  // chatMessage errors all have a code
      // The server answers a socket's messages in order, so the oldest unanswered one was refused;
      // nobody is owed a copy of it.
      if (room && member >= 0) room->checker.withdraw(member, echoes.front().first);
      echoes.pop_front();
      pend(-1);
    } else if (code.empty() && !reads.empty()) {
      loop.failure(Op::read_receipt, reason);
      reads.erase(reads.begin());
      pend(-1);
    } else if (code.empty() && !reactions.empty()) {
      loop.failure(Op::reaction, reason);
      reactions.erase(reactions.begin());
      pend(-1);
    } else {
      loop.failure(Op::message_send, reason);
    }
  }
}

// Every read receipt is broadcast to the whole room, so most `messagesRead` events a user gets
// are other members' and on_event ignores them. Its own always carry its user id as text, so an
// event without it is dropped before it is parsed (the larger part of all events received).
bool User::wants(std::string_view packet) {
  constexpr std::string_view kRead = R"(42["messagesRead",)";
  if (!packet.starts_with(kRead)) return true;
  return !user_id.empty() && packet.find(user_id, kRead.size()) != std::string_view::npos;
}

void User::on_message(const json::value& m) {
  const int64_t now = mono_ns();
  const std::string_view id = sv_field(m, "_id");
  const std::string_view content = sv_field(m, "content");
  int64_t delivery_us = -1;  // recorded with msgs_in under one lock
  if (auto f = parse_content(content); f && room && member >= 0) {
    if (f->sender == idx) {
      for (auto it = echoes.begin(); it != echoes.end(); ++it) {
        if (it->first != f->seq) continue;
        loop.success(Op::message_send, us_since(it->second, now));
        eng.acks.record("message", room->id, id, user_id, eng.email_of(idx));
        echoes.erase(it);
        pend(-1);
        break;
      }
    }
    auto slot = room->slot_of.find(f->sender);
    const int sender = slot == room->slot_of.end() ? -1 : slot->second;
    const auto arrival = room->checker.received(member, sender, f->seq);
    if (f->sender != idx && (arrival == DeliveryChecker::Arrival::fresh ||
                             arrival == DeliveryChecker::Arrival::reordered ||
                             arrival == DeliveryChecker::Arrival::late))
      delivery_us = static_cast<int64_t>(us_since(f->send_ns, now));
  }
  loop.record([delivery_us](Counters& c) {
    c.msgs_in++;
    if (delivery_us >= 0) c.op(Op::delivery).latency_us.record(static_cast<uint64_t>(delivery_us));
  });
  if (id.empty() || eng.stopping || !sio || !room) return;
  if (eng.cfg.read_receipts && plain_id(room->id) && plain_id(id)) {
    // Server ids are plain tokens (hex, digits, '-', '_'), so the packet is written as text:
    // no JSON tree to build and serialise for the most frequent event the tool sends.
    std::string packet;
    packet.reserve(64 + room->id.size() + id.size());
    packet += R"(42["markMessagesAsRead",{"roomId":")";
    packet += room->id;
    packet += R"(","messageIds":[")";
    packet += id;
    packet += R"("]}])";
    if (reads.emplace(std::string(id), now).second) pend(1);
    sio->emit_frame(packet);
  } else if (eng.cfg.read_receipts) {
    json::object req;
    req["roomId"] = room->id;
    json::array ids;
    ids.emplace_back(id);
    req["messageIds"] = std::move(ids);
    const json::value payload(std::move(req));
    if (reads.emplace(std::string(id), now).second) pend(1);
    sio->emit("markMessagesAsRead", payload);
  }
  const json::value* sender = field(m, "sender");
  const bool from_other = sender != nullptr && sv_field(*sender, "_id") != user_id &&
                          sv_field(*sender, "id") != user_id;
  if (from_other && eng.cfg.reaction_ratio > 0 && loop.uniform(0, 1) < eng.cfg.reaction_ratio) {
    json::object req;
    req["messageId"] = id;
    req["reaction"] = "👍";
    req["type"] = "add";
    const json::value payload(std::move(req));
    if (reactions.emplace(std::string(id), now).second) pend(1);
    sio->emit("messageReaction", payload);
  }
}

void User::on_close(const std::string& reason, bool intentional) {
  if (counted_connected) {
    counted_connected = false;
    loop.connected.fetch_sub(1, std::memory_order_relaxed);
    if (intentional || eng.stopping) {
      loop.record([](Counters& c) { c.op(Op::socket_held).ok++; });
    } else {
      loop.failure(Op::socket_held, reason);
    }
  }
  if (!intentional && !eng.stopping) fail_pending("disconnected: " + reason);
  if (eng.cfg.scenario == Scenario::churn) {
    timer.cancel();  // wake the churn loop
    return;
  }
  die();
}

}  // namespace parley::load::engine_detail

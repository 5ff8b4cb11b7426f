// See login_notices.h.
#include "api/login_notices.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

namespace parley::api {

void LoginNotices::listen(sio::Groups& groups, asio::any_io_executor loop) {
  loop_ = loop;
  asio::post(loop_, [this, &groups] { groups.add(kGroup, this); });
}

void LoginNotices::user_connected(const sio::SocketPtr& socket, const chat::Id& user_id,
                                  const json::object& notice) {
  {
    std::lock_guard lock(mutex_);
    auto& list = sockets_[user_id];
    std::erase_if(list, [](const auto& w) { return w.expired(); });
    list.push_back(socket);
  }
  json::object announcement{{"userId", user_id}, {"socketId", socket->id()}, {"notice", notice}};
  bus_.publish(kGroup, sio::make_event_frame("login", announcement));
}

void LoginNotices::announce_session_ended(const chat::Id& user_id, std::string_view reason,
                                          std::string_view message) {
  json::object announcement{{"userId", user_id}, {"reason", reason}, {"message", message}};
  bus_.publish(kGroup, sio::make_event_frame("ended", announcement));
}

void LoginNotices::user_disconnected(const sio::Socket* socket, const chat::Id& user_id) {
  std::lock_guard lock(mutex_);
  auto it = sockets_.find(user_id);
  if (it == sockets_.end()) return;
  std::erase_if(it->second, [socket](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == socket;
  });
  if (it->second.empty()) sockets_.erase(it);
}

void LoginNotices::send(sio::Frame frame) {
  // `42["login",{...}]`: our own encoding, parsed back.
  boost::system::error_code ec;
  const std::string_view text = *frame;
  if (text.size() < 2) return;
  json::value v = json::parse(text.substr(2), ec);
  if (ec || !v.is_array() || v.as_array().size() < 2 || !v.as_array()[1].is_object()) {
    spdlog::warn("login notices: malformed announcement ignored");
    return;
  }
  const json::object& a = v.as_array()[1].as_object();
  if (v.as_array()[0] == "ended") {
    const auto* user = a.if_contains("userId");
    const auto* reason = a.if_contains("reason");
    const auto* message = a.if_contains("message");
    if (!on_end_ || !user || !user->is_string() || !reason || !reason->is_string() || !message ||
        !message->is_string())
      return;
    on_end_(chat::Id(user->as_string()), std::string(reason->as_string()),
            std::string(message->as_string()));
    return;
  }
  const auto* user = a.if_contains("userId");
  const auto* sock = a.if_contains("socketId");
  const auto* notice = a.if_contains("notice");
  if (!user || !user->is_string() || !sock || !sock->is_string() || !notice || !notice->is_object())
    return;
  notify_local(chat::Id(user->as_string()), std::string(sock->as_string()), notice->as_object());
}

void LoginNotices::notify_local(const chat::Id& user_id, const std::string& except_socket_id,
                                const json::object& notice) {
  std::vector<sio::SocketPtr> targets;
  {
    std::lock_guard lock(mutex_);
    auto it = sockets_.find(user_id);
    if (it == sockets_.end()) return;
    for (const auto& w : it->second) {
      auto s = w.lock();
      if (s && s->id() != except_socket_id) targets.push_back(std::move(s));
    }
  }
  const int64_t grace = grace_ms_;
  for (auto& old_socket : targets) {
    asio::post(old_socket->executor(), [old_socket, notice, grace] {
      if (!old_socket->connected()) return;
      old_socket->emit("duplicate_login", notice);
      auto timer = std::make_shared<asio::steady_timer>(old_socket->executor(),
                                                        std::chrono::milliseconds(grace));
      timer->async_wait([timer, old_socket](const boost::system::error_code& ec) {
        if (ec || !old_socket->connected()) return;
        old_socket->emit(
            "session_ended",
            json::object{{"reason", "duplicate_login"},
                         {"message", "다른 기기에서 로그인하여 현재 세션이 종료되었습니다."}});
      });
    });
  }
}

}  // namespace parley::api

// ChatSockets, part 4: sockets whose session ends, and the connection limits. Every connected
// socket is registered under its user and its peer address. A session can end by logout,
// account deletion, a new login elsewhere, idle expiry, or a refresh that replaced it; for the
// first three the REST side says so at once (Events), and a periodic check of the sessions
// behind connected sockets catches everything else. Either way the socket gets session_ended
// and is closed a bounded time later (ChatLimits::session_end_close_ms).
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/chat_sockets.h"
#include "core/clock.h"

namespace parley::api {

namespace {

constexpr std::string_view kExpiredText = "세션이 만료되었습니다. 다시 로그인해주세요.";

// Drops expired entries and `gone` from `list`.
void prune(std::vector<std::weak_ptr<sio::Socket>>& list, const sio::Socket* gone) {
  std::erase_if(list, [gone](const std::weak_ptr<sio::Socket>& w) {
    auto s = w.lock();
    return !s || s.get() == gone;
  });
}

}  // namespace

std::optional<std::string> ChatSockets::admit(const sio::SocketPtr& socket,
                                              const chat::Id& user_id) {
  std::lock_guard lock(mutex_);
  auto& mine = user_sockets_[user_id];
  prune(mine, nullptr);
  if (mine.size() >= limits_.max_sockets_per_user) {
    spdlog::warn("socket refused: user {} has {} sockets (limit {})", user_id, mine.size(),
                 limits_.max_sockets_per_user);
    return "Too many connections for this user (limit " +
           std::to_string(limits_.max_sockets_per_user) + ")";
  }
  auto& from_ip = ip_sockets_[socket->peer_ip()];
  prune(from_ip, nullptr);
  if (from_ip.size() >= limits_.max_sockets_per_ip) {
    spdlog::warn("socket refused: {} has {} sockets (limit {})", socket->peer_ip(), from_ip.size(),
                 limits_.max_sockets_per_ip);
    return "Too many connections from this address (limit " +
           std::to_string(limits_.max_sockets_per_ip) + ")";
  }
  mine.push_back(socket);
  from_ip.push_back(socket);
  return std::nullopt;
}

void ChatSockets::forget(const sio::Socket* socket, const chat::Id& user_id) {
  std::lock_guard lock(mutex_);
  if (auto it = user_sockets_.find(user_id); it != user_sockets_.end()) {
    prune(it->second, socket);
    if (it->second.empty()) user_sockets_.erase(it);
  }
  if (auto it = ip_sockets_.find(socket->peer_ip()); it != ip_sockets_.end()) {
    prune(it->second, socket);
    if (it->second.empty()) ip_sockets_.erase(it);
  }
}

std::vector<sio::SocketPtr> ChatSockets::sockets_of(const chat::Id& user_id) {
  std::vector<sio::SocketPtr> out;
  std::lock_guard lock(mutex_);
  if (auto it = user_sockets_.find(user_id); it != user_sockets_.end()) {
    for (auto& w : it->second)
      if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

void ChatSockets::end_socket(sio::SocketPtr socket, std::string reason, std::string message,
                             int64_t delay_ms, int64_t close_ms, std::string spare_session) {
  auto ex = socket->executor();
  auto timer = std::make_shared<asio::steady_timer>(ex, std::chrono::milliseconds(delay_ms));
  timer->async_wait([timer, socket = std::move(socket), reason = std::move(reason),
                     message = std::move(message), close_ms,
                     spare = std::move(spare_session)](const boost::system::error_code& ec) {
    if (ec || !socket->connected()) return;
    State* state = state_of(socket);
    if (!state || state->gone || state->ending) return;
    if (!spare.empty() && state->session_id == spare) return;  // runs on the live session
    state->ending = true;
    socket->emit("session_ended", json::object{{"reason", reason}, {"message", message}});
    // The close follows a moment later so the event is read first (a client that disconnects
    // by itself on session_ended is not raced).
    timer->expires_after(std::chrono::milliseconds(close_ms));
    timer->async_wait([timer, socket](const boost::system::error_code& ec2) {
      if (!ec2 && socket->connected()) socket->disconnect();
    });
  });
}

void ChatSockets::session_ended(const chat::Id& user_id, std::string_view reason,
                                std::string_view message) {
  // Through the bus: every node (this one included) ends its own sockets of the user.
  logins_.announce_session_ended(user_id, reason, message);
}

void ChatSockets::session_replaced(const chat::Id& user_id, const std::string& old_session_id,
                                   const std::string& new_session_id, bool same_client) {
  for (auto& s : sockets_of(user_id)) {
    if (same_client) {
      // refresh-token: the client's sockets carry on with the session that replaced theirs.
      asio::post(s->executor(), [s, old_session_id, new_session_id] {
        State* state = state_of(s);
        if (state && state->session_id == old_session_id) state->session_id = new_session_id;
      });
      continue;
    }
    // A new login: sockets of older sessions end after the duplicate-login grace (the same
    // timing as when the new device's socket connects first, §3.5).
    end_socket(s, "duplicate_login", std::string(kDuplicateLoginText),
               limits_.duplicate_login_grace_ms, limits_.session_end_close_ms, new_session_id);
  }
}

void ChatSockets::start(asio::any_io_executor ex) {
  if (limits_.session_check_ms <= 0) return;
  check_timer_ = std::make_shared<asio::steady_timer>(ex);
  auto run = check_sessions();
  asio::co_spawn(ex, std::move(run), asio::detached);
}

void ChatSockets::stop() {
  if (check_timer_) asio::post(check_timer_->get_executor(), [t = check_timer_] { t->cancel(); });
}

asio::awaitable<void> ChatSockets::check_sessions() {
  auto timer = check_timer_;
  for (;;) {
    timer->expires_after(std::chrono::milliseconds(limits_.session_check_ms));
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::vector<std::pair<chat::Id, std::vector<sio::SocketPtr>>> users;
    {
      std::lock_guard lock(mutex_);
      users.reserve(user_sockets_.size());
      for (auto& [id, list] : user_sockets_) {
        std::vector<sio::SocketPtr> live;
        for (auto& w : list)
          if (auto s = w.lock()) live.push_back(std::move(s));
        if (!live.empty()) users.emplace_back(id, std::move(live));
      }
    }
    const int64_t idle = services_.limits.session_idle_ms;
    const int64_t close_ms = limits_.session_end_close_ms;
    for (auto& [user_id, sockets] : users) {
      auto stored = co_await services_.store.get_session(user_id);
      if (!stored) continue;  // the store is unavailable: judge nothing
      std::string live_session;
      bool expired = false;
      if (stored.value()) {
        live_session = stored.value()->session_id;
        expired = now_ms() - stored.value()->last_activity > idle;
      }
      for (auto& s : sockets) {
        asio::post(s->executor(), [s, live_session, expired, close_ms] {
          State* state = state_of(s);
          if (!state || state->gone || state->ending) return;
          if (!live_session.empty() && state->session_id == live_session && !expired) return;
          const bool replaced = !live_session.empty() && state->session_id != live_session;
          end_socket(s, replaced ? "duplicate_login" : "session_expired",
                     std::string(replaced ? kDuplicateLoginText : kExpiredText), 0, close_ms);
        });
      }
    }
  }
}

}  // namespace parley::api

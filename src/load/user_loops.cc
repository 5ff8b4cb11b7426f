// A virtual user's timed loops: sending chat messages on its schedule (contest, broadcast),
// connecting and disconnecting (churn), and the REST mix (api).
#include "load/user.h"

#include <boost/json.hpp>

#include "load/engine_util.h"

namespace parley::load::engine_detail {

asio::awaitable<void> User::send_loop() {
  auto self = shared_from_this();
  const bool contest = eng.cfg.scenario == Scenario::contest;
  auto gap_ns = [&]() -> int64_t {
    if (contest) return secs_ns(loop.uniform(eng.cfg.send_min_s, eng.cfg.send_max_s));
    return secs_ns(std::max(1, room->alive) / eng.cfg.msg_rate);
  };
  int64_t next =
      mono_ns() + (contest ? gap_ns() : static_cast<int64_t>(loop.uniform(0, 1) * gap_ns()));
  for (;;) {
    timer.expires_at(at_ns(next));
    co_await timer.async_wait(kTuple);
    if (eng.stopping || dead || !sio || !sio->connected()) co_return;
    const uint32_t seq = room->checker.next_seq(member);
    json::object msg;
    msg["room"] = room->id;
    msg["type"] = "text";
    msg["content"] = message_content(idx, seq, next);
    const json::value payload(std::move(msg));
    room->checker.sent(member, seq, next);
    echoes.emplace_back(seq, next);
    pend(1);
    sio->emit("chatMessage", payload);
    loop.record([](Counters& c) { c.msgs_out++; });
    next += gap_ns();
  }
}

asio::awaitable<void> User::churn_loop() {
  auto self = shared_from_this();
  while (!eng.stopping && !dead) {
    if (co_await connect_socket()) {
      const double hold = loop.uniform(0.5, 1.5) * eng.cfg.churn_hold_s;
      timer.expires_after(std::chrono::nanoseconds(secs_ns(hold)));
      co_await timer.async_wait(kTuple);  // on_close cancels it on an unexpected disconnect
      if (sio && sio->connected()) {
        sio->close();
        timer.expires_after(std::chrono::seconds(3));
        co_await timer.async_wait(kTuple);  // until on_close
      }
      sio.reset();
    } else {
      timer.expires_after(std::chrono::seconds(1));  // back off after a failed connect
      co_await timer.async_wait(kTuple);
    }
  }
}

asio::awaitable<void> User::api_loop() {
  auto self = shared_from_this();
  std::vector<std::string> known;  // room ids seen in lists or created
  // A 1x1 PNG: uploads are validated by declared type and extension, not content.
  static const unsigned char kPngBytes[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
      0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
      0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
      0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x00, 0x01, 0x01, 0x00, 0x05, 0x18, 0xd8, 0x4e, 0x00,
      0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  static const std::string kPng(reinterpret_cast<const char*>(kPngBytes), sizeof kPngBytes);
  while (!eng.stopping && !dead) {
    timer.expires_after(
        std::chrono::nanoseconds(secs_ns(loop.uniform(0.5, 1.5) * eng.cfg.api_think_s)));
    co_await timer.async_wait(kTuple);
    if (eng.stopping || dead) break;
    const double pick = loop.uniform(0, 1);
    const int64_t started = mono_ns();
    if (pick < eng.cfg.upload_ratio) {
      const std::string boundary = "parleyload" + std::to_string(idx);
      std::string body =
          "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"load.png\"\r\n"
          "Content-Type: image/png\r\n\r\n" +
          kPng + "\r\n--" + boundary + "--\r\n";
      HttpRequest req = request("POST", "/api/files/upload", std::move(body));
      req.content_type = "multipart/form-data; boundary=" + boundary;
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200)
        loop.success(Op::upload, us_since(started, mono_ns()));
      else
        loop.failure(Op::upload, http_reason(r));
    } else if (pick < 0.4) {
      const HttpRequest req =
          request("GET", "/api/rooms?page=0&pageSize=10&sortField=createdAt&sortOrder=desc");
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200) {
        loop.success(Op::room_list, us_since(started, mono_ns()));
        const json::value body = parse_body(r->body);
        if (const json::value* data = field(body, "data"); data && data->is_array())
          for (const json::value& room : data->get_array())
            if (std::string id = str_field(room, "_id"); !id.empty() && known.size() < 100)
              known.push_back(std::move(id));
      } else {
        loop.failure(Op::room_list, http_reason(r));
      }
    } else if (pick < 0.5 || known.empty()) {
      json::object o;
      o["name"] = "Load api room " + std::to_string(idx);
      const HttpRequest req = request("POST", "/api/rooms", json::serialize(o));
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 201) {
        loop.success(Op::room_create, us_since(started, mono_ns()));
        const json::value body = parse_body(r->body);
        if (const json::value* data = field(body, "data"))
          if (std::string id = str_field(*data, "_id"); !id.empty()) known.push_back(std::move(id));
      } else {
        loop.failure(Op::room_create, http_reason(r));
      }
    } else if (pick < 0.75) {
      const std::string& id =
          known[static_cast<size_t>(loop.uniform(0, 1) * known.size()) % known.size()];
      const HttpRequest req = request("GET", "/api/rooms/" + id);
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200)
        loop.success(Op::room_read, us_since(started, mono_ns()));
      else
        loop.failure(Op::room_read, http_reason(r));
    } else {
      const std::string& id =
          known[static_cast<size_t>(loop.uniform(0, 1) * known.size()) % known.size()];
      const HttpRequest req = request("POST", "/api/rooms/" + id + "/join", "{}");
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200)
        loop.success(Op::rest_join, us_since(started, mono_ns()));
      else
        loop.failure(Op::rest_join, http_reason(r));
    }
  }
}

}  // namespace parley::load::engine_detail

// The organiser of a worker process (room scenarios): logs in (registering on 401) and
// creates the rooms, as the reference ramp-up test does, with a Bearer token only.
#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "load/engine_impl.h"
#include "load/engine_util.h"

namespace parley::load::engine_detail {

asio::awaitable<bool> Impl::organiser_login() {
  Loop& l = loop0();
  org.http = std::make_unique<HttpClient>(l.io.get_executor(), cfg.http, sources);
  const std::string email = cfg.user_prefix + "-organiser-" + std::to_string(worker) + "@load.test";
  json::object creds;
  creds["email"] = email;
  creds["password"] = cfg.password;
  const std::string body = json::serialize(creds);
  for (int attempt = 0; attempt < 2 && !stopping; ++attempt) {
    const int64_t started = mono_ns();
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/auth/login";
    req.body = body;
    auto r = co_await org.http->send(req, timeout);
    if (r && r->status == 200) {
      org.token = str_field(parse_body(r->body), "token");
      l.success(Op::login, us_since(started, mono_ns()));
      co_return !org.token.empty();
    }
    if (!r || r->status != 401) {
      l.failure(Op::login, http_reason(r));
      co_return false;
    }
    json::object reg;
    reg["name"] = "Load Organiser " + std::to_string(worker);
    reg["email"] = email;
    reg["password"] = cfg.password;
    HttpRequest rreq;
    rreq.method = "POST";
    rreq.path = "/api/auth/register";
    rreq.body = json::serialize(reg);
    const int64_t reg_start = mono_ns();
    auto rr = co_await org.http->send(rreq, timeout);
    if (rr && rr->status == 201) {
      l.success(Op::register_user, us_since(reg_start, mono_ns()));
      org.token = str_field(parse_body(rr->body), "token");
      if (!org.token.empty()) co_return true;
    } else if (!(rr && rr->status == 409)) {
      l.failure(Op::register_user, http_reason(rr));
      co_return false;
    }
  }
  co_return false;
}

asio::awaitable<std::shared_ptr<Room>> Impl::create_room() {
  Loop& l = loop0();
  // As the reference ramp-up test: list the rooms, then create one, with only a Bearer token.
  HttpRequest list;
  list.path = "/api/rooms?page=0&pageSize=10";
  list.token = org.token;
  list.bearer = true;
  int64_t started = mono_ns();
  auto r = co_await org.http->send(list, timeout);
  if (stopping) co_return nullptr;
  if (r && r->status == 200)
    l.success(Op::room_list, us_since(started, mono_ns()));
  else
    l.failure(Op::room_list, http_reason(r));
  json::object body;
  body["name"] = "Load room " + std::to_string(worker) + "-" + std::to_string(++org.rooms);
  HttpRequest create;
  create.method = "POST";
  create.path = "/api/rooms";
  create.body = json::serialize(body);
  create.token = org.token;
  create.bearer = true;
  started = mono_ns();
  auto c = co_await org.http->send(create, timeout);
  if (stopping) co_return nullptr;
  std::string id;
  if (c && c->status == 201) {
    const json::value v = parse_body(c->body);
    if (const json::value* data = field(v, "data")) id = str_field(*data, "_id");
  }
  if (id.empty()) {
    l.failure(Op::room_create, c && c->status == 201 ? "answer without data._id" : http_reason(c));
    co_return nullptr;
  }
  l.success(Op::room_create, us_since(started, mono_ns()));
  Loop& home = pick_loop();
  auto room = std::make_shared<Room>(id, home, timeout_ns);
  asio::post(home.io, [&home, room]() { home.rooms.push_back(room); });
  co_return room;
}

}  // namespace parley::load::engine_detail

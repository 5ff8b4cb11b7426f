// parley-bench-fanout: Socket.IO fan-out throughput of one room. Registers --users users,
// creates one room, opens --sockets authenticated WebSockets (spread over the users and over
// source addresses 127.0.0.2 …), joins them all to the room, then --senders sockets (of distinct
// users; 1 by default) emit chatMessage round-robin, --rate per second in all, for --seconds.
// Counts the WebSocket frames every socket receives (no JSON parsing on the receive path; pings are
// answered with masked "3" frames) and reads the server's CPU time from /proc/<--server-pid>/stat
// over the send window.
//
// Why several sockets per user: every first joinRoom of a user broadcasts participantsUpdate with
// the whole participant list to the whole room, O(members²) bytes per join, so 10,000 distinct
// users cannot be joined to one room in bounded time. A user's later sockets join through the
// presence shortcut (joinRoomSuccess {roomId} only); their CONNECT sends duplicate_login (and
// session_ended 10 s later) to the user's previous socket, which is harmless here.
//
// Only talks to 127.0.0.0/8; every phase has a deadline.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace json = boost::json;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int http_port = 0;
  int ws_port = 0;
  int users = 100;
  int sockets = 10000;
  double rate = 50;
  double seconds = 10;
  int server_pid = 0;
  int sources = 10;
  int senders = 1;  // the room owner's socket, then the last receivers (distinct users)
  std::string prefix = "fanout";
};

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "parley-bench-fanout: %s\n", what.c_str());
  std::exit(1);
}

sockaddr_in addr_of(const std::string& host, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) die("bad address " + host);
  if ((ntohl(a.sin_addr.s_addr) >> 24) != 127) die("refusing a non-loopback target");
  return a;
}

// One blocking HTTP/1.1 request (Connection: close); returns status and body.
std::pair<int, std::string> http(const Options& o, const std::string& method,
                                 const std::string& path, const std::string& body,
                                 const std::string& token) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto a = addr_of(o.host, o.http_port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("http connect failed");
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + o.host +
                    "\r\nConnection: close\r\nContent-Type: application/json\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) die("http write");
  std::string resp;
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto sp = resp.find(' ');
  auto he = resp.find("\r\n\r\n");
  if (sp == std::string::npos || he == std::string::npos) die("bad http response to " + path);
  return {std::atoi(resp.c_str() + sp + 1), resp.substr(he + 4)};
}

struct User {
  std::string token, session;
};

User register_user(const Options& o, const std::string& email) {
  json::object b{{"name", "Fanout " + email}, {"email", email}, {"password", "fanout-pass"}};
  auto [status, body] = http(o, "POST", "/api/auth/register", json::serialize(b), "");
  if (status != 201) die("register " + email + ": HTTP " + std::to_string(status) + " " + body);
  auto v = json::parse(body).as_object();
  return {std::string(v.at("token").as_string()), std::string(v.at("sessionId").as_string())};
}

enum class St { connecting, upgrading, open, connected, joined, dead };

struct Conn {
  int fd = -1;
  int user = 0;
  St st = St::connecting;
  bool upgraded = false;
  std::string rx;  // bytes of an incomplete frame (or of the HTTP response)
  uint64_t frames = 0, messages = 0;
};

struct Client {
  Options o;
  std::vector<User> users;
  std::string room;
  std::vector<Conn> conns;
  int ep = -1;
  int joined = 0, dead = 0;
  uint64_t frames = 0, messages = 0;
  bool counting = false;

  void send_text(Conn& c, std::string_view payload) {
    std::string f;
    f.push_back(static_cast<char>(0x81));
    const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
    if (payload.size() < 126) {
      f.push_back(static_cast<char>(0x80 | payload.size()));
    } else {
      f.push_back(static_cast<char>(0x80 | 126));
      f.push_back(static_cast<char>(payload.size() >> 8));
      f.push_back(static_cast<char>(payload.size() & 0xff));
    }
    f.append(reinterpret_cast<const char*>(key), 4);
    for (size_t i = 0; i < payload.size(); ++i)
      f.push_back(static_cast<char>(payload[i] ^ static_cast<char>(key[i % 4])));
    if (write(c.fd, f.data(), f.size()) != static_cast<ssize_t>(f.size())) kill(c);
  }

  void kill(Conn& c) {
    if (c.st == St::dead) return;
    if (c.st == St::joined) --joined;
    c.st = St::dead;
    ++dead;
    close(c.fd);
  }

  void open(size_t i) {
    Conn& c = conns[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c.fd < 0) die(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto src = addr_of("127.0.0." + std::to_string(2 + i % static_cast<size_t>(o.sources)), 0);
    if (bind(c.fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) die("bind");
    auto dst = addr_of(o.host, o.ws_port);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0 && errno != EINPROGRESS)
      die(std::string("connect: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
  }

  void on_writable(size_t i) {
    Conn& c = conns[i];
    if (c.st != St::connecting) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return kill(c);
    std::string req = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + o.host +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n";
    if (write(c.fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return kill(c);
    c.st = St::upgrading;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void on_frame(Conn& c, int opcode, std::string_view p) {
    if (opcode == 8) return kill(c);
    if (opcode != 1) return;
    if (counting) {
      ++c.frames, ++frames;
      if (p.starts_with("42[\"message\"")) ++c.messages, ++messages;
    }
    if (p == "2") return send_text(c, "3");
    switch (c.st) {
      case St::upgrading:
        if (!p.starts_with("0")) return kill(c);
        {
          const User& u = users[static_cast<size_t>(c.user)];
          send_text(c, "40{\"token\":\"" + u.token + "\",\"sessionId\":\"" + u.session + "\"}");
        }
        c.st = St::open;
        break;
      case St::open:
        if (p.starts_with("44")) return kill(c);
        if (!p.starts_with("40")) return;
        send_text(c, "42[\"joinRoom\",\"" + room + "\"]");
        c.st = St::connected;
        break;
      case St::connected:
        if (p.starts_with("42[\"joinRoomSuccess\"")) c.st = St::joined, ++joined;
        if (p.starts_with("42[\"joinRoomError\"")) return kill(c);
        break;
      default:
        break;
    }
  }

  // Parses every complete frame in data; returns how many bytes were consumed.
  size_t parse(Conn& c, const char* data, size_t n) {
    size_t off = 0;
    while (c.st != St::dead) {
      if (n - off < 2) break;
      auto b0 = static_cast<unsigned char>(data[off]);
      auto b1 = static_cast<unsigned char>(data[off + 1]);
      size_t hdr = 2, len = b1 & 0x7f;
      if (len == 126) {
        if (n - off < 4) break;
        len = (static_cast<size_t>(static_cast<unsigned char>(data[off + 2])) << 8) |
              static_cast<unsigned char>(data[off + 3]);
        hdr = 4;
      } else if (len == 127) {
        if (n - off < 10) break;
        len = 0;
        for (int k = 0; k < 8; ++k)
          len = (len << 8) | static_cast<unsigned char>(data[off + 2 + static_cast<size_t>(k)]);
        hdr = 10;
      }
      if (n - off < hdr + len) break;
      on_frame(c, b0 & 0x0f, std::string_view(data + off + hdr, len));
      off += hdr + len;
    }
    return off;
  }

  void on_readable(size_t i) {
    static char buf[1 << 16];
    Conn& c = conns[i];
    for (;;) {
      ssize_t r = read(c.fd, buf, sizeof buf);
      if (r == 0 || (r < 0 && errno != EAGAIN)) return kill(c);
      if (r < 0) return;
      auto n = static_cast<size_t>(r);
      if (!c.upgraded) {
        c.rx.append(buf, n);
        auto he = c.rx.find("\r\n\r\n");
        if (he == std::string::npos) continue;
        if (c.rx.compare(0, 12, "HTTP/1.1 101") != 0) return kill(c);
        c.rx.erase(0, he + 4);
        c.upgraded = true;
      } else if (c.rx.empty()) {
        size_t used = parse(c, buf, n);
        if (c.st != St::dead && used < n) c.rx.assign(buf + used, n - used);
        if (n < sizeof buf) return;
        continue;
      } else {
        c.rx.append(buf, n);
      }
      size_t used = parse(c, c.rx.data(), c.rx.size());
      if (c.st == St::dead) return;
      c.rx.erase(0, used);
      if (n < sizeof buf) return;
    }
  }

  void poll(int timeout_ms) {
    epoll_event evs[512];
    int n = epoll_wait(ep, evs, 512, timeout_ms);
    for (int k = 0; k < n; ++k) {
      size_t i = evs[k].data.u64;
      if (conns[i].st == St::dead) continue;
      if (evs[k].events & EPOLLOUT) on_writable(i);
      if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(i);
    }
  }

  // Opens sockets [from, to) with at most 256 handshakes in flight; waits until all joined.
  void connect_range(size_t from, size_t to, double deadline_s) {
    size_t next = from;
    const double end = now_s() + deadline_s;
    const int joined0 = joined;
    const auto count = static_cast<int>(to - from);
    while (joined - joined0 < count) {
      while (next < to && static_cast<int>(next - from) - (joined - joined0) < 256)
        open(next++);
      poll(10);
      if (dead > 0) die(std::to_string(dead) + " sockets failed during setup");
      if (now_s() > end) die("setup deadline passed: " + std::to_string(joined) + " joined");
    }
  }
};

uint64_t proc_cpu_ticks(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::istringstream in(s.substr(p + 2));
  std::string field;
  uint64_t ut = 0, stt = 0;
  for (int k = 3; k <= 15 && (in >> field); ++k) {
    if (k == 14) ut = std::stoull(field);
    if (k == 15) stt = std::stoull(field);
  }
  return ut + stt;
}

// Time the server's threads spent runnable but waiting for a CPU (schedstat field 2), in s.
double proc_run_delay_s(int pid) {
  double total = 0;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream st(e.path() / "schedstat");
    uint64_t run = 0, wait = 0;
    if (st >> run >> wait) total += static_cast<double>(wait) * 1e-9;
  }
  return total;
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  Client cl;
  Options& o = cl.o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--http-port")
      o.http_port = std::stoi(v);
    else if (k == "--ws-port")
      o.ws_port = std::stoi(v);
    else if (k == "--users")
      o.users = std::stoi(v);
    else if (k == "--sockets")
      o.sockets = std::stoi(v);
    else if (k == "--senders")
      o.senders = std::stoi(v);
    else if (k == "--rate")
      o.rate = std::stod(v);
    else if (k == "--seconds")
      o.seconds = std::stod(v);
    else if (k == "--server-pid")
      o.server_pid = std::stoi(v);
    else if (k == "--sources")
      o.sources = std::stoi(v);
    else if (k == "--prefix")
      o.prefix = v;
    else
      die("unknown option " + k);
  }
  if (o.http_port <= 0 || o.ws_port <= 0 || o.users < 1 || o.sockets < o.users || o.seconds <= 0 ||
      o.seconds > 600 || o.rate <= 0 || o.senders < 1 || o.senders > o.users + 1)
    die("usage: --http-port P --ws-port P [--users 100 --sockets 10000 --rate 50 --seconds 10 "
        "--senders 1 --server-pid PID --sources 10 --prefix fanout]");

  // Users 0..users-1 receive; user `users` sends. Registration is argon2id-bound (~50/s).
  double t = now_s();
  for (int u = 0; u <= o.users; ++u)
    cl.users.push_back(register_user(
        o, o.prefix + "-" + std::to_string(u) + "-" + std::to_string(getpid()) + "@fanout.test"));
  std::printf("registered %d users in %.1f s\n", o.users + 1, now_s() - t);
  {
    auto [status, body] =
        http(o, "POST", "/api/rooms", R"({"name":"fanout room"})", cl.users.back().token);
    if (status != 201) die("create room: HTTP " + std::to_string(status) + " " + body);
    cl.room = std::string(json::parse(body).at("data").at("_id").as_string());
  }

  // Socket i belongs to user i % users; the sender is the last socket.
  cl.ep = epoll_create1(0);
  const auto n = static_cast<size_t>(o.sockets);
  cl.conns.resize(n + 1);
  for (size_t i = 0; i < n; ++i)
    cl.conns[i].user = static_cast<int>(i % static_cast<size_t>(o.users));
  cl.conns[n].user = o.users;
  t = now_s();
  cl.connect_range(n, n + 1, 30);                          // sender first: it owns the room
  cl.connect_range(0, static_cast<size_t>(o.users), 120);  // one socket per user: full joins
  cl.connect_range(static_cast<size_t>(o.users), n, 300);  // the rest: presence shortcut
  std::printf("%d sockets joined in %.1f s\n", cl.joined, now_s() - t);
  const double settle_end = now_s() + 2;
  while (now_s() < settle_end)
    cl.poll(10);

  // The send window.
  cl.counting = true;
  const long tck = sysconf(_SC_CLK_TCK);
  const uint64_t srv0 = o.server_pid ? proc_cpu_ticks(o.server_pid) : 0;
  const double me0 = self_cpu_s();
  const double wait0 = o.server_pid ? proc_run_delay_s(o.server_pid) : 0;
  const double t0 = now_s();
  uint64_t sent = 0;
  // Each sender is its own user: a user's messages are handled in order one at a time (the
  // per-socket queue awaits the store), so one sender caps the stream at its round-trip rate.
  std::vector<Conn*> senders{&cl.conns[n]};
  // A user's last socket is the one its session lives on (earlier ones got duplicate_login).
  for (int i = 0; i + 1 < o.senders; ++i)
    senders.push_back(&cl.conns[n - 1 - static_cast<size_t>(i)]);
  while (true) {
    double el = now_s() - t0;
    if (el >= o.seconds) break;
    while (static_cast<double>(sent) < el * o.rate) {
      cl.send_text(*senders[sent % senders.size()],
                   "42[\"chatMessage\",{\"room\":\"" + cl.room +
                       "\",\"type\":\"text\",\"content\":\"fanout " + std::to_string(sent) +
                       "\"}]");
      ++sent;
    }
    double next = static_cast<double>(sent) / o.rate - el;
    cl.poll(std::max(0, std::min(10, static_cast<int>(next * 1000))));
  }
  const double t1 = now_s();
  const uint64_t srv1 = o.server_pid ? proc_cpu_ticks(o.server_pid) : 0;
  const double me1 = self_cpu_s();
  const double wait1 = o.server_pid ? proc_run_delay_s(o.server_pid) : 0;
  const uint64_t frames_window = cl.frames, msgs_window = cl.messages;
  const double drain_end = now_s() + 5;
  const uint64_t expected = sent * (n + 1);
  while (now_s() < drain_end && cl.messages < expected)
    cl.poll(10);

  const double span = t1 - t0;
  const double srv_cpu = static_cast<double>(srv1 - srv0) / static_cast<double>(tck);
  std::printf("window %.2f s: %lu chatMessage sent (%.0f/s) by %zu senders to %zu sockets\n", span,
              sent, static_cast<double>(sent) / span, senders.size(), n + 1);
  std::printf("frames received in window: %lu (%.0f/s), message frames %lu (%.0f/s)\n",
              frames_window, static_cast<double>(frames_window) / span, msgs_window,
              static_cast<double>(msgs_window) / span);
  std::printf("after %.1f s drain: message frames %lu of %lu expected; %d sockets died\n",
              now_s() - t1, cl.messages, expected, cl.dead);
  std::printf("server CPU in window: %.2f s (%.2f cores); client CPU %.2f s (%.2f cores)\n",
              srv_cpu, srv_cpu / span, me1 - me0, (me1 - me0) / span);
  std::printf("server threads runnable but waiting for a CPU: %.2f s (%.2f of the window)\n",
              wait1 - wait0, (wait1 - wait0) / span);
  if (srv_cpu > 0)
    std::printf("FANOUT frames per server CPU-second: %.0f\n",
                static_cast<double>(frames_window) / srv_cpu);
  return cl.dead > 0 ? 1 : 0;
}

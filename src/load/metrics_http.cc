// Blocking GET over a non-blocking socket with poll(), so every step respects one deadline.
#include "load/metrics_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace parley::load {

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Waits for `events` until the deadline; false on timeout.
bool wait_for(int fd, short events, int64_t deadline) {
  for (;;) {
    const int64_t left = deadline - now_ms();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) return false;
  }
}

constexpr size_t kMaxBody = 16 * 1024 * 1024;  // a metrics page is kilobytes; refuse a runaway

Result<std::string> dechunk(std::string_view body) {
  std::string out;
  size_t i = 0;
  for (;;) {
    const size_t eol = body.find("\r\n", i);
    if (eol == std::string_view::npos) return Error::invalid("bad chunked body");
    const std::string size_text(body.substr(i, eol - i));
    char* end = nullptr;
    const unsigned long n = std::strtoul(size_text.c_str(), &end, 16);
    if (end == size_text.c_str()) return Error::invalid("bad chunk size");
    i = eol + 2;
    if (n == 0) return out;
    if (i + n > body.size()) return Error::invalid("truncated chunk");
    out.append(body.substr(i, n));
    i += n + 2;
  }
}

}  // namespace

Result<MetricsUrl> parse_metrics_url(std::string_view url) {
  MetricsUrl m;
  m.text = std::string(url);
  const size_t scheme = url.find("://");
  const size_t slash = url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  std::string_view base = url;
  if (slash != std::string_view::npos) {
    base = url.substr(0, slash);
    if (slash + 1 < url.size()) m.path = std::string(url.substr(slash));
  }
  auto t = parse_target(base);
  if (!t) return t.error();
  if (t->scheme != "http") return Error::invalid("--server-metrics must be http://");
  m.target = *t;
  return m;
}

Result<std::string> http_get(const Target& target, std::string_view path, int timeout_ms) {
  const int64_t deadline = now_ms() + timeout_ms;
  Fd s;
  const bool v6 = target.ip.find(':') != std::string::npos;
  s.fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.fd < 0) return Error::unavailable(std::string("socket: ") + std::strerror(errno));
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(target.port);
    if (::inet_pton(AF_INET6, target.ip.c_str(), &a->sin6_addr) != 1)
      return Error::invalid("bad address " + target.ip);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(target.port);
    if (::inet_pton(AF_INET, target.ip.c_str(), &a->sin_addr) != 1)
      return Error::invalid("bad address " + target.ip);
    len = sizeof *a;
  }
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS)
    return Error::unavailable(std::string("connect: ") + std::strerror(errno));
  if (!wait_for(s.fd, POLLOUT, deadline)) return Error::unavailable("timeout");
  int err = 0;
  socklen_t elen = sizeof err;
  ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &elen);
  if (err != 0) return Error::unavailable(std::string("connect: ") + std::strerror(err));
  const std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + target.host_header +
                          "\r\nAccept: text/plain;version=0.0.4\r\nConnection: close\r\n\r\n";
  for (size_t off = 0; off < req.size();) {
    const ssize_t n = ::send(s.fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait_for(s.fd, POLLOUT, deadline)) return Error::unavailable("timeout");
      continue;
    }
    return Error::unavailable(std::string("send: ") + std::strerror(errno));
  }
  std::string in;
  size_t header_end = std::string::npos;
  int64_t content_length = -1;
  bool chunked = false;
  for (;;) {
    if (header_end != std::string::npos && content_length >= 0 &&
        in.size() - header_end >= static_cast<size_t>(content_length))
      break;
    if (!wait_for(s.fd, POLLIN, deadline)) return Error::unavailable("timeout");
    char buf[16384];
    const ssize_t n = ::recv(s.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n < 0) return Error::unavailable(std::string("recv: ") + std::strerror(errno));
    if (n == 0) break;
    in.append(buf, static_cast<size_t>(n));
    if (in.size() > kMaxBody) return Error::invalid("answer larger than 16 MiB");
    if (header_end == std::string::npos) {
      const size_t e = in.find("\r\n\r\n");
      if (e == std::string::npos) continue;
      header_end = e + 4;
      // Header names are case-insensitive; lower-case a copy to look them up.
      std::string head = in.substr(0, e);
      for (char& c : head)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (const size_t cl = head.find("\r\ncontent-length:"); cl != std::string::npos)
        content_length = std::strtoll(head.c_str() + cl + 17, nullptr, 10);
      if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) chunked = true;
    }
  }
  if (header_end == std::string::npos)
    return Error::unavailable("connection closed before the answer");
  int status = 0;
  if (in.compare(0, 5, "HTTP/") == 0) {
    const size_t sp = in.find(' ');
    if (sp != std::string::npos) status = std::atoi(in.c_str() + sp + 1);
  }
  if (status != 200) return Error::unavailable("HTTP " + std::to_string(status));
  std::string_view body = std::string_view(in).substr(header_end);
  if (chunked) return dechunk(body);
  if (content_length >= 0) {
    if (body.size() < static_cast<size_t>(content_length))
      return Error::unavailable("truncated answer");
    body = body.substr(0, static_cast<size_t>(content_length));
  }
  return std::string(body);
}

}  // namespace parley::load

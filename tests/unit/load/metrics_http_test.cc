// The scraper's HTTP client against a real HTTP server on 127.0.0.1 (a thread with a listening
// socket that answers one request per connection: Content-Length, chunked, an error status, a
// server that never answers), and the loopback guard on --server-metrics URLs.
#include "load/metrics_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "load/client.h"
#include "load/server_metrics.h"

namespace parley::load {
namespace {

// Answers each connection with `answer` (after reading the request head), `count` times.
class OneShotServer {
 public:
  OneShotServer(std::string answer, int count) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, count]() {
      for (int i = 0; i < count; ++i) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          const ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          req.append(buf, static_cast<size_t>(n));
        }
        last_request_ = req;
        if (!answer_.empty()) (void)!::send(c, answer_.data(), answer_.size(), MSG_NOSIGNAL);
        if (!answer_.empty())
          ::close(c);
        else
          held_ = c;  // never answer: the client's deadline must end it
      }
    });
  }
  ~OneShotServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    if (held_ >= 0) ::close(held_);
  }
  Target target() const {
    auto t = parse_target("http://127.0.0.1:" + std::to_string(port_));
    return *t;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/metrics"; }
  std::string last_request() const { return last_request_; }

 private:
  std::string answer_;
  int fd_ = -1;
  int held_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::string last_request_;
};

TEST(MetricsHttp, ContentLength) {
  OneShotServer s(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
      "Content-Length: 6\r\n\r\nup 1\nEXTRA",
      1);
  auto body = http_get(s.target(), "/metrics", 2000);
  ASSERT_TRUE(body.ok()) << body.error().detail;
  EXPECT_EQ(*body, "up 1\nE");
}

TEST(MetricsHttp, ChunkedAndReadToClose) {
  {
    OneShotServer s(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nup 1\n\r\n"
        "7\r\ndown 0\n\r\n0\r\n\r\n",
        1);
    auto body = http_get(s.target(), "/metrics", 2000);
    ASSERT_TRUE(body.ok()) << body.error().detail;
    EXPECT_EQ(*body, "up 1\ndown 0\n");
  }
  {
    OneShotServer s("HTTP/1.0 200 OK\r\n\r\nx 2\n", 1);
    auto body = http_get(s.target(), "/m", 2000);
    ASSERT_TRUE(body.ok()) << body.error().detail;
    EXPECT_EQ(*body, "x 2\n");
    EXPECT_EQ(s.last_request().rfind("GET /m HTTP/1.1\r\n", 0), 0u) << s.last_request();
  }
}

TEST(MetricsHttp, FailuresAreValues) {
  {
    OneShotServer s("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 1);
    auto body = http_get(s.target(), "/metrics", 2000);
    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.error().detail, "HTTP 404");
  }
  {
    OneShotServer s("", 1);  // accepts, never answers
    auto body = http_get(s.target(), "/metrics", 300);
    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.error().detail, "timeout");
  }
  uint16_t dead_port;
  {
    OneShotServer s("x", 0);
    dead_port = static_cast<uint16_t>(std::stoi(s.url().substr(17)));
  }
  auto t = parse_target("http://127.0.0.1:" + std::to_string(dead_port));
  auto body = http_get(*t, "/metrics", 1000);
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.error().detail.find("connect"), std::string::npos) << body.error().detail;
}

TEST(MetricsHttp, UrlsAreLoopbackOnly) {
  auto m = parse_metrics_url("http://127.0.0.1:9100");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->path, "/metrics");
  EXPECT_EQ(m->target.port, 9100);
  auto p = parse_metrics_url("http://localhost:9100/custom/metrics");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->path, "/custom/metrics");
  EXPECT_FALSE(parse_metrics_url("http://10.0.0.1:9100/metrics").ok());
  EXPECT_FALSE(parse_metrics_url("http://example.com/metrics").ok());
}

TEST(ServerScraper, ScrapesARealServerAndCountsFailures) {
  const std::string page =
      "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 3\n"
      "process_resident_memory_bytes 1048576\nparley_sio_sockets{transport=\"websocket\"} 7\n"
      "parley_build_info{version=\"1.2.3\",commit=\"abc123\"} 1\n";
  OneShotServer s(
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(page.size()) + "\r\n\r\n" + page, 2);
  auto good = parse_metrics_url(s.url());
  auto bad = parse_metrics_url("http://127.0.0.1:1/metrics");  // nothing listens on port 1
  ASSERT_TRUE(good.ok() && bad.ok());
  ServerScraper scraper({*good, *bad}, 0.2, 500);
  scraper.start(mono_ns());
  for (int i = 0; i < 50 && scraper.snapshot()[0].points.size() < 2; ++i)
    ::usleep(20000);
  scraper.stop();
  const auto series = scraper.snapshot();
  ASSERT_EQ(series.size(), 2u);
  ASSERT_GE(series[0].points.size(), 2u);
  EXPECT_EQ(series[0].version, "1.2.3");
  EXPECT_EQ(series[0].commit, "abc123");
  EXPECT_DOUBLE_EQ(*series[0].points[0].sockets, 7);
  EXPECT_DOUBLE_EQ(*series[0].points[1].cpu_cores, 0);  // the page did not change
  EXPECT_GE(series[1].failures, 1);
  EXPECT_TRUE(series[1].points.empty());
  EXPECT_NE(series[1].last_error.find("connect"), std::string::npos) << series[1].last_error;
}

}  // namespace
}  // namespace parley::load

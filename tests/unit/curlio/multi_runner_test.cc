// curlio: perform() against a tiny HTTP server on 127.0.0.1 (status, headers, body, request body,
// the response cap), the runner's idle limit on a server that never answers, and shutdown
// finishing every transfer exactly once.
#include "curlio/multi_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "curlio/request.h"

namespace parley::curlio {
namespace {

using tcp = boost::asio::ip::tcp;

// Accepts connections on a thread; answers each request with `reply` (or never, if empty),
// after recording the request it read.
class TinyServer {
 public:
  explicit TinyServer(std::string reply) : reply_(std::move(reply)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyServer() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/x";
  }
  std::string request() {
    std::lock_guard lock(mutex_);
    return request_;
  }

 private:
  void serve() {
    boost::system::error_code ec;
    tcp::socket s = acceptor_.accept(ec);
    if (ec) return;
    std::string buf;
    boost::asio::read_until(s, boost::asio::dynamic_buffer(buf), "\r\n\r\n", ec);
    // A body announced by Content-Length: read it too.
    const size_t at = buf.find("Content-Length: ");
    const size_t head = buf.find("\r\n\r\n") + 4;
    if (at != std::string::npos) {
      const size_t len = std::stoul(buf.substr(at + 16));
      while (buf.size() < head + len && !ec) {
        char tmp[4096];
        const size_t n = s.read_some(boost::asio::buffer(tmp), ec);
        buf.append(tmp, n);
      }
    }
    {
      std::lock_guard lock(mutex_);
      request_ = buf;
    }
    if (reply_.empty()) {  // never answer: hold the connection until the test ends
      while (!stop_)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    boost::asio::write(s, boost::asio::buffer(reply_), ec);
  }

  std::string reply_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string request_;
};

Result<HttpResponse> run(MultiRunner& runner, HttpRequest request) {
  boost::asio::io_context io;
  std::optional<Result<HttpResponse>> out;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        out.emplace(co_await perform(runner, std::move(request)));
      },
      boost::asio::detached);
  io.run();
  return std::move(*out);
}

TEST(Curlio, PerformReturnsStatusHeadersAndBody) {
  TinyServer server(
      "HTTP/1.1 201 Created\r\nETag: \"abc\"\r\nContent-Length: 5\r\nConnection: "
      "close\r\n\r\nhello");
  auto runner = MultiRunner::start("test-io");
  ASSERT_TRUE(runner.ok());
  HttpRequest req;
  req.method = "PUT";
  req.url = server.url();
  req.headers = {"X-Test: 1"};
  req.body = std::make_shared<const std::string>("payload!");
  auto r = run(*runner.value(), req);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->header("etag"), "\"abc\"");
  EXPECT_EQ(r->body, "hello");
  const std::string seen = server.request();
  EXPECT_TRUE(seen.starts_with("PUT /x HTTP/1.1\r\n")) << seen;
  EXPECT_NE(seen.find("X-Test: 1\r\n"), std::string::npos);
  EXPECT_TRUE(seen.ends_with("\r\n\r\npayload!")) << seen;
}

TEST(Curlio, ResponseOverTheCapFails) {
  TinyServer server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789");
  auto runner = MultiRunner::start("test-io");
  ASSERT_TRUE(runner.ok());
  HttpRequest req;
  req.url = server.url();
  req.max_response_bytes = 4;
  auto r = run(*runner.value(), req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
}

TEST(Curlio, IdleLimitEndsASilentRequest) {
  TinyServer server("");  // accepts, reads, never answers
  auto runner = MultiRunner::start("test-io");
  ASSERT_TRUE(runner.ok());
  HttpRequest req;
  req.url = server.url();
  req.idle_timeout = std::chrono::milliseconds(200);
  req.total_timeout = std::chrono::milliseconds(20'000);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run(*runner.value(), req);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().detail.starts_with("timeout:")) << r.error().detail;
  EXPECT_LT(took, std::chrono::seconds(10));
}

struct CountingTransfer final : Transfer {
  std::atomic<int>* calls;
  std::atomic<int>* last_rc;
  CountingTransfer(std::atomic<int>* c, std::atomic<int>* rc, const std::string& url)
      : calls(c), last_rc(rc) {
    curl_easy_setopt(easy(), CURLOPT_URL, url.c_str());
  }
  void finished(CURLcode rc) override {
    ++*calls;
    *last_rc = rc;
  }
};

TEST(Curlio, ShutdownFinishesTransfersOnceAndRefusesNewOnes) {
  TinyServer server("");
  auto runner = MultiRunner::start("test-io");
  ASSERT_TRUE(runner.ok());
  std::atomic<int> calls{0}, rc{-1};
  runner.value()->submit(std::make_unique<CountingTransfer>(&calls, &rc, server.url()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  runner.value()->shutdown();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(rc.load(), CURLE_ABORTED_BY_CALLBACK);
  runner.value()->submit(std::make_unique<CountingTransfer>(&calls, &rc, server.url()));
  EXPECT_EQ(calls.load(), 2) << "refused at once after shutdown";
  runner.value()->shutdown();  // idempotent
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace parley::curlio

// Tests for redis::Cluster against bad peers: a tiny fake node (a TCP server in the test that
// claims every slot) answering garbage, closing mid-reply or never answering. Each must give
// an Error, never a crash, and the next command must work.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <thread>

#include "redis/cluster.h"
#include "redis/codec.h"
#include "test_cluster.h"

namespace parley::redis {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;
using test::run;

// Answers each request by its last argument (the key): "garbage", "half" (part of a bulk,
// then close), "silent" (no answer), "huge" (an array length past the decoder's limit);
// anything else gets "ok". CLUSTER SHARDS gets a one-shard map pointing at this server, or
// garbage when `bad_shards`.
class FakeNode {
 public:
  explicit FakeNode(bool bad_shards = false)
      : bad_shards_(bad_shards),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { accept_loop(); });
  }
  ~FakeNode() {
    // Closing a socket does not wake a thread blocked on it: a last connection wakes accept(),
    // shutdown() wakes the readers.
    stopping_ = true;
    boost::system::error_code ec;
    {
      tcp::socket wake(io_);
      wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
      thread_.join();
    }
    {
      std::lock_guard lock(mu_);
      for (auto& s : sockets_)
        s->shutdown(tcp::socket::shutdown_both, ec);
    }
    for (auto& t : conns_)
      t.join();
  }
  uint16_t port() const { return port_; }
  int connections() const { return accepted_; }

 private:
  void accept_loop() {
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*sock, ec);
      if (ec || stopping_) return;
      ++accepted_;
      std::lock_guard lock(mu_);
      sockets_.push_back(sock);
      conns_.emplace_back([this, sock] { serve(*sock); });
    }
  }

  std::string shards() const {
    const std::string port = std::to_string(port_);
    return "*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n*10\r\n"
           "$2\r\nid\r\n$4\r\nfake\r\n$4\r\nport\r\n:" +
           port +
           "\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$6\r\nhealth\r\n"
           "$6\r\nonline\r\n";
  }

  void serve(tcp::socket& s) {
    Decoder requests;  // a request is a RESP array of bulk strings: the reply parser reads it
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec || !requests.feed(std::string_view(buf, n))) return;
      for (;;) {
        auto req = requests.next();
        if (!req || !req.value()) break;
        const auto& args = req.value()->elements;
        if (args.empty()) return;
        const std::string& verb = args[0].str;
        const std::string& last = args.back().str;
        std::string out;
        if (verb == "CLUSTER") {
          out = bad_shards_ ? "*1\r\n*x\r\n" : shards();
        } else if (last == "garbage") {
          out = "%%%garbage\r\n";
        } else if (last == "half") {
          asio::write(s, asio::buffer(std::string("$10\r\nabc")), ec);
          s.shutdown(tcp::socket::shutdown_both, ec);
          return;
        } else if (last == "silent") {
          continue;
        } else if (last == "huge") {
          out = "*2147483647\r\n";
        } else {
          out = "$2\r\nok\r\n";
        }
        asio::write(s, asio::buffer(out), ec);
        if (ec) return;
      }
    }
  }

  bool bad_shards_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::vector<std::thread> conns_;
  std::thread thread_;
};

ClusterOptions fake_options(const FakeNode& f) {
  ClusterOptions o;
  o.seeds = {Endpoint{"127.0.0.1", f.port()}};
  o.command_timeout = 400ms;
  o.connect_timeout = 300ms;
  return o;
}

void expect_ok(Cluster& c) {
  auto r = run(c.command("x", {"GET", "x"}));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->str, "ok");
}

TEST(RedisClusterBadPeer, GarbageIsAnErrorAndTheNextCommandWorks) {
  FakeNode fake;
  auto c = Cluster::start(fake_options(fake));
  ASSERT_TRUE(c) << c.error().detail;
  expect_ok(**c);
  auto r = run((*c)->command("garbage", {"GET", "garbage"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_NE(r.error().detail.find("protocol error"), std::string::npos) << r.error().detail;
  expect_ok(**c);
  auto huge = run((*c)->command("huge", {"GET", "huge"}));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().detail.find("protocol error"), std::string::npos) << huge.error().detail;
  expect_ok(**c);
}

TEST(RedisClusterBadPeer, CloseMidReplyIsAnError) {
  FakeNode fake;
  auto c = Cluster::start(fake_options(fake));
  ASSERT_TRUE(c) << c.error().detail;
  auto r = run((*c)->command("half", {"GET", "half"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_NE(r.error().detail.find("outcome unknown"), std::string::npos) << r.error().detail;
  expect_ok(**c);
  EXPECT_GE((*c)->stats().reconnects, 1u);
}

TEST(RedisClusterBadPeer, SilentNodeTimesOutAndTheConnectionIsReplaced) {
  FakeNode fake;
  auto c = Cluster::start(fake_options(fake));
  ASSERT_TRUE(c) << c.error().detail;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run((*c)->command("silent", {"GET", "silent"}));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_GE(took, 390ms);
  EXPECT_LT(took, 1500ms);
  // Without the reset, this "ok" would be taken as the silent command's reply and lost.
  expect_ok(**c);
  EXPECT_EQ((*c)->stats().timeouts, 1u);
}

TEST(RedisClusterBadPeer, GarbageSlotMapFailsStart) {
  FakeNode fake(/*bad_shards=*/true);
  auto c = Cluster::start(fake_options(fake));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, Error::Kind::unavailable);
}

TEST(RedisClusterBadPeer, NothingListening) {
  ClusterOptions o;
  o.seeds = {Endpoint{"127.0.0.1", 1}, Endpoint{"127.0.0.1", 2}};
  o.connect_timeout = 200ms;
  const auto t0 = std::chrono::steady_clock::now();
  auto c = Cluster::start(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, Error::Kind::unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

}  // namespace
}  // namespace parley::redis

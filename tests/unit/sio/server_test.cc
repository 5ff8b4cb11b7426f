// Tests for the Socket.IO v5 server over real Engine.IO connections: CONNECT (accepted, rejected,
// unknown namespace, custom namespace, connect timeout), held emits, events, acks, binary events,
// client and server DISCONNECT, transport close, malformed packets, group bookkeeping, the
// pre-encoded frames, and the slow-consumer cap.
#include "sio/server.h"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "../eio/wire_client.h"
#include "net/http_server.h"
#include "sio/socket_impl.h"

namespace parley::sio {
namespace {

using namespace parley::testing;

class RecordingGroups final : public Groups {
 public:
  void add(const std::string& group, Socket* socket) override {
    std::lock_guard lock(mutex_);
    members_[group].insert(socket);
  }
  void remove(const std::string& group, Socket* socket) override {
    std::lock_guard lock(mutex_);
    members_[group].erase(socket);
  }
  std::size_t count(const std::string& group) {
    std::lock_guard lock(mutex_);
    return members_[group].size();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::set<Socket*>> members_;
};

class TestHandler final : public SocketHandler, public BinaryEventHandler {
 public:
  asio::awaitable<ConnectResult> on_connect(SocketPtr socket, std::string_view nsp,
                                            const json::value& auth) override {
    const json::object* o = auth.if_object();
    if (o && o->contains("reject")) {
      co_return ConnectResult::reject(std::string(o->at("reject").as_string()));
    }
    if (o && o->contains("delay")) {  // an asynchronous check, as the chat's session lookup
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(o->at("delay").to_number<int>()));
      co_await timer.async_wait(asio::use_awaitable);
    }
    socket->emit("welcome", json::string(nsp));  // held until the CONNECT ack
    socket->join("lobby");
    co_return ConnectResult::accept();
  }
  void on_connected(SocketPtr socket) override {
    std::lock_guard lock(mutex_);
    connected_.push_back(socket);
    cv_.notify_all();
  }
  void on_event(SocketPtr socket, std::string_view event, json::array args,
                std::optional<uint64_t> ack_id) override {
    if (event == "echo") socket->emit("echo", args);
    if (event == "ack" && ack_id) socket->ack(*ack_id, args);
    if (event == "kick") socket->disconnect();
    if (event == "join") socket->join(std::string(args.at(0).as_string()));
  }
  void on_binary_event(SocketPtr socket, std::string_view, json::array args,
                       std::vector<std::string> attachments,
                       std::optional<uint64_t> ack_id) override {
    auto impl = std::static_pointer_cast<SocketImpl>(socket);
    if (ack_id) {
      impl->ack_binary(*ack_id, args, std::move(attachments));
    } else {
      impl->emit_args("bin-echo", args, std::move(attachments));
    }
  }
  void on_disconnect(SocketPtr socket, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    disconnects_.emplace_back(reason);
    in_lobby_after_disconnect_ = in_lobby_after_disconnect_ || socket->in_group("lobby");
    cv_.notify_all();
  }

  std::vector<std::string> wait_disconnects(std::size_t n, std::chrono::milliseconds t = 5s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, t, [&] { return disconnects_.size() >= n; });
    return disconnects_;
  }
  SocketPtr wait_connected(std::size_t i, std::chrono::milliseconds t = 5s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, t, [&] { return connected_.size() > i; });
    return i < connected_.size() ? connected_[i] : nullptr;
  }
  bool in_lobby_after_disconnect() {
    std::lock_guard lock(mutex_);
    return in_lobby_after_disconnect_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<SocketPtr> connected_;
  std::vector<std::string> disconnects_;
  bool in_lobby_after_disconnect_ = false;
};

std::string sid_of(const std::string& packet) {
  const auto key = packet.find("\"sid\":\"");
  if (key == std::string::npos) return {};
  const auto start = key + 7;
  return packet.substr(start, packet.find('"', start) - start);
}

constexpr const char* kWebSocket = "/socket.io/?EIO=4&transport=websocket";
constexpr const char* kPolling = "/socket.io/?EIO=4&transport=polling";

class SioServerTest : public ::testing::Test {
 protected:
  // (No defaulted Options parameter: GCC 12 at -O3 reports its temporary as maybe-uninitialized.)
  void start() { start(default_options_); }
  void start(const Options& options) {
    loops_ = std::make_unique<Loops>(1);
    server_ = std::make_unique<Server>(loops_->ptrs(), handler_, groups_, options);
    http_ = std::make_unique<net::HttpServer>(loops_->ptrs(), server_->http(), net::HttpLimits{});
    ASSERT_TRUE(http_->listen("127.0.0.1", 0).ok());
    port_ = http_->port();
    loops_->start();
  }
  void TearDown() override {
    if (server_) server_->close_all();
    if (http_) quiesce(*http_);
    if (loops_) loops_->stop();
    http_.reset();
    server_.reset();
    loops_.reset();
  }
  // A WebSocket client past the Engine.IO handshake.
  std::unique_ptr<WsClient> open(int receive_buffer = 0) {
    auto ws = std::make_unique<WsClient>(port_, receive_buffer);
    EXPECT_FALSE(ws->connect(kWebSocket));
    auto open = ws->read();
    EXPECT_TRUE(open && open.data[0] == '0');
    return ws;
  }
  // ...and CONNECTed to "/": returns the socket id.
  std::string connect(WsClient& ws) {
    EXPECT_FALSE(ws.send("40"));
    auto ack = ws.read_skip_pings();
    EXPECT_TRUE(ack.data.starts_with("40{\"sid\":\"")) << ack.data;
    EXPECT_EQ(ws.read_skip_pings().data, "42[\"welcome\",\"/\"]");
    return sid_of(ack.data);
  }

  const Options default_options_;
  TestHandler handler_;
  RecordingGroups groups_;
  std::unique_ptr<Loops> loops_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<net::HttpServer> http_;
  uint16_t port_ = 0;
};

TEST(SioFrames, EventFramesAreWholeEngineIoPackets) {
  EXPECT_EQ(*make_event_frame("message", json::object{{"a", 1}}), "42[\"message\",{\"a\":1}]");
  EXPECT_EQ(*make_event_frame_args("m", json::array{1, "x"}), "42[\"m\",1,\"x\"]");
}

TEST_F(SioServerTest, ConnectSendsTheAckThenHeldEmits) {
  start();
  auto ws = open();
  const std::string id = connect(*ws);
  EXPECT_EQ(id.size(), 20u);
  auto socket = handler_.wait_connected(0);
  ASSERT_TRUE(socket);
  EXPECT_EQ(socket->id(), id);
  EXPECT_TRUE(socket->connected());
  EXPECT_EQ(groups_.count("lobby"), 1u);
}

TEST_F(SioServerTest, AsynchronousConnectHoldsEmitsUntilTheAck) {
  start();
  auto ws = open();
  ASSERT_FALSE(ws->send("40{\"delay\":50}"));
  auto ack = ws->read_skip_pings();
  EXPECT_TRUE(ack.data.starts_with("40{\"sid\":\"")) << ack.data;
  EXPECT_EQ(ws->read_skip_pings().data, "42[\"welcome\",\"/\"]");
}

TEST_F(SioServerTest, RejectedConnectGetsConnectError) {
  start();
  auto ws = open();
  ASSERT_FALSE(ws->send("40{\"reject\":\"Invalid token\"}"));
  EXPECT_EQ(ws->read_skip_pings().data, "44{\"message\":\"Invalid token\"}");
  EXPECT_EQ(groups_.count("lobby"), 0u);  // what on_connect joined is undone
  // The connection stays usable.
  connect(*ws);
}

TEST_F(SioServerTest, UnknownNamespaceIsRefused) {
  start();
  auto ws = open();
  ASSERT_FALSE(ws->send("40/nope,"));
  EXPECT_EQ(ws->read_skip_pings().data, "44/nope,{\"message\":\"Invalid namespace\"}");
  ASSERT_FALSE(ws->send("40/nope"));  // the official parser allows the comma to be left out
  EXPECT_EQ(ws->read_skip_pings().data, "44/nope,{\"message\":\"Invalid namespace\"}");
}

TEST_F(SioServerTest, CustomNamespace) {
  Options o;
  o.namespaces = {"/", "/admin"};
  start(o);
  auto ws = open();
  ASSERT_FALSE(ws->send("40/admin,{\"token\":\"x\"}"));
  auto ack = ws->read_skip_pings();
  EXPECT_TRUE(ack.data.starts_with("40/admin,{\"sid\":\"")) << ack.data;
  EXPECT_EQ(ws->read_skip_pings().data, "42/admin,[\"welcome\",\"/admin\"]");
  ASSERT_FALSE(ws->send("42/admin,[\"ack\",true]"));
  ASSERT_FALSE(ws->send("42/admin,5[\"ack\",true]"));
  EXPECT_EQ(ws->read_skip_pings().data, "43/admin,5[true]");
}

TEST_F(SioServerTest, EventsAndAcks) {
  start();
  auto ws = open();
  connect(*ws);
  ASSERT_FALSE(ws->send("42[\"echo\",1,\"two\",{\"3\":[true]}]"));
  EXPECT_EQ(ws->read_skip_pings().data, "42[\"echo\",[1,\"two\",{\"3\":[true]}]]");
  ASSERT_FALSE(ws->send("4217[\"ack\",{\"x\":1},null]"));
  EXPECT_EQ(ws->read_skip_pings().data, "4317[{\"x\":1},null]");
}

TEST_F(SioServerTest, BinaryEventsAndAcks) {
  start();
  auto ws = open();
  connect(*ws);
  ASSERT_FALSE(
      ws->send("452-[\"bin\",{\"_placeholder\":true,\"num\":0},\"mid\","
               "{\"_placeholder\":true,\"num\":1}]"));
  ASSERT_FALSE(ws->send(std::string("\x01\x02", 2), true));
  ASSERT_FALSE(ws->send(std::string("\x00\xff", 2), true));
  EXPECT_EQ(ws->read_skip_pings().data,
            "452-[\"bin-echo\",{\"_placeholder\":true,\"num\":0},\"mid\","
            "{\"_placeholder\":true,\"num\":1}]");
  auto a = ws->read_skip_pings();
  EXPECT_TRUE(a.binary);
  EXPECT_EQ(a.data, std::string("\x01\x02", 2));
  auto b = ws->read_skip_pings();
  EXPECT_TRUE(b.binary);
  EXPECT_EQ(b.data, std::string("\x00\xff", 2));
  ASSERT_FALSE(ws->send("451-9[\"bin\",{\"_placeholder\":true,\"num\":0}]"));
  ASSERT_FALSE(ws->send("z", true));
  EXPECT_EQ(ws->read_skip_pings().data, "461-9[{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(ws->read_skip_pings().data, "z");
}

TEST_F(SioServerTest, SocketIoOverPolling) {
  start();
  auto hs = http_get(port_, kPolling);
  const std::string target = std::string(kPolling) + "&sid=" + sid_of(hs.body);
  ASSERT_EQ(http_post(port_, target, "40").status, 200u);
  auto r = http_get(port_, target);
  ASSERT_EQ(r.status, 200u);
  EXPECT_TRUE(r.body.starts_with("40{\"sid\":\"")) << r.body;
  EXPECT_TRUE(
      r.body.ends_with("\x1e"
                       "42[\"welcome\",\"/\"]"))
      << r.body;
  ASSERT_EQ(http_post(port_, target,
                      "42[\"echo\",\"a\"]\x1e"
                      "42[\"echo\",\"b\"]")
                .status,
            200u);
  EXPECT_EQ(http_get(port_, target).body,
            "42[\"echo\",[\"a\"]]\x1e"
            "42[\"echo\",[\"b\"]]");
}

TEST_F(SioServerTest, NoConnectWithinTheTimeoutClosesTheConnection) {
  Options o;
  o.connect_timeout = 150ms;
  start(o);
  auto ws = open();
  EXPECT_TRUE(ws->closed_within(2s));
}

TEST_F(SioServerTest, ConnectingInTimeKeepsTheConnection) {
  Options o;
  o.connect_timeout = 150ms;
  start(o);
  auto ws = open();
  connect(*ws);
  EXPECT_FALSE(ws->closed_within(400ms));
}

TEST_F(SioServerTest, MalformedPacketClosesTheConnection) {
  start();
  auto ws = open();
  connect(*ws);
  ASSERT_FALSE(ws->send("42{}"));
  EXPECT_TRUE(ws->closed_within(2s));
  EXPECT_EQ(handler_.wait_disconnects(1), std::vector<std::string>{"parse error"});
  EXPECT_EQ(groups_.count("lobby"), 0u);
}

TEST_F(SioServerTest, PacketForANamespaceNotConnectedClosesTheConnection) {
  start();
  auto ws = open();
  ASSERT_FALSE(ws->send("42[\"echo\",1]"));
  EXPECT_TRUE(ws->closed_within(2s));
}

TEST_F(SioServerTest, UnexpectedAttachmentClosesTheConnection) {
  start();
  auto ws = open();
  connect(*ws);
  ASSERT_FALSE(ws->send("bytes", true));
  EXPECT_TRUE(ws->closed_within(2s));
}

TEST_F(SioServerTest, ClientDisconnectLeavesTheConnectionOpen) {
  start();
  auto ws = open();
  connect(*ws);
  ASSERT_FALSE(ws->send("42[\"join\",\"room-1\"]"));
  ASSERT_FALSE(ws->send("41"));
  EXPECT_EQ(handler_.wait_disconnects(1), std::vector<std::string>{"client namespace disconnect"});
  EXPECT_EQ(groups_.count("lobby"), 0u);
  EXPECT_EQ(groups_.count("room-1"), 0u);
  EXPECT_FALSE(handler_.in_lobby_after_disconnect());
  connect(*ws);  // CONNECT again on the same Engine.IO connection
  EXPECT_EQ(groups_.count("lobby"), 1u);
}

TEST_F(SioServerTest, ServerDisconnectSendsDisconnectThenCloses) {
  start();
  auto ws = open();
  connect(*ws);
  ASSERT_FALSE(ws->send("42[\"kick\"]"));
  EXPECT_EQ(ws->read_skip_pings().data, "41");
  EXPECT_TRUE(ws->closed_within(2s));
  EXPECT_EQ(handler_.wait_disconnects(1), std::vector<std::string>{"server namespace disconnect"});
  EXPECT_EQ(groups_.count("lobby"), 0u);
}

TEST_F(SioServerTest, TransportCloseDisconnectsTheSocket) {
  start();
  {
    auto ws = open();
    connect(*ws);
    EXPECT_EQ(groups_.count("lobby"), 1u);
  }
  EXPECT_EQ(handler_.wait_disconnects(1), std::vector<std::string>{"transport close"});
  EXPECT_EQ(groups_.count("lobby"), 0u);
  auto socket = handler_.wait_connected(0);
  EXPECT_FALSE(socket->connected());
}

TEST_F(SioServerTest, SlowConsumerIsDisconnectedWhileAFastOneKeepsReceiving) {
  Options o;
  o.engine.outbound_queue_bytes = 64 * 1024;
  start(o);
  auto fast = open();
  connect(*fast);
  auto slow = open(4096);  // small receive buffer, never read after the CONNECT
  connect(*slow);
  auto fast_socket = handler_.wait_connected(0);
  auto slow_socket = handler_.wait_connected(1);
  ASSERT_TRUE(fast_socket && slow_socket);

  // On the loop: one shared frame to both sockets, 16 at a time every millisecond, until the
  // slow one is gone (then 100 more to the fast one); bounded at 64k frames.
  struct Pump {
    explicit Pump(asio::io_context& ctx) : timer(ctx) {}
    asio::steady_timer timer;
    SocketPtr fast, slow;
    Frame frame = make_event_frame("tick", json::string(std::string(1000, 't')));
    std::atomic<int> sent{0};
    std::atomic<bool> done{false};
    int after = 0;
  };
  auto pump = std::make_shared<Pump>(loops_->at(0));
  pump->fast = fast_socket;
  pump->slow = slow_socket;
  std::function<void()> step = [pump, &step] {
    for (int i = 0; i < 16; ++i) {
      pump->fast->send(pump->frame);
      pump->slow->send(pump->frame);
      pump->sent.fetch_add(1);
    }
    if (!pump->slow->connected()) pump->after += 16;
    if (pump->after >= 100 || pump->sent.load() > 64 * 1024) {
      pump->done = true;
      return;
    }
    pump->timer.expires_after(1ms);
    pump->timer.async_wait([&step](const boost::system::error_code&) { step(); });
  };
  asio::post(loops_->at(0), [&step] { step(); });

  int received = 0;
  while (!pump->done.load() || received < pump->sent.load()) {
    auto m = fast->read_skip_pings(true, 5s);
    ASSERT_TRUE(m) << "fast client after " << received << " frames: " << m.ec.message();
    ASSERT_EQ(m.data, *pump->frame);
    ++received;
  }
  EXPECT_EQ(received, pump->sent.load());
  EXPECT_TRUE(fast_socket->connected());
  EXPECT_EQ(handler_.wait_disconnects(1), std::vector<std::string>{"slow consumer"});
  loops_->stop();  // `step` lives on this stack
}

}  // namespace
}  // namespace parley::sio

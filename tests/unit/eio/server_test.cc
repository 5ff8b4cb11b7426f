// Tests for the Engine.IO v4 server: handshakes and every error on both transports, polling
// round trips, the one-GET rule, the upgrade flow (also across event loops), heartbeats,
// payload limits, WebSocket framing (fragments, UTF-8), and the slow-consumer cap. Each test
// starts the server in-process on 127.0.0.1 and talks to it with raw HTTP/WebSocket clients.
#include "eio/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "net/http_server.h"
#include "wire_client.h"

namespace parley::eio {
namespace {

using namespace parley::testing;

// Records what happens to sessions; echoes messages back when asked to.
class TestHandler final : public ServerHandler {
 public:
  bool echo = true;

  void on_open(const SessionPtr& session) override {
    session->set_listener(std::make_shared<Listener>(*this, *session));
    std::lock_guard lock(mutex_);
    sessions_.push_back(session);
    cv_.notify_all();
  }

  std::vector<std::string> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  // Waits until `n` sessions closed; returns their reasons.
  std::vector<std::string> wait_closed(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return closes_.size() >= n; });
    return closes_;
  }
  // When the i-th close happened (after wait_closed saw it).
  std::chrono::steady_clock::time_point closed_at(std::size_t i) {
    std::lock_guard lock(mutex_);
    return i < closed_at_.size() ? closed_at_[i] : std::chrono::steady_clock::time_point{};
  }
  std::vector<std::weak_ptr<Session>> sessions() {
    std::lock_guard lock(mutex_);
    return sessions_;
  }
  std::shared_ptr<Session> wait_session(std::size_t i, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return sessions_.size() > i; });
    return i < sessions_.size() ? sessions_[i].lock() : nullptr;
  }

 private:
  struct Listener final : SessionListener {
    Listener(TestHandler& h, Session& s) : handler(h), session(s) {}
    void on_message(std::string_view text) override {
      {
        std::lock_guard lock(handler.mutex_);
        handler.messages_.emplace_back(text);
      }
      if (handler.echo) session.send_message(text);
    }
    void on_binary(std::string_view bytes) override {
      if (handler.echo) session.send_binary(bytes);
    }
    void on_close(std::string_view reason) override {
      std::lock_guard lock(handler.mutex_);
      handler.closes_.emplace_back(reason);
      handler.closed_at_.push_back(std::chrono::steady_clock::now());
      handler.cv_.notify_all();
    }
    TestHandler& handler;
    Session& session;
  };

  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<Session>> sessions_;
  std::vector<std::string> messages_;
  std::vector<std::string> closes_;
  std::vector<std::chrono::steady_clock::time_point> closed_at_;
};

std::string sid_of(const std::string& open_packet) {
  const auto key = open_packet.find("\"sid\":\"");
  if (key == std::string::npos) return {};
  const auto start = key + 7;
  return open_packet.substr(start, open_packet.find('"', start) - start);
}

constexpr const char* kPolling = "/socket.io/?EIO=4&transport=polling";
constexpr const char* kWebSocket = "/socket.io/?EIO=4&transport=websocket";

class EioServerTest : public ::testing::Test {
 protected:
  void start(Options options = Options{}, unsigned loops = 1) {
    loops_ = std::make_unique<Loops>(loops);
    server_ = std::make_unique<Server>(loops_->ptrs(), std::move(options), handler_);
    http_ = std::make_unique<net::HttpServer>(loops_->ptrs(), *server_, net::HttpLimits{});
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
  std::string handshake() {
    auto r = http_get(port_, kPolling);
    EXPECT_EQ(r.status, 200u) << r.body;
    return sid_of(r.body);
  }
  std::string polling(const std::string& sid) { return std::string(kPolling) + "&sid=" + sid; }
  std::string websocket(const std::string& sid) { return std::string(kWebSocket) + "&sid=" + sid; }
  // Upgrades polling session `sid` over `ws` (probe, then "5").
  void upgrade(WsClient& ws, const std::string& sid, uint16_t port) {
    (void)port;
    ASSERT_FALSE(ws.connect(websocket(sid)));
    ASSERT_FALSE(ws.send("2probe"));
    auto probe = ws.read();
    ASSERT_TRUE(probe);
    EXPECT_EQ(probe.data, "3probe");
    ASSERT_FALSE(ws.send("5"));
  }

  TestHandler handler_;
  std::unique_ptr<Loops> loops_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<net::HttpServer> http_;
  uint16_t port_ = 0;
};

Options fast_heartbeat() {
  Options o;
  o.ping_interval = 100ms;
  o.ping_timeout = 150ms;
  return o;
}

// ---- Handshake --------------------------------------------------------------------------------

TEST_F(EioServerTest, PollingHandshakeSendsTheOpenPacket) {
  start();
  auto r = http_call(port_, http::verb::get, kPolling, {},
                     {{http::field::origin, "http://localhost:3000"}});
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.header(http::field::content_type), "text/plain; charset=UTF-8");
  EXPECT_EQ(r.header(http::field::access_control_allow_origin), "http://localhost:3000");
  EXPECT_EQ(r.header(http::field::access_control_allow_credentials), "true");
  ASSERT_FALSE(r.body.empty());
  EXPECT_EQ(r.body[0], '0');
  const std::string sid = sid_of(r.body);
  EXPECT_EQ(sid.size(), 20u);
  EXPECT_EQ(r.body, "0{\"sid\":\"" + sid +
                        "\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                        "\"pingTimeout\":60000,\"maxPayload\":1000000}");
  EXPECT_EQ(server_->session_count(), 1u);
}

TEST_F(EioServerTest, CorsAnyAnswersStar) {
  Options o;
  o.cors_any = true;
  start(o);
  auto r = http_call(port_, http::verb::get, kPolling, {}, {{http::field::origin, "http://x"}});
  EXPECT_EQ(r.header(http::field::access_control_allow_origin), "*");
  auto pre = http_call(port_, http::verb::options, kPolling, {},
                       {{http::field::origin, "http://x"},
                        {http::field::access_control_request_headers, "content-type"}});
  EXPECT_EQ(pre.status, 204u);
  EXPECT_EQ(pre.header(http::field::access_control_allow_origin), "*");
  EXPECT_EQ(pre.header(http::field::access_control_allow_headers), "content-type");
}

TEST_F(EioServerTest, WebSocketHandshakeSendsTheOpenPacket) {
  start();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  auto open = ws.read();
  ASSERT_TRUE(open);
  EXPECT_FALSE(open.binary);
  const std::string sid = sid_of(open.data);
  EXPECT_EQ(open.data, "0{\"sid\":\"" + sid +
                           "\",\"upgrades\":[],\"pingInterval\":25000,"
                           "\"pingTimeout\":60000,\"maxPayload\":1000000}");
  // The session is on WebSocket: polling requests for it are refused.
  auto r = http_get(port_, polling(sid));
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.body, "{\"code\":3,\"message\":\"Bad request\"}");
}

TEST_F(EioServerTest, HandshakeErrorsMatchTheReferenceServer) {
  start();
  const auto expect_error = [&](http::verb verb, const std::string& target, int code,
                                const std::string& message) {
    auto r = http_call(port_, verb, target);
    EXPECT_EQ(r.status, 400u) << target;
    EXPECT_EQ(r.header(http::field::content_type), "application/json") << target;
    EXPECT_EQ(r.body, "{\"code\":" + std::to_string(code) + ",\"message\":\"" + message + "\"}")
        << target;
  };
  expect_error(http::verb::get, "/socket.io/?EIO=4", 0, "Transport unknown");
  expect_error(http::verb::get, "/socket.io/?EIO=4&transport=abc", 0, "Transport unknown");
  expect_error(http::verb::get, "/socket.io/?EIO=4&transport=polling&sid=nope", 1,
               "Session ID unknown");
  expect_error(http::verb::post, kPolling, 2, "Bad handshake method");
  expect_error(http::verb::put, kPolling, 2, "Bad handshake method");
  expect_error(http::verb::get, kWebSocket, 3, "Bad request");  // not an upgrade request
  expect_error(http::verb::get, "/socket.io/?EIO=3&transport=polling", 5,
               "Unsupported protocol version");
  expect_error(http::verb::get, "/socket.io/?transport=polling", 5, "Unsupported protocol version");
  expect_error(http::verb::get, "/socket.io/?EIO=abc&transport=polling", 5,
               "Unsupported protocol version");
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(EioServerTest, UpgradeRequestErrorsMatchTheReferenceServer) {
  start();
  const auto upgrade_request = [](const std::string& target) {
    return "GET " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  };
  const auto expect_refused = [&](const std::string& target, const std::string& message) {
    const std::string response = raw_exchange(port_, upgrade_request(target));
    EXPECT_TRUE(response.starts_with("HTTP/1.1 400 Bad Request\r\n")) << response;
    EXPECT_TRUE(response.ends_with("\r\n\r\n" + message)) << response;
  };
  expect_refused("/socket.io/?EIO=4&transport=websocket&sid=nope", "Session ID unknown");
  expect_refused("/socket.io/?EIO=3&transport=websocket", "Unsupported protocol version");
  expect_refused("/socket.io/?EIO=4&transport=abc", "Transport unknown");
  expect_refused("/socket.io/?EIO=4", "Transport unknown");
  EXPECT_EQ(server_->session_count(), 0u);
}

// ---- Long-polling -----------------------------------------------------------------------------

TEST_F(EioServerTest, PollingRoundTripWithSeveralPacketsAndBinary) {
  start();
  const std::string sid = handshake();
  auto post = http_post(port_, polling(sid),
                        "4hello\x1e"
                        "4w\xc3\xa9rld\x1e"
                        "bAQIDBA==");
  ASSERT_EQ(post.status, 200u);
  EXPECT_EQ(post.body, "ok");
  EXPECT_EQ(post.header(http::field::content_type), "text/html");
  auto get = http_get(port_, polling(sid));
  ASSERT_EQ(get.status, 200u);
  EXPECT_EQ(get.body,
            "4hello\x1e"
            "4w\xc3\xa9rld\x1e"
            "bAQIDBA==");
  EXPECT_EQ(handler_.messages(), (std::vector<std::string>{"hello", "w\xc3\xa9rld"}));
}

TEST_F(EioServerTest, ParkedGetIsAnsweredWhenPacketsArrive) {
  start();
  const std::string sid = handshake();
  auto parked = std::async(std::launch::async, [&] { return http_get(port_, polling(sid)); });
  std::this_thread::sleep_for(50ms);
  ASSERT_EQ(http_post(port_, polling(sid),
                      "4a\x1e"
                      "4b")
                .status,
            200u);
  auto r = parked.get();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body,
            "4a\x1e"
            "4b");
}

TEST_F(EioServerTest, SecondConcurrentGetClosesTheSession) {
  start();
  const std::string sid = handshake();
  auto first = std::async(std::launch::async, [&] { return http_get(port_, polling(sid)); });
  std::this_thread::sleep_for(50ms);
  auto second = http_get(port_, polling(sid));
  EXPECT_EQ(second.status, 400u);
  auto r = first.get();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "1");
  EXPECT_EQ(http_get(port_, polling(sid)).status, 400u);
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"transport error"});
}

TEST_F(EioServerTest, ClientClosePacketEndsTheParkedGetWithNoop) {
  start();
  const std::string sid = handshake();
  auto parked = std::async(std::launch::async, [&] { return http_get(port_, polling(sid)); });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(http_post(port_, polling(sid), "1").status, 200u);
  auto r = parked.get();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "6");
  EXPECT_EQ(http_get(port_, polling(sid)).status, 400u);
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"transport close"});
}

TEST_F(EioServerTest, InvalidPollingPayloadClosesTheSession) {
  start();
  const std::string sid = handshake();
  auto post = http_post(port_, polling(sid), "abc");
  EXPECT_EQ(post.status, 400u);
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"parse error"});
  // The session is gone, as in the reference server: the next request with its sid is refused.
  auto get = http_get(port_, polling(sid));
  EXPECT_EQ(get.status, 400u) << get.body;
  EXPECT_EQ(get.body, "{\"code\":1,\"message\":\"Session ID unknown\"}");
  EXPECT_EQ(http_post(port_, polling(sid), "4x").status, 400u);
}

TEST_F(EioServerTest, InvalidPayloadEndsAParkedGetWithTheClosePacket) {
  start();
  const std::string sid = handshake();
  auto parked = std::async(std::launch::async, [&] { return http_get(port_, polling(sid)); });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(http_post(port_, polling(sid), "4a\x1e").status, 400u);
  auto get = parked.get();
  EXPECT_EQ(get.status, 200u);
  EXPECT_EQ(get.body, "1");
  EXPECT_EQ(http_get(port_, polling(sid)).status, 400u);
}

TEST_F(EioServerTest, PostOverMaxPayloadIsRefused) {
  Options o;
  o.max_payload = 1000;
  start(o);
  const std::string sid = handshake();
  auto r = http_post(port_, polling(sid), "4" + std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413u);
}

TEST_F(EioServerTest, ServerCloseDeliversQueuedPacketsThenTheClosePacket) {
  start();
  const std::string sid = handshake();
  auto session = handler_.wait_session(0);
  ASSERT_TRUE(session);
  loops_->run_on(0, [&] {
    session->send_message("bye");
    session->close();
  });
  auto r = http_get(port_, polling(sid));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body,
            "4bye\x1e"
            "1");
  EXPECT_EQ(http_get(port_, polling(sid)).status, 400u);
}

// ---- WebSocket --------------------------------------------------------------------------------

TEST_F(EioServerTest, WebSocketEchoesTextAndBinary) {
  start();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());  // open
  ASSERT_FALSE(ws.send("4h\xc3\xa9llo"));
  auto text = ws.read();
  ASSERT_TRUE(text);
  EXPECT_FALSE(text.binary);
  EXPECT_EQ(text.data, "4h\xc3\xa9llo");
  const std::string bytes("\x01\x02\x00\xff", 4);
  ASSERT_FALSE(ws.send(bytes, true));
  auto bin = ws.read();
  ASSERT_TRUE(bin);
  EXPECT_TRUE(bin.binary);
  EXPECT_EQ(bin.data, bytes);
  // A big message crosses several frames and socket writes.
  const std::string big = "4" + std::string(300000, 'z');
  ASSERT_FALSE(ws.send(big));
  auto back = ws.read();
  ASSERT_TRUE(back);
  EXPECT_EQ(back.data, big);
}

TEST_F(EioServerTest, FragmentedMessageIsReassembled) {
  start();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());
  ASSERT_FALSE(ws.send_fragment("4fra", false));
  ASSERT_FALSE(ws.send_fragment("gmen", false));
  ASSERT_FALSE(ws.send_fragment("ted", true));
  auto m = ws.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m.data, "4fragmented");
}

TEST_F(EioServerTest, InvalidUtf8TextFrameClosesTheConnection) {
  start();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());
  ASSERT_FALSE(ws.send("4\xff\xfe"));
  EXPECT_TRUE(ws.closed_within(2s));
  EXPECT_EQ(ws.close_reason().code, websocket::close_code::bad_payload);
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"transport error"});
}

TEST_F(EioServerTest, MessageOverMaxPayloadClosesTheConnection) {
  Options o;
  o.max_payload = 1000;
  start(o);
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  auto open = ws.read();
  EXPECT_NE(open.data.find("\"maxPayload\":1000}"), std::string::npos);
  ASSERT_FALSE(ws.send("4" + std::string(999, 'x')));  // exactly the limit: fine
  EXPECT_EQ(ws.read().data.size(), 1000u);
  ASSERT_FALSE(ws.send("4" + std::string(2000, 'x')));
  EXPECT_TRUE(ws.closed_within(2s));
  EXPECT_EQ(ws.close_reason().code, websocket::close_code::too_big);
}

TEST_F(EioServerTest, InvalidPacketClosesTheWebSocket) {
  start();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());
  ASSERT_FALSE(ws.send("abc"));
  EXPECT_TRUE(ws.closed_within(2s));
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"parse error"});
}

TEST_F(EioServerTest, ClientClosePacketClosesTheWebSocket) {
  start();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());
  ASSERT_FALSE(ws.send("1"));
  EXPECT_TRUE(ws.closed_within(2s));
  EXPECT_EQ(ws.last_error(), websocket::error::closed);  // a proper close handshake
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"transport close"});
}

TEST_F(EioServerTest, ClientDisconnectIsATransportClose) {
  start();
  {
    WsClient ws(port_);
    ASSERT_FALSE(ws.connect(kWebSocket));
    ASSERT_TRUE(ws.read());
  }  // the TCP connection is dropped without a close frame
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"transport close"});
  // The listener hears of the close just before the session leaves the table.
  for (int i = 0; i < 100 && server_->session_count() != 0; ++i)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(server_->session_count(), 0u);
}

// ---- Heartbeat --------------------------------------------------------------------------------

TEST_F(EioServerTest, WebSocketHeartbeatPongKeepsAliveAndSilenceCloses) {
  start(fast_heartbeat());
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());
  for (int i = 0; i < 4; ++i) {
    auto ping = ws.read(1s);
    ASSERT_TRUE(ping) << i;
    EXPECT_EQ(ping.data, "2");
    ASSERT_FALSE(ws.send("3"));
  }
  EXPECT_TRUE(handler_.wait_closed(0, 0ms).empty());
  // Stop answering: the next ping goes unanswered and the server closes.
  EXPECT_TRUE(ws.closed_within(2s));
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"ping timeout"});
}

TEST_F(EioServerTest, PollingHeartbeat) {
  start(fast_heartbeat());
  const std::string sid = handshake();
  for (int i = 0; i < 3; ++i) {
    auto ping = http_get(port_, polling(sid), 2s);
    ASSERT_EQ(ping.status, 200u);
    EXPECT_EQ(ping.body, "2");
    ASSERT_EQ(http_post(port_, polling(sid), "3").status, 200u);
  }
  EXPECT_TRUE(handler_.wait_closed(0, 0ms).empty());
  EXPECT_EQ(handler_.wait_closed(1, 2s), std::vector<std::string>{"ping timeout"});
  auto after = http_get(port_, polling(sid));
  EXPECT_EQ(after.status, 400u) << after.body;
}

// Heartbeat deadlines as the reference engine.io 6 server keeps them: with pingInterval 300 ms
// and pingTimeout 200 ms, a session that never answers is gone 500 ms after the handshake, to
// within a few ms. Each test checks both sides: alive shortly before, gone shortly after.
Options deadline_heartbeat() {
  Options o;
  o.ping_interval = 300ms;
  o.ping_timeout = 200ms;
  return o;
}
// Scheduling noise allowed on this shared machine (the server's own error is under one 4 ms
// timer tick).
constexpr auto kDeadlineSlack = 40ms;

TEST_F(EioServerTest, PollingSessionThatNeverPollsIsGoneByTheDeadline) {
  start(deadline_heartbeat());
  const auto t0 = std::chrono::steady_clock::now();  // before the session exists
  const std::string sid = handshake();
  std::this_thread::sleep_until(t0 + 250ms);
  EXPECT_TRUE(handler_.wait_closed(1, 0ms).empty()) << "closed before its deadline";
  ASSERT_EQ(handler_.wait_closed(1, 2s), std::vector<std::string>{"ping timeout"});
  const auto closed = handler_.closed_at(0) - t0;
  EXPECT_GE(closed, 495ms);
  EXPECT_LE(closed, 500ms + kDeadlineSlack)
      << std::chrono::duration_cast<std::chrono::milliseconds>(closed).count() << " ms";
  std::this_thread::sleep_until(t0 + 500ms + kDeadlineSlack);
  auto get = http_get(port_, polling(sid));
  EXPECT_EQ(get.status, 400u) << get.body;
  EXPECT_EQ(get.body, "{\"code\":1,\"message\":\"Session ID unknown\"}");
}

TEST_F(EioServerTest, PollingSessionIsStillAliveJustBeforeTheDeadline) {
  start(deadline_heartbeat());
  const auto t0 = std::chrono::steady_clock::now();
  const std::string sid = handshake();
  std::this_thread::sleep_until(t0 + 450ms);
  // Its queue holds the ping (due at 300 ms), and it still accepts packets.
  auto get = http_get(port_, polling(sid));
  EXPECT_EQ(get.status, 200u);
  EXPECT_EQ(get.body, "2");
  EXPECT_TRUE(handler_.wait_closed(1, 0ms).empty());
}

TEST_F(EioServerTest, WebSocketThatNeverAnswersAPingIsClosedByTheDeadline) {
  start(deadline_heartbeat());
  const auto t0 = std::chrono::steady_clock::now();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());  // open packet
  auto ping = ws.read(1s);
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping.data, "2");
  const auto pinged = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(pinged, 295ms);
  EXPECT_LE(pinged, 300ms + kDeadlineSlack);
  EXPECT_TRUE(handler_.wait_closed(1, 0ms).empty());  // alive at ~300 ms, unanswered
  auto end = ws.read(1s);
  const auto closed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(end.ec, websocket::error::closed) << end.ec.message();  // a close frame
  EXPECT_GE(closed, 495ms);
  EXPECT_LE(closed, 500ms + kDeadlineSlack)
      << std::chrono::duration_cast<std::chrono::milliseconds>(closed).count() << " ms";
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"ping timeout"});
}

TEST_F(EioServerTest, AnsweredPingsMoveTheDeadline) {
  start(deadline_heartbeat());
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(kWebSocket));
  ASSERT_TRUE(ws.read());
  auto ping = ws.read(1s);
  ASSERT_TRUE(ping);
  const auto ponged = std::chrono::steady_clock::now();
  ASSERT_FALSE(ws.send("3"));
  // The next ping comes pingInterval after the pong; unanswered, the close pingTimeout later.
  auto next = ws.read(1s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next.data, "2");
  EXPECT_GE(std::chrono::steady_clock::now() - ponged, 290ms);
  auto end = ws.read(1s);
  const auto closed = std::chrono::steady_clock::now() - ponged;
  EXPECT_EQ(end.ec, websocket::error::closed);
  EXPECT_GE(closed, 490ms);
  EXPECT_LE(closed, 500ms + kDeadlineSlack);
}

// ---- Upgrade ----------------------------------------------------------------------------------

TEST_F(EioServerTest, UpgradeFromPollingToWebSocket) {
  start();
  const std::string sid = handshake();
  auto parked = std::async(std::launch::async, [&] { return http_get(port_, polling(sid)); });
  std::this_thread::sleep_for(50ms);
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(websocket(sid)));
  ASSERT_FALSE(ws.send("2probe"));
  auto probe = ws.read();
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe.data, "3probe");
  auto noop = parked.get();  // the parked GET is ended so that the client can pause polling
  EXPECT_EQ(noop.status, 200u);
  EXPECT_EQ(noop.body, "6");
  ASSERT_FALSE(ws.send("5"));
  ASSERT_FALSE(ws.send("4after upgrade"));
  auto m = ws.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m.data, "4after upgrade");
  auto get = http_get(port_, polling(sid));
  EXPECT_EQ(get.status, 400u);
  EXPECT_EQ(get.body, "{\"code\":3,\"message\":\"Bad request\"}");
  // Another WebSocket for the same sid: handshake accepted, then a clean close (close frame),
  // as the reference server does; the upgraded session is unaffected.
  WsClient second(port_);
  ASSERT_FALSE(second.connect(websocket(sid)));
  EXPECT_EQ(second.handshake_response().result_int(), 101u);
  auto nothing = second.read(2s);
  EXPECT_EQ(nothing.ec, websocket::error::closed) << nothing.ec.message();
  EXPECT_EQ(second.close_reason().code, websocket::close_code::normal);
  ASSERT_FALSE(ws.send("4still here"));
  auto still = ws.read();
  ASSERT_TRUE(still);
  EXPECT_EQ(still.data, "4still here");
}

TEST_F(EioServerTest, PacketsQueuedDuringTheUpgradeGoOverTheWebSocket) {
  start();
  const std::string sid = handshake();
  auto session = handler_.wait_session(0);
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(websocket(sid)));
  ASSERT_FALSE(ws.send("2probe"));
  ASSERT_EQ(ws.read().data, "3probe");
  loops_->run_on(0, [&] { session->send_message("queued"); });
  ASSERT_FALSE(ws.send("5"));
  auto m = ws.read();
  ASSERT_TRUE(m);
  EXPECT_EQ(m.data, "4queued");
}

TEST_F(EioServerTest, UpgradeArrivingOnAnotherLoopMovesTheSocket) {
  // Two listeners with one loop each: the handshake lands on loop 0, the upgrade on loop 1.
  loops_ = std::make_unique<Loops>(2);
  server_ = std::make_unique<Server>(loops_->ptrs(), Options{}, handler_);
  net::HttpServer a{{&loops_->at(0)}, *server_, net::HttpLimits{}};
  net::HttpServer b{{&loops_->at(1)}, *server_, net::HttpLimits{}};
  ASSERT_TRUE(a.listen("127.0.0.1", 0).ok());
  ASSERT_TRUE(b.listen("127.0.0.1", 0).ok());
  loops_->start();
  auto r = http_get(a.port(), kPolling);
  const std::string sid = sid_of(r.body);
  WsClient ws(b.port());
  upgrade(ws, sid, b.port());
  for (int i = 0; i < 20; ++i) {
    const std::string text = "4message " + std::to_string(i);
    ASSERT_FALSE(ws.send(text));
    auto m = ws.read();
    ASSERT_TRUE(m);
    EXPECT_EQ(m.data, text);
  }
  auto session = handler_.wait_session(0);
  ASSERT_TRUE(session);
  EXPECT_EQ(&session->loop().context(), &loops_->at(0));
  EXPECT_EQ(session->transport(), TransportKind::websocket);
  server_->close_all();
  quiesce(a);
  quiesce(b);
  loops_->stop();
}

TEST_F(EioServerTest, ProbeWithoutUpgradeTimesOut) {
  Options o;
  o.upgrade_timeout = 150ms;
  start(o);
  const std::string sid = handshake();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect(websocket(sid)));
  ASSERT_FALSE(ws.send("2probe"));
  ASSERT_EQ(ws.read().data, "3probe");
  EXPECT_TRUE(ws.closed_within(2s));
  // The polling session itself is still there.
  ASSERT_FALSE(http_post(port_, polling(sid), "4still polling").status != 200u);
  EXPECT_EQ(http_get(port_, polling(sid)).body, "4still polling");
}

// ---- Slow consumers ---------------------------------------------------------------------------

TEST_F(EioServerTest, SlowConsumerIsClosedWhileAFastOneKeepsReceiving) {
  Options o;
  o.outbound_queue_bytes = 64 * 1024;
  handler_.echo = false;
  start(o);
  WsClient fast(port_);
  ASSERT_FALSE(fast.connect(kWebSocket));
  ASSERT_TRUE(fast.read());
  auto fast_session = handler_.wait_session(0);
  WsClient slow(port_, 4096);  // small receive buffer; it never reads after the open packet
  ASSERT_FALSE(slow.connect(kWebSocket));
  ASSERT_TRUE(slow.read());
  auto slow_session = handler_.wait_session(1);
  ASSERT_TRUE(fast_session && slow_session);

  // On the loop: 16 frames of 1 KiB to each client per millisecond, until the slow one is gone
  // (and 100 more frames to the fast one), bounded at 64 MiB.
  struct Pump {
    Pump(asio::io_context& ctx, std::shared_ptr<Session> f, std::shared_ptr<Session> s)
        : timer(ctx), fast(std::move(f)), slow(std::move(s)) {}
    asio::steady_timer timer;
    std::shared_ptr<Session> fast, slow;
    std::atomic<int> sent{0};
    std::atomic<bool> done{false};
    int after = 0;
    std::string payload = std::string(1024, 'p');
  };
  auto pump = std::make_shared<Pump>(loops_->at(0), fast_session, slow_session);
  std::function<void()> step = [pump, &step] {
    for (int i = 0; i < 16; ++i) {
      pump->fast->send_message(pump->payload);
      pump->slow->send_message(pump->payload);
      pump->sent.fetch_add(1);
    }
    if (!pump->slow->is_open()) pump->after += 16;
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
    auto m = fast.read(5s);
    ASSERT_TRUE(m) << "fast client after " << received << " frames: " << m.ec.message();
    if (m.data == "2") continue;
    ASSERT_EQ(m.data.size(), 1025u);
    ++received;
  }
  EXPECT_EQ(received, pump->sent.load());
  EXPECT_FALSE(slow_session->is_open());
  EXPECT_TRUE(fast_session->is_open());
  EXPECT_EQ(handler_.wait_closed(1), std::vector<std::string>{"slow consumer"});
  loops_->stop();  // `step` lives on this stack
}

}  // namespace
}  // namespace parley::eio

// The conformance servers (see sio/conformance.h) driven with the raw frames of the official
// engine.io-protocol and socket.io-protocol test suites, in-process on a free port.
#include "sio/conformance.h"

#include <gtest/gtest.h>

#include "../eio/wire_client.h"
#include "net/http_server.h"
#include "sio/conformance_handlers.h"

namespace parley::sio {
namespace {

using namespace parley::testing;

std::string sid_of(const std::string& packet) {
  const auto key = packet.find("\"sid\":\"");
  if (key == std::string::npos) return {};
  const auto start = key + 7;
  return packet.substr(start, packet.find('"', start) - start);
}

// ---- engine.io --------------------------------------------------------------------------------

class EngineConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    eio::Options options = conformance_engine_options();
    options.path = "/engine.io/";
    server_ = std::make_unique<eio::Server>(loops_.ptrs(), options, echo_);
    http_ = std::make_unique<net::HttpServer>(loops_.ptrs(), *server_, net::HttpLimits{});
    ASSERT_TRUE(http_->listen("127.0.0.1", 0).ok());
    port_ = http_->port();
    loops_.start();
  }
  void TearDown() override {
    server_->close_all();
    quiesce(*http_);
    loops_.stop();
  }
  std::string polling_session() {
    auto r = http_get(port_, "/engine.io/?EIO=4&transport=polling");
    return "/engine.io/?EIO=4&transport=polling&sid=" + sid_of(r.body);
  }

  Loops loops_{2};
  EchoEngineHandler echo_;
  std::unique_ptr<eio::Server> server_;
  std::unique_ptr<net::HttpServer> http_;
  uint16_t port_ = 0;
};

TEST_F(EngineConformanceTest, HandshakeAdvertisesTheSuiteSettings) {
  auto r = http_call(port_, http::verb::get, "/engine.io/?EIO=4&transport=polling", {},
                     {{http::field::origin, "http://example.com"}});
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.header(http::field::access_control_allow_origin), "*");
  EXPECT_NE(r.body.find("\"upgrades\":[\"websocket\"],\"pingInterval\":300,\"pingTimeout\":200,"
                        "\"maxPayload\":1000000}"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(http_get(port_, "/engine.io/?transport=polling").status, 400u);
  EXPECT_EQ(http_get(port_, "/engine.io/?EIO=4").status, 400u);
  EXPECT_EQ(http_post(port_, "/engine.io/?EIO=4&transport=polling", "").status, 400u);
}

TEST_F(EngineConformanceTest, PollingEchoesTextAndBinaryPackets) {
  const std::string target = polling_session();
  ASSERT_EQ(http_post(port_, target,
                      "4test1\x1e"
                      "4test2\x1e"
                      "bAQIDBA==")
                .body,
            "ok");
  EXPECT_EQ(http_get(port_, target).body,
            "4test1\x1e"
            "4test2\x1e"
            "bAQIDBA==");
}

TEST_F(EngineConformanceTest, WebSocketEchoesAndPings) {
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect("/engine.io/?EIO=4&transport=websocket"));
  auto open = ws.read();
  EXPECT_NE(open.data.find("\"upgrades\":[]"), std::string::npos);
  ASSERT_FALSE(ws.send("4hello"));
  EXPECT_EQ(ws.read_skip_pings().data, "4hello");
  ASSERT_FALSE(ws.send(std::string("\x01\x02\x03\x04"), true));
  auto bin = ws.read_skip_pings();
  EXPECT_TRUE(bin.binary);
  EXPECT_EQ(bin.data, "\x01\x02\x03\x04");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ws.read(1s).data, "2");
    ASSERT_FALSE(ws.send("3"));
  }
  EXPECT_TRUE(ws.closed_within(2s));  // no more pongs: closed after 300 + 200 ms
}

// The conformance server's heartbeat is pingInterval 300 ms + pingTimeout 200 ms: a polling
// client that stops answering is gone (400 on its sid) by 500 ms after the handshake, and not
// before its ping is due.
TEST_F(EngineConformanceTest, PollingSessionWithoutPongIsGoneByTheDeadline) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string target = polling_session();
  std::this_thread::sleep_until(t0 + 250ms);
  auto ping = http_get(port_, target, 1s);  // alive at 250 ms; the GET waits for the ping
  EXPECT_EQ(ping.status, 200u);
  EXPECT_EQ(ping.body, "2");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 295ms);
  std::this_thread::sleep_until(t0 + 540ms);
  auto gone = http_get(port_, target, 1s);
  EXPECT_EQ(gone.status, 400u) << gone.body;
}

TEST_F(EngineConformanceTest, WebSocketWithoutPongIsClosedByTheDeadline) {
  const auto t0 = std::chrono::steady_clock::now();
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect("/engine.io/?EIO=4&transport=websocket"));
  ASSERT_TRUE(ws.read());
  EXPECT_EQ(ws.read(1s).data, "2");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 295ms);
  EXPECT_TRUE(ws.closed_within(std::chrono::duration_cast<std::chrono::milliseconds>(
      t0 + 540ms - std::chrono::steady_clock::now())));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 490ms);
}

// After an upgrade, polling with the sid is refused, and a second WebSocket with it is accepted
// and then closed with a close frame, as the reference server does.
TEST_F(EngineConformanceTest, UpgradeThenPollingIsRefusedAndASecondWebSocketIsClosed) {
  const std::string target = polling_session();
  const std::string sid = target.substr(target.rfind('=') + 1);
  WsClient ws(port_);
  ASSERT_FALSE(ws.connect("/engine.io/?EIO=4&transport=websocket&sid=" + sid));
  ASSERT_FALSE(ws.send("2probe"));
  ASSERT_FALSE(ws.send("5"));
  EXPECT_EQ(ws.read().data, "3probe");
  EXPECT_EQ(http_get(port_, target).status, 400u);
  WsClient second(port_);
  ASSERT_FALSE(second.connect("/engine.io/?EIO=4&transport=websocket&sid=" + sid));
  auto closed = second.read(2s);
  EXPECT_EQ(closed.ec, beast::websocket::error::closed) << closed.ec.message();
  EXPECT_EQ(second.close_reason().code, beast::websocket::close_code::normal);
  ASSERT_FALSE(ws.send("4hello"));
  EXPECT_EQ(ws.read_skip_pings().data, "4hello");
}

// ---- socket.io --------------------------------------------------------------------------------

class SocketConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    options.engine = conformance_engine_options();
    options.connect_timeout = 1000ms;
    options.namespaces = {"/", "/custom"};
    server_ = std::make_unique<Server>(loops_.ptrs(), handler_, groups_, options);
    http_ = std::make_unique<net::HttpServer>(loops_.ptrs(), server_->http(), net::HttpLimits{});
    ASSERT_TRUE(http_->listen("127.0.0.1", 0).ok());
    port_ = http_->port();
    loops_.start();
  }
  void TearDown() override {
    server_->close_all();
    quiesce(*http_);
    loops_.stop();
  }
  std::unique_ptr<WsClient> open() {
    auto ws = std::make_unique<WsClient>(port_);
    EXPECT_FALSE(ws->connect("/socket.io/?EIO=4&transport=websocket"));
    EXPECT_EQ(ws->read().data[0], '0');
    return ws;
  }
  // initSocketIOConnection() of the suite.
  std::unique_ptr<WsClient> connected() {
    auto ws = open();
    EXPECT_FALSE(ws->send("40"));
    EXPECT_TRUE(ws->read_skip_pings().data.starts_with("40{\"sid\":"));
    EXPECT_EQ(ws->read_skip_pings().data, "42[\"auth\",{}]");
    return ws;
  }

  Loops loops_{2};
  ConformanceSocketHandler handler_;
  NullGroups groups_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<net::HttpServer> http_;
  uint16_t port_ = 0;
};

TEST_F(SocketConformanceTest, ConnectToTheMainAndCustomNamespaces) {
  auto ws = open();
  ASSERT_FALSE(ws->send("40{\"token\":\"123\"}"));
  auto ack = ws->read_skip_pings();
  ASSERT_TRUE(ack.data.starts_with("40{\"sid\":\"")) << ack.data;
  EXPECT_EQ(ack.data.size(), std::string("40{\"sid\":\"\"}").size() + 20);
  EXPECT_EQ(ws->read_skip_pings().data, "42[\"auth\",{\"token\":\"123\"}]");
  ASSERT_FALSE(ws->send("40/custom,{\"token\":\"abc\"}"));
  EXPECT_TRUE(ws->read_skip_pings().data.starts_with("40/custom,{\"sid\":\""));
  EXPECT_EQ(ws->read_skip_pings().data, "42/custom,[\"auth\",{\"token\":\"abc\"}]");

  auto other = open();
  ASSERT_FALSE(other->send("40/custom,"));
  EXPECT_TRUE(other->read_skip_pings().data.starts_with("40/custom,{\"sid\":\""));
  EXPECT_EQ(other->read_skip_pings().data, "42/custom,[\"auth\",{}]");
}

TEST_F(SocketConformanceTest, UnknownNamespaceAndInvalidHandshake) {
  auto ws = open();
  ASSERT_FALSE(ws->send("40/random"));
  EXPECT_EQ(ws->read_skip_pings().data, "44/random,{\"message\":\"Invalid namespace\"}");
  auto bad = open();
  ASSERT_FALSE(bad->send("4abc"));
  EXPECT_TRUE(bad->closed_within(2s));
}

TEST_F(SocketConformanceTest, NoHandshakeClosesAfterTheConnectTimeout) {
  auto ws = open();
  const auto start = std::chrono::steady_clock::now();
  auto m = ws->read_skip_pings(/*pong=*/true, 3s);  // heartbeats answered: only the timeout
  EXPECT_FALSE(m);
  EXPECT_NE(m.ec, asio::error::timed_out);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
}

TEST_F(SocketConformanceTest, DisconnectFromNamespaces) {
  auto ws = connected();
  ASSERT_FALSE(ws->send("40/custom"));
  EXPECT_TRUE(ws->read_skip_pings().data.starts_with("40/custom,{\"sid\":\""));
  EXPECT_EQ(ws->read_skip_pings().data, "42/custom,[\"auth\",{}]");
  ASSERT_FALSE(ws->send("41/custom"));
  ASSERT_FALSE(ws->send("42[\"message\",\"message to main namespace\",1,2]"));
  EXPECT_EQ(ws->read_skip_pings().data, "42[\"message-back\",\"message to main namespace\",1,2]");
  // Leaving the last namespace keeps the Engine.IO connection (pings keep coming).
  ASSERT_FALSE(ws->send("41"));
  EXPECT_EQ(ws->read(1s).data, "2");
}

TEST_F(SocketConformanceTest, MessagesAndAcks) {
  auto ws = connected();
  ASSERT_FALSE(ws->send("42[\"message\",1,\"2\",{\"3\":[true]}]"));
  EXPECT_EQ(ws->read_skip_pings().data, "42[\"message-back\",1,\"2\",{\"3\":[true]}]");
  ASSERT_FALSE(ws->send("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]"));
  EXPECT_EQ(ws->read_skip_pings().data, "43456[1,\"2\",{\"3\":[false]}]");
}

TEST_F(SocketConformanceTest, BinaryMessagesAndAcks) {
  auto ws = connected();
  ASSERT_FALSE(
      ws->send("452-[\"message\",1,{\"_placeholder\":true,\"num\":0},"
               "{\"_placeholder\":true,\"num\":1}]"));
  ASSERT_FALSE(ws->send(std::string("\x01\x02\x03"), true));
  ASSERT_FALSE(ws->send(std::string("\x04\x05\x06"), true));
  EXPECT_EQ(ws->read_skip_pings().data,
            "452-[\"message-back\",1,{\"_placeholder\":true,\"num\":0},"
            "{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(ws->read_skip_pings().data, "\x01\x02\x03");
  EXPECT_EQ(ws->read_skip_pings().data, "\x04\x05\x06");

  ASSERT_FALSE(
      ws->send("452-789[\"message-with-ack\",1,{\"_placeholder\":true,\"num\":0},"
               "{\"_placeholder\":true,\"num\":1}]"));
  ASSERT_FALSE(ws->send(std::string("\x01\x02\x03"), true));
  ASSERT_FALSE(ws->send(std::string("\x04\x05\x06"), true));
  EXPECT_EQ(ws->read_skip_pings().data,
            "462-789[1,{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(ws->read_skip_pings().data, "\x01\x02\x03");
  EXPECT_EQ(ws->read_skip_pings().data, "\x04\x05\x06");
}

TEST_F(SocketConformanceTest, EmitWithAckExpectation) {
  auto ws = connected();
  ASSERT_FALSE(ws->send("42[\"emit-with-ack\",1,\"2\",{\"3\":[true]}]"));
  EXPECT_EQ(ws->read_skip_pings().data, "421[\"emit-with-ack\",1,\"2\",{\"3\":[true]}]");
  ASSERT_FALSE(ws->send("431[1,\"2\",{\"3\":[true]}]"));
  EXPECT_EQ(ws->read_skip_pings().data, "42[\"emit-with-ack\",1,\"2\",{\"3\":[true]}]");

  const std::string data =
      "{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1},\"test\"";
  auto bin = connected();
  ASSERT_FALSE(bin->send("452-[\"emit-with-ack\"," + data + "]"));
  ASSERT_FALSE(bin->send(std::string("\x01\x02\x03"), true));
  ASSERT_FALSE(bin->send(std::string("\x04\x05\x06"), true));
  EXPECT_EQ(bin->read_skip_pings().data, "452-1[\"emit-with-ack\"," + data + "]");
  EXPECT_EQ(bin->read_skip_pings().data, "\x01\x02\x03");
  EXPECT_EQ(bin->read_skip_pings().data, "\x04\x05\x06");
  ASSERT_FALSE(bin->send("462-1[" + data + "]"));
  ASSERT_FALSE(bin->send(std::string("\x01\x02\x03"), true));
  ASSERT_FALSE(bin->send(std::string("\x04\x05\x06"), true));
  EXPECT_EQ(bin->read_skip_pings().data, "452-[\"emit-with-ack\"," + data + "]");
  EXPECT_EQ(bin->read_skip_pings().data, "\x01\x02\x03");
  EXPECT_EQ(bin->read_skip_pings().data, "\x04\x05\x06");
}

TEST_F(SocketConformanceTest, InvalidFormatsCloseTheConnection) {
  for (const char* bad : {"4abc", "42{}", "42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]"}) {
    auto ws = connected();
    ASSERT_FALSE(ws->send(bad));
    EXPECT_TRUE(ws->closed_within(2s)) << bad;
  }
}

TEST_F(SocketConformanceTest, PollingHeartbeatAndClose) {
  auto r = http_get(port_, "/socket.io/?EIO=4&transport=polling");
  const std::string target = "/socket.io/?EIO=4&transport=polling&sid=" + sid_of(r.body);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(http_get(port_, target).body, "2");
    EXPECT_EQ(http_post(port_, target, "3").status, 200u);
  }
  auto parked = std::async(std::launch::async, [&] { return http_get(port_, target); });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(http_post(port_, target, "1").status, 200u);
  EXPECT_EQ(parked.get().body, "6");
  EXPECT_EQ(http_get(port_, target).status, 400u);
}

}  // namespace
}  // namespace parley::sio

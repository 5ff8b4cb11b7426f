// Tests for the Engine.IO v4 packet codec: WebSocket frames, long-polling payloads, the open
// packet, every malformed-input class, and deterministic fuzz loops.
#include "eio/packet.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace parley::eio {
namespace {

using namespace std::string_literals;

const PacketType kAllTypes[] = {PacketType::open, PacketType::close,   PacketType::ping,
                                PacketType::pong, PacketType::message, PacketType::upgrade,
                                PacketType::noop};

TEST(EioPacket, TypeCharsMatchTheProtocol) {
  EXPECT_EQ(type_char(PacketType::open), '0');
  EXPECT_EQ(type_char(PacketType::close), '1');
  EXPECT_EQ(type_char(PacketType::ping), '2');
  EXPECT_EQ(type_char(PacketType::pong), '3');
  EXPECT_EQ(type_char(PacketType::message), '4');
  EXPECT_EQ(type_char(PacketType::upgrade), '5');
  EXPECT_EQ(type_char(PacketType::noop), '6');
  EXPECT_EQ(type_name(PacketType::pong), "pong");
  EXPECT_FALSE(type_from_char('7').has_value());
  EXPECT_FALSE(type_from_char('b').has_value());
}

TEST(EioPacket, TextRoundTripEveryType) {
  for (PacketType t : kAllTypes) {
    for (const std::string& data : {""s, "probe"s, "h\xc3\xa9llo \x1e world"s}) {
      const Packet p = Packet::text(t, data);
      const std::string frame = encode_ws(p);
      ASSERT_EQ(frame, std::string(1, type_char(t)) + data);
      auto decoded = decode_text(frame);
      ASSERT_TRUE(decoded.ok()) << frame;
      EXPECT_EQ(*decoded, p);
    }
  }
}

TEST(EioPacket, DecodesKnownFrames) {
  auto ping = decode_text("2probe");
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->type, PacketType::ping);
  EXPECT_EQ(ping->data, "probe");
  EXPECT_FALSE(ping->binary);

  auto msg = decode_text_view("42[\"chat\",\"hi\"]");
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->type, PacketType::message);
  EXPECT_EQ(msg->data, "2[\"chat\",\"hi\"]");

  auto upgrade = decode_text("5");
  ASSERT_TRUE(upgrade.ok());
  EXPECT_EQ(upgrade->type, PacketType::upgrade);
  EXPECT_TRUE(upgrade->data.empty());
}

TEST(EioPacket, RejectsMalformedTextFrames) {
  const std::string bad[] = {""s,
                             "7"s,
                             "9hello"s,
                             "x"s,
                             "b"s,
                             "bAQID"s,
                             "\x00"s
                             "4"s,
                             "\xff"s,
                             "-1"s,
                             " 4hello"s};
  for (const auto& frame : bad) {
    auto r = decode_text(frame);
    EXPECT_FALSE(r.ok()) << "accepted: " << frame;
    if (!r.ok()) {
      EXPECT_EQ(r.error().kind, Error::Kind::invalid);
    }
  }
}

TEST(EioPacket, BinaryFramesAreRawMessages) {
  const std::string bytes = "\x00\x01\xff\x34"s;
  const Packet p = decode_binary(bytes);
  EXPECT_EQ(p.type, PacketType::message);
  EXPECT_TRUE(p.binary);
  EXPECT_EQ(p.data, bytes);
  // No type prefix on the way out either.
  EXPECT_EQ(encode_ws(p), bytes);
  // An empty binary message is legal (an empty ArrayBuffer).
  EXPECT_TRUE(decode_binary("").binary);
}

TEST(EioPacket, EncodeWsAppends) {
  std::string out = "prefix:";
  encode_ws_to(Packet::text(PacketType::message, "hi"), out);
  EXPECT_EQ(out, "prefix:4hi");
}

TEST(EioPayload, EncodesMixedTextAndBinary) {
  const std::vector<Packet> packets = {
      Packet::text(PacketType::message, "hello"),
      Packet::bytes("\x01\x02\x03\x04"s),
      Packet::text(PacketType::ping),
      Packet::text(PacketType::message, "2[\"a\"]"),
      Packet::bytes(""),
  };
  const std::string body = encode_payload(packets);
  EXPECT_EQ(body,
            "4hello\x1e"
            "bAQIDBA==\x1e"
            "2\x1e"
            "42[\"a\"]\x1e"
            "b");
  auto decoded = decode_payload(body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
  EXPECT_EQ(*decoded, packets);
}

TEST(EioPayload, SinglePacketHasNoSeparator) {
  EXPECT_EQ(encode_payload(std::vector<Packet>{Packet::text(PacketType::noop)}), "6");
  EXPECT_EQ(encode_payload(std::vector<Packet>{}), "");
  auto decoded = decode_payload("4hello");
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0], Packet::text(PacketType::message, "hello"));
}

TEST(EioPayload, DecodesClientPostBody) {
  // What socket.io-client 4.x POSTs after a few emits, a pong and a Uint8Array emit.
  auto decoded = decode_payload(
      "3\x1e"
      "42[\"a\",1]\x1e"
      "451-[\"up\",{\"_placeholder\":true,\"num\":0}]\x1e"
      "bAAEC"
      "/w==");
  ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
  ASSERT_EQ(decoded->size(), 4u);
  EXPECT_EQ((*decoded)[0].type, PacketType::pong);
  EXPECT_EQ((*decoded)[1].data, "2[\"a\",1]");
  EXPECT_EQ((*decoded)[2].data, "51-[\"up\",{\"_placeholder\":true,\"num\":0}]");
  EXPECT_TRUE((*decoded)[3].binary);
  EXPECT_EQ((*decoded)[3].data, "\x00\x01\x02\xff"s);
}

TEST(EioPayload, RejectsMalformedPayloads) {
  const std::string bad[] = {
      ""s,      // empty body
      "\x1e"s,  // only a separator
      "\x1e"
      "4a"s,      // leading empty segment
      "4a\x1e"s,  // trailing empty segment
      "4a\x1e\x1e"
      "4b"s,  // doubled separator
      "4a\x1e"
      "9b"s,  // unknown type in a later segment
      "x"s,   // unknown type
      "4a\x1e"
      "b!!!!"s,  // bad base64 characters
      "bAQI"s
      "D"s
      "=",       // bad base64 length
      "bZh=="s,  // non-canonical base64
      "b===="s,  // padding only
  };
  for (const auto& body : bad) {
    auto r = decode_payload(body);
    EXPECT_FALSE(r.ok()) << "accepted: " << body;
  }
}

TEST(EioPayload, RandomRoundTrips) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    std::vector<Packet> packets(1 + rng() % 6);
    for (auto& p : packets) {
      std::string data(rng() % 20, '\0');
      if (rng() % 2) {
        for (auto& c : data)
          c = static_cast<char>(rng());
        p = Packet::bytes(std::move(data));
      } else {
        // Text packets may not contain the separator; everything else is fair game.
        for (auto& c : data)
          c = static_cast<char>(0x20 + rng() % 0x5f);
        p = Packet::text(kAllTypes[rng() % 7], std::move(data));
      }
    }
    auto decoded = decode_payload(encode_payload(packets));
    ASSERT_TRUE(decoded.ok());
    ASSERT_EQ(*decoded, packets);
  }
}

TEST(EioOpen, BuildsHandshakeJson) {
  OpenParams params;
  params.sid = "lv_VI97HAXpY6yYWAAAC";
  params.upgrades = {"websocket"};
  params.ping_interval_ms = 25000;
  params.ping_timeout_ms = 20000;
  params.max_payload = 1000000;
  EXPECT_EQ(open_json(params),
            R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
            R"("pingTimeout":20000,"maxPayload":1000000})");
  const Packet open = open_packet(params);
  EXPECT_EQ(open.type, PacketType::open);
  EXPECT_FALSE(open.binary);
  EXPECT_EQ(encode_ws(open), "0" + open_json(params));
}

TEST(EioOpen, NoUpgradesAndEscaping) {
  OpenParams params;
  params.sid = "a\"b\\c\n\x01";
  params.upgrades = {};
  params.max_payload = 18446744073709551615ull;
  EXPECT_EQ(open_json(params),
            R"({"sid":"a\"b\\c\n\u0001","upgrades":[],"pingInterval":25000,"pingTimeout":20000,)"
            R"("maxPayload":18446744073709551615})");
}

// Random bytes: every call must return (ok or error) without crashing; ok results must survive a
// re-encode unchanged.
TEST(EioFuzz, RandomBytes) {
  std::mt19937 rng(2024);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string input(rng() % 24, '\0');
    for (auto& c : input) {
      const auto r = rng() % 4;
      c = r == 0 ? '\x1e' : r == 1 ? static_cast<char>('0' + rng() % 8) : static_cast<char>(rng());
    }
    if (auto p = decode_text(input); p.ok()) {
      ASSERT_EQ(encode_ws(*p), input);
    }
    if (auto ps = decode_payload(input); ps.ok()) {
      ASSERT_EQ(encode_payload(*ps), input);
    }
  }
}

TEST(EioFuzz, MutatedValidPayloads) {
  std::mt19937 rng(99);
  const std::string seeds[] = {
      "4hello\x1e"
      "bAQIDBA==\x1e"
      "2\x1e"
      "42[\"a\"]",
      "3\x1e"
      "451-[\"up\",{\"_placeholder\":true,\"num\":0}]\x1e"
      "bAAEC/w==",
      "0{\"sid\":\"x\"}",
      "bZm9vYmFy",
  };
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string input = seeds[rng() % std::size(seeds)];
    const int mutations = 1 + rng() % 3;
    for (int m = 0; m < mutations && !input.empty(); ++m) {
      const std::size_t pos = rng() % input.size();
      switch (rng() % 4) {
        case 0:
          input[pos] = static_cast<char>(rng());
          break;
        case 1:
          input.erase(pos, 1);
          break;
        case 2:
          input.insert(pos, 1, rng() % 2 ? '\x1e' : static_cast<char>(rng()));
          break;
        case 3:
          input.resize(pos);
          break;
      }
    }
    if (auto ps = decode_payload(input); ps.ok()) {
      ++accepted;
      ASSERT_EQ(encode_payload(*ps), input);
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace parley::eio

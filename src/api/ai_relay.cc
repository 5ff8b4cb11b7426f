// See ai_relay.h. Event payloads follow §3.7 with the (rec) extra fields.
#include "api/ai_relay.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <limits>
#include <optional>

#include "ai/failure.h"
#include "api/room_loader.h"
#include "chat/ids.h"
#include "chat/mentions.h"
#include "chat/validation.h"
#include "core/clock.h"
#include "sio/socket.h"

namespace parley::api {

namespace json = boost::json;

struct AiRelay::Generation {
  asio::any_io_executor loop;  // immutable; the only member the provider's thread reads
  std::string room_id;
  std::string ai_type;
  std::string message_id;  // "<aiType>-<startMs>"
  std::string query;
  chat::Id trigger_id;  // the mentioning message, already in the room's history
  std::string sender_name;
  const ai::Persona* persona = nullptr;
  int64_t start_ms = 0;
  std::optional<ai::Admission::Ticket> ticket;

  std::string content;    // accumulated reply
  size_t fence_scan = 0;  // where the next "```" search starts
  size_t fences = 0;      // "```" seen so far; odd = inside a code block
  bool finished = false;
};

AiRelay::AiRelay(Services& services, bus::Bus& bus, ai::Provider& provider,
                 const ai::Personas& personas, AiLimits limits)
    : services_(services),
      bus_(bus),
      provider_(provider),
      personas_(personas),
      limits_(limits),
      admission_(limits.max_per_room, limits.max_total) {}

void AiRelay::publish(const std::string& room, std::string_view event, const json::value& arg) {
  if (services_.metrics) services_.metrics->count_ai_event(event);
  bus_.publish(room, sio::make_event_frame(event, arg));
}

void AiRelay::start(const asio::any_io_executor& loop, const chat::Message& message,
                    const std::string& content, const std::string& sender_name) {
  for (const auto& ai_type : message.mentions) {
    auto g = std::make_shared<Generation>();
    g->loop = loop;
    g->room_id = message.room_id;
    g->ai_type = ai_type;
    g->start_ms = now_ms();
    g->message_id = ai_type + "-" + std::to_string(g->start_ms);
    g->query = chat::mention_query(content, ai_type);
    g->trigger_id = message.id;
    g->sender_name = sender_name;
    g->persona = personas_.find(ai_type);
    publish(g->room_id, "aiMessageStart",
            json::object{
                {"messageId", g->message_id}, {"aiType", ai_type}, {"timestamp", g->start_ms}});
    if (!g->persona || !provider_.configured()) {
      fail(*g, ai::Failure{ai::Failure::Kind::not_configured, "no AI endpoint configured"});
      continue;
    }
    g->ticket = admission_.try_enter(g->room_id);
    if (!g->ticket) {
      fail(*g, ai::Failure{ai::Failure::Kind::busy, "concurrency cap reached"});
      continue;
    }
    auto run_it = run(g);
    asio::co_spawn(loop, std::move(run_it), asio::detached);
  }
}

asio::awaitable<void> AiRelay::run(GenerationPtr g) {
  ai::Request request;
  request.system_prompt = g->persona->system_prompt;
  request.temperature = g->persona->temperature;
  try {
    request.turns = co_await context(*g);
  } catch (const std::exception& e) {
    // Detached coroutines drop exceptions; every Start must still end in Complete or Error.
    fail(*g, ai::Failure{ai::Failure::Kind::internal, e.what()});
    co_return;
  }
  request.turns.push_back(ai::ChatTurn{"user", g->sender_name + ": " + g->query});
  provider_.generate(std::move(request), sink_for(g));
}

// The room's last messages before the question, oldest first: people's messages as "user" turns
// prefixed with the sender's name, this assistant's earlier replies as "assistant" turns. System
// messages and other assistants' replies are left out. A failed read only costs the context.
asio::awaitable<std::vector<ai::ChatTurn>> AiRelay::context(const Generation& g) {
  std::vector<ai::ChatTurn> turns;
  if (limits_.context_messages == 0) co_return turns;
  const int limit = static_cast<int>(std::min<size_t>(limits_.context_messages + 1, 1000));
  const chat::Id no_reader;  // context reads do not mark messages read
  auto page = co_await services_.store.fetch_messages(
      g.room_id, std::numeric_limits<int64_t>::max(), limit, no_reader, now_ms());
  if (!page) {
    spdlog::warn("ai {}: loading the context of room {} failed: {}", g.message_id, g.room_id,
                 page.error().detail);
    co_return turns;
  }
  std::vector<const chat::Message*> picked;
  std::vector<chat::Id> sender_ids;
  for (const auto& m : page->messages) {
    if (m.id == g.trigger_id || chat::is_blank(m.content)) continue;
    const bool person = (m.type == chat::MessageType::text || m.type == chat::MessageType::file) &&
                        !m.sender_id.empty();
    const bool mine = m.type == chat::MessageType::ai && m.ai_type == g.ai_type;
    if (!person && !mine) continue;
    picked.push_back(&m);
    if (person) sender_ids.push_back(m.sender_id);
  }
  if (picked.size() > limits_.context_messages) {
    picked.erase(picked.begin(), picked.end() - static_cast<ptrdiff_t>(limits_.context_messages));
  }
  auto users = co_await load_users(services_, std::move(sender_ids));
  for (const chat::Message* m : picked) {
    if (m->type == chat::MessageType::ai) {
      turns.push_back(ai::ChatTurn{"assistant", m->content});
      continue;
    }
    std::string name = "알 수 없음";  // a deleted account, as in message views
    if (users) {
      if (auto it = users->find(m->sender_id); it != users->end()) name = it->second.name;
    }
    turns.push_back(ai::ChatTurn{"user", name + ": " + m->content});
  }
  co_return turns;
}

ai::Sink AiRelay::sink_for(const GenerationPtr& g) {
  ai::Sink sink;
  sink.on_delta = [this, g](std::string delta) {
    asio::post(g->loop, [this, g, d = std::move(delta)]() mutable { on_delta(*g, std::move(d)); });
  };
  sink.on_done = [this, g] {
    asio::post(g->loop, [this, g] {
      auto finishing = complete(g);
      asio::co_spawn(g->loop, std::move(finishing), asio::detached);
    });
  };
  sink.on_error = [this, g](ai::Failure failure) {
    asio::post(g->loop, [this, g, f = std::move(failure)] { fail(*g, f); });
  };
  return sink;
}

void AiRelay::on_delta(Generation& g, std::string delta) {
  if (g.finished || delta.empty()) return;
  const size_t before = g.content.size();
  g.content += delta;
  // Count "```" in the whole text without rescanning it: a fence that ends in the new text
  // starts at most two bytes before it, and never before the end of the last fence counted.
  size_t pos = std::max(g.fence_scan, before >= 2 ? before - 2 : 0);
  while ((pos = g.content.find("```", pos)) != std::string::npos) {
    ++g.fences;
    pos += 3;
    g.fence_scan = pos;
  }
  // §3.7: a chunk event per non-blank delta; a blank one still counts towards fullContent.
  if (chat::is_blank(delta)) return;
  publish(g.room_id, "aiMessageChunk",
          json::object{{"messageId", g.message_id},
                       {"fullContent", g.content},
                       {"isCodeBlock", g.fences % 2 == 1},
                       {"isComplete", false},
                       {"currentChunk", delta},
                       {"aiType", g.ai_type},
                       {"timestamp", now_ms()}});
}

void AiRelay::fail(Generation& g, const ai::Failure& failure) {
  if (g.finished) return;
  g.finished = true;
  g.ticket.reset();
  if (failure.kind == ai::Failure::Kind::not_configured) {
    spdlog::debug("ai {}: {}", g.message_id, failure.detail);
  } else {
    spdlog::warn("ai {} in room {}: {} ({})", g.message_id, g.room_id, ai::to_string(failure.kind),
                 failure.detail);
  }
  publish(g.room_id, "aiMessageError",
          json::object{{"messageId", g.message_id},
                       {"error", ai::user_message(failure.kind)},
                       {"aiType", g.ai_type}});
}

asio::awaitable<void> AiRelay::complete(GenerationPtr g) {
  if (g->finished) co_return;
  if (chat::is_blank(g->content)) {
    fail(*g, ai::Failure{ai::Failure::Kind::empty, "the reply had no content"});
    co_return;
  }
  g->finished = true;
  const int64_t generation_ms = now_ms() - g->start_ms;
  chat::Message m;
  m.id = chat::new_object_id();
  m.room_id = g->room_id;
  m.content = g->content;
  m.type = chat::MessageType::ai;
  m.ai_type = g->ai_type;
  m.timestamp = g->start_ms;
  m.metadata_json =
      json::serialize(json::object{{"query", g->query}, {"generationTime", generation_ms}});
  std::optional<Result<chat::Message>> stored;
  try {
    auto result = co_await services_.store.append_message(std::move(m));
    stored.emplace(std::move(result));
  } catch (const std::exception& e) {
    stored.emplace(Error::internal(e.what()));
  }
  g->ticket.reset();
  if (!*stored) {
    spdlog::error("ai {}: storing the reply failed: {}", g->message_id, stored->error().detail);
    publish(g->room_id, "aiMessageError",
            json::object{{"messageId", g->message_id},
                         {"error", ai::kDefaultErrorText},
                         {"aiType", g->ai_type}});
    co_return;
  }
  publish(g->room_id, "aiMessageComplete",
          json::object{{"_id", stored->value().id},
                       {"content", g->content},
                       {"aiType", g->ai_type},
                       {"timestamp", g->start_ms},
                       {"messageId", g->message_id},
                       {"isComplete", true},
                       {"query", g->query},
                       {"reactions", json::object{}}});
}

}  // namespace parley::api

// AiRelay: the §3.7 flow between a chat message that @mentions assistants and the room. For
// each mentioned assistant it announces the reply (aiMessageStart), gathers the room's recent
// conversation, hands the prompt to the ai::Provider, relays every delta as aiMessageChunk,
// stores the finished reply as an `ai` message and announces it (aiMessageComplete), or reports
// aiMessageError. Nothing is stored unless the stream completed.
//
// Threading: a generation lives on the event loop of the socket that mentioned the assistant.
// The provider calls back from its own thread; every callback is posted to that loop, so the
// generation's state is only ever touched there. Publishing goes through bus::Bus.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ai/admission.h"
#include "ai/assistant.h"
#include "ai/personas.h"
#include "api/services.h"
#include "bus/bus.h"

namespace parley::api {

struct AiLimits {
  size_t context_messages = 20;  // earlier room messages sent along with the question
  size_t max_per_room = 2;       // generations running at once in one room
  size_t max_total = 32;         // ... and in the whole process
};

class AiRelay {
 public:
  AiRelay(Services& services, bus::Bus& bus, ai::Provider& provider, const ai::Personas& personas,
          AiLimits limits = {});

  // The names chat messages can @mention (from the assistants configuration).
  const std::vector<std::string>& names() const { return personas_.names(); }

  // Starts one generation per assistant in message.mentions. `content` is the message's trimmed
  // text; `sender_name` prefixes the question. Call on `loop`, the sender's event loop.
  void start(const asio::any_io_executor& loop, const chat::Message& message,
             const std::string& content, const std::string& sender_name);

 private:
  struct Generation;
  using GenerationPtr = std::shared_ptr<Generation>;

  asio::awaitable<void> run(GenerationPtr g);
  asio::awaitable<std::vector<ai::ChatTurn>> context(const Generation& g);
  asio::awaitable<void> complete(GenerationPtr g);
  void on_delta(Generation& g, std::string delta);
  void fail(Generation& g, const ai::Failure& failure);
  ai::Sink sink_for(const GenerationPtr& g);
  void publish(const std::string& room, std::string_view event, const boost::json::value& arg);

  Services& services_;
  bus::Bus& bus_;
  ai::Provider& provider_;
  const ai::Personas& personas_;
  AiLimits limits_;
  ai::Admission admission_;
};

}  // namespace parley::api

// The assistants' port (§3.7): the chat hands a mention to an AiProvider and relays what comes
// back to the room. The streaming OpenAI-compatible provider lives beside this file; without an
// endpoint configured, NoProvider answers every request with an error.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace parley::ai {

struct ContextMessage {
  std::string role;  // "user" | "assistant"
  std::string content;
};

struct Request {
  std::string room_id;
  std::string ai_type;  // e.g. "wayneAI"
  std::string query;
  std::vector<ContextMessage> context;  // recent conversation, oldest first
};

// What a provider reports while generating. Calls may come from any thread.
struct Sink {
  std::function<void(const std::string& delta)> on_delta;
  std::function<void()> on_done;
  std::function<void(const std::string& error)> on_error;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual bool configured() const = 0;
  virtual void generate(Request request, Sink sink) = 0;
};

// No endpoint configured: every request ends in an error, so clients see Start then Error.
class NoProvider final : public Provider {
 public:
  bool configured() const override { return false; }
  void generate(Request, Sink sink) override {
    if (sink.on_error) sink.on_error("AI 어시스턴트가 설정되지 않았습니다.");
  }
};

}  // namespace parley::ai

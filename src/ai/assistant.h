// The assistants' port (§3.7): the chat hands a prompt to a Provider and relays what comes back
// to the room (api/ai_relay.cc). The streaming OpenAI-compatible provider lives beside this file
// (openai_provider.h); without an endpoint configured, NoProvider answers every request with an
// error, so clients see aiMessageStart then aiMessageError.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace parley::ai {

struct ChatTurn {
  std::string role;  // "user" | "assistant" (the system prompt travels separately)
  std::string content;
};

struct Request {
  std::string system_prompt;  // the persona
  double temperature = 0.7;
  std::vector<ChatTurn> turns;  // recent conversation, oldest first; the last one is the question
};

// Why a generation failed. The kind decides the text clients see (failure.h); the detail is for
// the server log only, since it may hold provider internals.
struct Failure {
  enum class Kind {
    not_configured,  // no endpoint
    busy,            // a concurrency cap was reached
    http,            // non-2xx answer
    malformed,       // a data line that is not the expected JSON
    dropped,         // the stream ended before [DONE]
    connect,         // could not connect / resolve / TLS
    timeout,         // connect, idle or total timeout
    too_large,       // the reply exceeded the size cap
    empty,           // [DONE] without any content
    shutdown,        // the server is stopping
    internal,
  };
  Kind kind = Kind::internal;
  std::string detail;
};

// What a provider reports while generating: any number of on_delta calls, then exactly one of
// on_done or on_error. Calls come from the provider's own thread; the receiver re-posts them.
struct Sink {
  std::function<void(std::string delta)> on_delta;
  std::function<void()> on_done;
  std::function<void(Failure failure)> on_error;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual bool configured() const = 0;
  // Thread-safe and non-blocking: the request is queued and the sink is called later.
  virtual void generate(Request request, Sink sink) = 0;
  // Ends every request in flight (their sinks get Failure::shutdown) and refuses new ones.
  // Returns once no sink will be called any more. Idempotent.
  virtual void shutdown() {}
};

// No endpoint configured: every request ends in an error.
class NoProvider final : public Provider {
 public:
  bool configured() const override { return false; }
  void generate(Request, Sink sink) override {
    if (sink.on_error) sink.on_error(Failure{Failure::Kind::not_configured, "no AI endpoint"});
  }
};

}  // namespace parley::ai

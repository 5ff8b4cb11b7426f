// OpenAiProvider: streams replies from any OpenAI-compatible chat-completions endpoint
// (POST <base>/chat/completions with stream:true). One dedicated thread ("ai-io", a
// curlio::MultiRunner) runs libcurl's multi interface for every request in flight, so HTTP and
// HTTPS cost no event-loop time. Sinks are called on that thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "ai/assistant.h"
#include "core/result.h"

namespace parley::ai {

struct OpenAiOptions {
  std::string base_url;  // e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1
  std::string api_key;   // sent as "Authorization: Bearer <key>" when non-empty
  std::string model;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds idle_timeout{30'000};    // no byte received for this long
  std::chrono::milliseconds total_timeout{120'000};  // the whole request
  size_t max_reply_bytes = 64 * 1024;                // of generated text
};

class OpenAiProvider final : public Provider {
 public:
  // Starts the worker thread. Fails when libcurl cannot be initialised.
  static Result<std::unique_ptr<OpenAiProvider>> start(OpenAiOptions options);
  ~OpenAiProvider() override;  // shutdown()

  bool configured() const override { return true; }
  void generate(Request request, Sink sink) override;
  void shutdown() override;

  struct Impl;  // public only so the .cc's callbacks can name it

 private:
  explicit OpenAiProvider(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::ai

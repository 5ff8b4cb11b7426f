// The OpenAI chat-completions wire format, without any I/O: the JSON body of a streaming request
// and the meaning of one `data:` payload of its event stream. Every OpenAI-compatible server
// (OpenAI, llama.cpp server, Ollama, vLLM, ...) speaks this subset.
#pragma once

#include <string>
#include <string_view>

#include "ai/assistant.h"
#include "core/result.h"

namespace parley::ai {

// {"model", "messages":[system, turns...], "temperature", "stream":true}
std::string completion_request_body(std::string_view model, const Request& request);

struct StreamEvent {
  bool done = false;  // the `[DONE]` sentinel
  std::string delta;  // choices[0].delta.content; empty for role-only or usage-only chunks
};

// Error::invalid: not JSON, or not the expected shape (a malformed event).
// Error::unavailable: the server reported an error inside the stream ({"error":{...}}).
Result<StreamEvent> parse_stream_data(std::string_view data);

}  // namespace parley::ai

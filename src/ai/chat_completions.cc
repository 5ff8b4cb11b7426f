// See chat_completions.h.
#include "ai/chat_completions.h"

#include <boost/json.hpp>

namespace parley::ai {

namespace json = boost::json;

std::string completion_request_body(std::string_view model, const Request& request) {
  json::array messages;
  messages.reserve(request.turns.size() + 1);
  messages.push_back(json::object{{"role", "system"}, {"content", request.system_prompt}});
  for (const auto& turn : request.turns) {
    messages.push_back(json::object{{"role", turn.role}, {"content", turn.content}});
  }
  json::object body{{"model", model},
                    {"messages", std::move(messages)},
                    {"temperature", request.temperature},
                    {"stream", true}};
  return json::serialize(body);
}

Result<StreamEvent> parse_stream_data(std::string_view data) {
  if (data == "[DONE]") return StreamEvent{true, {}};
  boost::system::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec) return Error::invalid("data is not JSON: " + ec.message());
  if (!v.is_object()) return Error::invalid("data is not a JSON object");
  const json::object& o = v.as_object();
  if (const json::value* err = o.if_contains("error")) {
    std::string detail = json::serialize(*err);
    if (detail.size() > 500) detail.resize(500);
    return Error::unavailable("error event: " + detail);
  }
  StreamEvent event;
  const json::value* choices = o.if_contains("choices");
  if (!choices) return event;  // e.g. a usage-only chunk
  if (!choices->is_array()) return Error::invalid("choices is not an array");
  if (choices->as_array().empty()) return event;
  const json::value& first = choices->as_array().front();
  if (!first.is_object()) return Error::invalid("choices[0] is not an object");
  const json::value* delta = first.as_object().if_contains("delta");
  if (!delta || delta->is_null()) return event;
  if (!delta->is_object()) return Error::invalid("choices[0].delta is not an object");
  const json::value* content = delta->as_object().if_contains("content");
  if (!content || content->is_null()) return event;
  if (!content->is_string()) return Error::invalid("choices[0].delta.content is not a string");
  event.delta = std::string(content->as_string());
  return event;
}

}  // namespace parley::ai

// See personas.h. The built-in defaults must stay equal to config/assistants.json (a unit test
// compares them).
#include "ai/personas.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace parley::ai {

namespace json = boost::json;

namespace {

constexpr std::string_view kDefaultsJson = R"json({
  "assistants": [
    {
      "name": "wayneAI",
      "description": "Wayne AI: a helpful general assistant",
      "systemPrompt": "당신은 Wayne AI입니다. 채팅방 사용자들을 돕는 친절하고 유능한 AI 어시스턴트입니다. 질문에 정확하고 명확하게 답하고, 확실하지 않은 내용은 모른다고 말하세요. 대화 기록의 사용자 메시지는 '이름: 내용' 형식입니다. 사용자가 다른 언어로 묻지 않는 한 한국어로 답하고, 코드는 마크다운 코드 블록(```)으로 보여 주세요.",
      "temperature": 0.7
    },
    {
      "name": "consultingAI",
      "description": "Consulting AI: a business consultant",
      "systemPrompt": "당신은 Consulting AI입니다. 경영 전략, 마케팅, 재무, 조직 운영에 밝은 비즈니스 컨설턴트입니다. 먼저 상황을 파악하고 핵심 문제를 정의한 뒤, 실행 가능한 권고안을 근거와 함께 구조적으로 제시하세요. 정보가 부족하면 어떤 가정을 했는지 밝히세요. 대화 기록의 사용자 메시지는 '이름: 내용' 형식입니다. 사용자가 다른 언어로 묻지 않는 한 한국어로 답하세요.",
      "temperature": 0.7
    }
  ]
})json";

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool word =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!word) return false;
  }
  return true;
}

Result<Persona> parse_one(const json::value& v, size_t index) {
  const std::string where = "assistants[" + std::to_string(index) + "]";
  if (!v.is_object()) return Error::invalid(where + " is not an object");
  const json::object& o = v.as_object();
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    if (key != "name" && key != "systemPrompt" && key != "temperature" && key != "description") {
      return Error::invalid(where + ": unknown key \"" + std::string(key) + "\"");
    }
  }
  Persona p;
  const json::value* name = o.if_contains("name");
  if (!name || !name->is_string() || !valid_name(name->as_string())) {
    return Error::invalid(where + ".name must be 1-64 characters of [A-Za-z0-9_]");
  }
  p.name = std::string(name->as_string());
  const json::value* prompt = o.if_contains("systemPrompt");
  if (!prompt || !prompt->is_string() || prompt->as_string().empty()) {
    return Error::invalid(where + ".systemPrompt must be a non-empty string");
  }
  p.system_prompt = std::string(prompt->as_string());
  if (const json::value* t = o.if_contains("temperature")) {
    if (!t->is_number()) return Error::invalid(where + ".temperature must be a number");
    p.temperature = t->to_number<double>();
    if (!(p.temperature >= 0.0 && p.temperature <= 2.0)) {
      return Error::invalid(where + ".temperature must be between 0 and 2");
    }
  }
  if (const json::value* d = o.if_contains("description"); d && !d->is_string()) {
    return Error::invalid(where + ".description must be a string");
  }
  return p;
}

}  // namespace

Result<Personas> Personas::parse(std::string_view json_text) {
  boost::system::error_code ec;
  json::value v = json::parse(json_text, ec);
  if (ec) return Error::invalid("not valid JSON: " + ec.message());
  const json::value* list = v.is_object() ? v.as_object().if_contains("assistants") : nullptr;
  if (!list || !list->is_array() || list->as_array().empty()) {
    return Error::invalid("expected {\"assistants\": [ ... ]} with at least one assistant");
  }
  Personas out;
  for (size_t i = 0; i < list->as_array().size(); ++i) {
    auto p = parse_one(list->as_array()[i], i);
    if (!p) return p.error();
    if (out.find(p->name)) return Error::invalid("duplicate assistant name \"" + p->name + "\"");
    out.names_.push_back(p->name);
    out.personas_.push_back(std::move(p.value()));
  }
  return out;
}

Result<Personas> Personas::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::not_found("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto parsed = parse(text.str());
  if (!parsed) return Error::invalid(path + ": " + parsed.error().detail);
  return parsed;
}

const Personas& Personas::defaults() {
  // Parsed once from a constant; a failure would be a bug caught by the unit tests.
  static const Personas built_in = [] {
    auto parsed = parse(kDefaultsJson);
    return parsed ? std::move(parsed.value()) : Personas{};
  }();
  return built_in;
}

const Persona* Personas::find(std::string_view name) const {
  for (const auto& p : personas_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace parley::ai

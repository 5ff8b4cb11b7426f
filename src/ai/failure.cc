// See failure.h. Only the failures a user can act on get their own text (wait and retry, ask for
// less); everything else is the contract's default text.
#include "ai/failure.h"

namespace parley::ai {

std::string_view user_message(Failure::Kind kind) {
  using K = Failure::Kind;
  switch (kind) {
    case K::not_configured:
      return "AI 어시스턴트가 설정되지 않았습니다.";
    case K::busy:
      return "AI 어시스턴트가 바쁩니다. 잠시 후 다시 시도해 주세요.";
    case K::timeout:
      return "AI 응답 시간이 초과되었습니다.";
    case K::too_large:
      return "AI 응답이 너무 깁니다.";
    default:
      return kDefaultErrorText;
  }
}

std::string_view to_string(Failure::Kind kind) {
  using K = Failure::Kind;
  switch (kind) {
    case K::not_configured:
      return "not_configured";
    case K::busy:
      return "busy";
    case K::http:
      return "http";
    case K::malformed:
      return "malformed";
    case K::dropped:
      return "dropped";
    case K::connect:
      return "connect";
    case K::timeout:
      return "timeout";
    case K::too_large:
      return "too_large";
    case K::empty:
      return "empty";
    case K::shutdown:
      return "shutdown";
    case K::internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace parley::ai

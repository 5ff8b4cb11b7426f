// The texts clients see in aiMessageError for each kind of failure (docs/DECISIONS.md lists them).
// Provider details never reach clients; they go to the server log.
#pragma once

#include <string_view>

#include "ai/assistant.h"

namespace parley::ai {

inline constexpr std::string_view kDefaultErrorText = "AI 응답 생성 중 오류가 발생했습니다.";

std::string_view user_message(Failure::Kind kind);
std::string_view to_string(Failure::Kind kind);  // for logs

}  // namespace parley::ai

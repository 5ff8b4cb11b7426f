// String forms of the domain's enums, as they appear on the wire and in storage.
#include "chat/model.h"

namespace parley::chat {

const char* to_string(MessageType t) {
  switch (t) {
    case MessageType::text:
      return "text";
    case MessageType::file:
      return "file";
    case MessageType::system:
      return "system";
    case MessageType::ai:
      return "ai";
  }
  return "text";
}

bool parse_message_type(const std::string& s, MessageType& out) {
  if (s == "text")
    out = MessageType::text;
  else if (s == "file")
    out = MessageType::file;
  else if (s == "system")
    out = MessageType::system;
  else if (s == "ai")
    out = MessageType::ai;
  else
    return false;
  return true;
}

}  // namespace parley::chat

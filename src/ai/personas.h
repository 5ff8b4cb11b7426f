// The assistants: who can be @mentioned and how each one behaves (system prompt, temperature).
// They come from a JSON file (--ai-assistants, config/assistants.json), so adding an assistant
// is configuration only: its name becomes a mention and an aiType. Without a file, the two the
// contract names (wayneAI, consultingAI) are built in, with the same text as
// config/assistants.json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley::ai {

struct Persona {
  std::string name;           // the mention (`@name`) and the aiType; [A-Za-z0-9_]+
  std::string system_prompt;  // sent as the system message
  double temperature = 0.7;   // 0..2
};

class Personas {
 public:
  // {"assistants":[{"name","systemPrompt","temperature"?,"description"?}, ...]}; at least one
  // assistant, unique names, no unknown keys (so a typo is an error, not a silent default).
  static Result<Personas> parse(std::string_view json_text);
  static Result<Personas> load_file(const std::string& path);
  static const Personas& defaults();

  const Persona* find(std::string_view name) const;
  // Mention names in file order (the order find_mentions tries them).
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<Persona>& all() const { return personas_; }

 private:
  std::vector<Persona> personas_;
  std::vector<std::string> names_;
};

}  // namespace parley::ai

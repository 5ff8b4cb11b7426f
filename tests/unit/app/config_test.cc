// parse_config: the OpenAI aliases of the Java reference (OPENAI_API_KEY, OPENAI_MODEL) and their
// precedence below the flags and the AI_* variables; the OpenAI endpoint as the default base URL
// when only a key is given.
#include "app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace parley::app {
namespace {

// Clears every variable these tests touch, before and after each test.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    for (const char* v :
         {"AI_API_KEY", "AI_MODEL", "AI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"})
      unsetenv(v);
  }
  static Config parse(std::vector<std::string> args) {
    args.insert(args.begin(), "parley-server");
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    Config c;
    int code = -1;
    EXPECT_TRUE(parse_config(static_cast<int>(argv.size()), argv.data(), c, code));
    return c;
  }
};

TEST_F(ConfigTest, NothingSetLeavesAiOff) {
  const Config c = parse({});
  EXPECT_EQ(c.ai_api_key, "");
  EXPECT_EQ(c.ai_base_url, "");
  EXPECT_EQ(c.ai_model, "gpt-4.1-mini");
}

TEST_F(ConfigTest, OpenAiKeyAloneSelectsTheOpenAiEndpoint) {
  setenv("OPENAI_API_KEY", "sk-test", 1);
  setenv("OPENAI_MODEL", "gpt-4o", 1);
  const Config c = parse({});
  EXPECT_EQ(c.ai_api_key, "sk-test");
  EXPECT_EQ(c.ai_model, "gpt-4o");
  EXPECT_EQ(c.ai_base_url, "https://api.openai.com/v1");
}

TEST_F(ConfigTest, AiVariablesWinOverTheAliases) {
  setenv("OPENAI_API_KEY", "sk-alias", 1);
  setenv("OPENAI_MODEL", "alias-model", 1);
  setenv("AI_API_KEY", "sk-ai", 1);
  setenv("AI_MODEL", "ai-model", 1);
  setenv("AI_BASE_URL", "http://127.0.0.1:9/v1", 1);
  const Config c = parse({});
  EXPECT_EQ(c.ai_api_key, "sk-ai");
  EXPECT_EQ(c.ai_model, "ai-model");
  EXPECT_EQ(c.ai_base_url, "http://127.0.0.1:9/v1");
}

TEST_F(ConfigTest, FlagsWinOverEverything) {
  setenv("OPENAI_API_KEY", "sk-alias", 1);
  setenv("AI_API_KEY", "sk-ai", 1);
  setenv("OPENAI_MODEL", "alias-model", 1);
  const Config c = parse({"--ai-api-key", "sk-flag", "--ai-model", "flag-model", "--ai-base-url",
                          "http://127.0.0.1:8/v1"});
  EXPECT_EQ(c.ai_api_key, "sk-flag");
  EXPECT_EQ(c.ai_model, "flag-model");
  EXPECT_EQ(c.ai_base_url, "http://127.0.0.1:8/v1");
}

TEST_F(ConfigTest, ModelAliasAloneDoesNotTurnAiOn) {
  setenv("OPENAI_MODEL", "gpt-4o", 1);
  const Config c = parse({});
  EXPECT_EQ(c.ai_model, "gpt-4o");
  EXPECT_EQ(c.ai_base_url, "");
}

}  // namespace
}  // namespace parley::app

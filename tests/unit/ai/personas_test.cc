// Tests for ai/personas: the built-in assistants, the configuration file format and its errors.
#include "ai/personas.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace parley::ai {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Personas, BuiltInDefaults) {
  const Personas& d = Personas::defaults();
  EXPECT_THAT(d.names(), ElementsAre("wayneAI", "consultingAI"));
  ASSERT_NE(d.find("wayneAI"), nullptr);
  ASSERT_NE(d.find("consultingAI"), nullptr);
  EXPECT_EQ(d.find("nobody"), nullptr);
  for (const auto& p : d.all()) {
    EXPECT_DOUBLE_EQ(p.temperature, 0.7);
    EXPECT_THAT(p.system_prompt, HasSubstr("한국어"));  // Korean personas (§3.7 Java note)
  }
  EXPECT_THAT(d.find("wayneAI")->system_prompt, HasSubstr("Wayne AI"));
  EXPECT_THAT(d.find("consultingAI")->system_prompt, HasSubstr("컨설턴트"));
}

TEST(Personas, ConfigFileEqualsBuiltIn) {
  auto file = Personas::load_file(std::string(PARLEY_SOURCE_DIR) + "/config/assistants.json");
  ASSERT_TRUE(file) << file.error().detail;
  const Personas& d = Personas::defaults();
  ASSERT_EQ(file->names(), d.names());
  for (size_t i = 0; i < d.all().size(); ++i) {
    EXPECT_EQ(file->all()[i].system_prompt, d.all()[i].system_prompt);
    EXPECT_DOUBLE_EQ(file->all()[i].temperature, d.all()[i].temperature);
  }
}

TEST(Personas, ParsesAThirdAssistant) {
  auto p = Personas::parse(R"({"assistants":[
      {"name":"wayneAI","systemPrompt":"a"},
      {"name":"consultingAI","systemPrompt":"b","temperature":1},
      {"name":"lawyer_AI2","systemPrompt":"c","temperature":0.25,"description":"x"}]})");
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_THAT(p->names(), ElementsAre("wayneAI", "consultingAI", "lawyer_AI2"));
  EXPECT_DOUBLE_EQ(p->find("wayneAI")->temperature, 0.7);  // the default
  EXPECT_DOUBLE_EQ(p->find("consultingAI")->temperature, 1.0);
  EXPECT_DOUBLE_EQ(p->find("lawyer_AI2")->temperature, 0.25);
  EXPECT_EQ(p->find("lawyer_AI2")->system_prompt, "c");
}

TEST(Personas, Errors) {
  struct Case {
    const char* json;
    const char* expect;
  };
  for (
      const Case& c : {
          Case{"not json", "not valid JSON"},
          Case{"[]", "at least one"},
          Case{R"({"assistants":[]})", "at least one"},
          Case{R"({"assistants":{}})", "at least one"},
          Case{R"({"assistants":[1]})", "not an object"},
          Case{R"({"assistants":[{"systemPrompt":"a"}]})", "name"},
          Case{R"({"assistants":[{"name":"","systemPrompt":"a"}]})", "name"},
          Case{R"({"assistants":[{"name":"has space","systemPrompt":"a"}]})", "name"},
          Case{R"({"assistants":[{"name":"명랑AI","systemPrompt":"a"}]})", "name"},
          Case{R"({"assistants":[{"name":"a"}]})", "systemPrompt"},
          Case{R"({"assistants":[{"name":"a","systemPrompt":""}]})", "systemPrompt"},
          Case{R"({"assistants":[{"name":"a","systemPrompt":"x","temperature":"hot"}]})",
               "temperature"},
          Case{R"({"assistants":[{"name":"a","systemPrompt":"x","temperature":2.5}]})",
               "between 0 and 2"},
          Case{R"({"assistants":[{"name":"a","systemPrompt":"x","temperature":-1}]})",
               "between 0 and 2"},
          Case{R"({"assistants":[{"name":"a","systemPrompt":"x","temprature":1}]})",
               "unknown key \"temprature\""},
          Case{
              R"({"assistants":[{"name":"a","systemPrompt":"x"},{"name":"a","systemPrompt":"y"}]})",
              "duplicate"},
      }) {
    auto p = Personas::parse(c.json);
    ASSERT_FALSE(p) << c.json;
    EXPECT_THAT(p.error().detail, HasSubstr(c.expect)) << c.json;
  }
}

TEST(Personas, LoadFile) {
  EXPECT_FALSE(Personas::load_file("/nonexistent/assistants.json"));
  const auto path = std::filesystem::temp_directory_path() / "parley-personas-test.json";
  {
    std::ofstream out(path);
    out << R"({"assistants":[{"name":"bad","systemPrompt":"x","temperature":9}]})";
  }
  auto p = Personas::load_file(path.string());
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().detail, HasSubstr(path.string()));  // says which file is wrong
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace parley::ai

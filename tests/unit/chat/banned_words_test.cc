// Tests for chat/banned_words: the real list (§5.2), the matching rule, and agreement with the
// reference's naive loop on random input.
#include "chat/banned_words.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "chat/validation.h"

namespace parley::chat {
namespace {

namespace fs = std::filesystem;

// The spec lives in shared/ beside the repository (repo/../shared/spec). PARLEY_SPEC_DIR
// overrides that for unusual layouts.
std::string spec_file(const std::string& name) {
  if (const char* dir = std::getenv("PARLEY_SPEC_DIR")) return (fs::path(dir) / name).string();
  // Not __FILE__: with ccache's base_dir it is a path relative to the build directory.
  const fs::path repo = PARLEY_SOURCE_DIR;
  return (repo.parent_path() / "shared" / "spec" / name).string();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The reference's rule, literally.
bool naive_contains(const std::vector<std::string>& words, std::string_view content) {
  const std::string text = to_lower_ascii(trim(content));
  if (text.empty()) return false;
  for (const auto& w : words) {
    if (text.find(w) != std::string::npos) return true;
  }
  return false;
}

class RealList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = BannedWords::load_file(spec_file("banned_words.txt"));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    list_ = new BannedWords(std::move(r).value());
    words_ = new std::vector<std::string>(read_lines(spec_file("banned_words.txt")));
  }
  static void TearDownTestSuite() {
    delete list_;
    delete words_;
  }
  static BannedWords* list_;
  static std::vector<std::string>* words_;
};
BannedWords* RealList::list_ = nullptr;
std::vector<std::string>* RealList::words_ = nullptr;

TEST_F(RealList, LoadsAllWords) {
  EXPECT_EQ(list_->word_count(), 10000u);
  EXPECT_EQ(words_->size(), 10000u);
  EXPECT_GT(list_->state_count(), 10000u);
}

TEST_F(RealList, RejectsTheWordsTheTestsSend) {
  for (const char* w : {"b3sig78jv", "9c0hej6x", "lbl276sz", "p4e84", "hy8m", "ikqy2y"}) {
    const std::string word = w;
    std::string upper = word;
    for (char& c : upper)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(list_->contains_banned(word)) << word;
    EXPECT_TRUE(list_->contains_banned("  " + word + "  ")) << word;
    EXPECT_TRUE(list_->contains_banned("이 메시지에는 " + word + " 금칙어가 있습니다")) << word;
    EXPECT_TRUE(list_->contains_banned("prefix" + word + "suffix")) << word;
    EXPECT_TRUE(list_->contains_banned("Hello " + upper + "!")) << upper;
  }
}

TEST_F(RealList, EveryListedWordIsRejected) {
  for (const auto& w : *words_)
    ASSERT_TRUE(list_->contains_banned("x " + w + " y")) << w;
}

TEST_F(RealList, NormalSentencesPass) {
  for (const char* s : {
           "안녕하세요! 오늘 회의는 3시에 시작합니다.",
           "Load test message 7/20 from user 42 at 2025-11-07T04:45:30.123Z",
           "The quick brown fox jumps over the lazy dog.",
           "점심 뭐 먹을까요? 김치찌개 어때요 ㅋㅋ",
           "Hello, world",
           "",
           "     ",
       }) {
    EXPECT_FALSE(list_->contains_banned(s)) << s;
    EXPECT_EQ(naive_contains(*words_, s), false) << s;
  }
}

TEST_F(RealList, AgreesWithNaiveLoopOnRandomText) {
  // Random text is mostly misses, so it is spliced with pieces of listed words (prefixes,
  // suffixes, whole words, upper-cased): near-misses exercise the failure links and whole words
  // give matches at every position.
  std::mt19937 rng(12345);
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCXYZ \t.";
  auto rnd = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int hits = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string s;
    const size_t pieces = rnd(6);
    for (size_t p = 0; p < pieces; ++p) {
      if (rnd(2) == 0) {
        for (size_t k = rnd(6); k > 0; --k)
          s.push_back(alphabet[rnd(alphabet.size())]);
      } else {
        const std::string& w = (*words_)[rnd(words_->size())];
        const size_t from = rnd(3) == 0 ? rnd(w.size()) : 0;
        std::string piece = w.substr(from, rnd(w.size() - from) + 1);
        if (rnd(4) == 0) {
          for (char& c : piece)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        s += piece;
      }
    }
    const bool expected = naive_contains(*words_, s);
    ASSERT_EQ(list_->contains_banned(s), expected) << '"' << s << '"';
    hits += expected;
  }
  // Both outcomes were exercised, in quantity.
  EXPECT_GT(hits, 100);
  EXPECT_LT(hits, 1400);
}

TEST_F(RealList, FastEnoughForEveryMessage) {
  const std::string msg = "Load test message 13/20 from user 77 at 2025-11-07T04:45:30.123Z 안녕";
  const auto start = std::chrono::steady_clock::now();
  int found = 0;
  for (int i = 0; i < 100000; ++i)
    found += list_->contains_banned(msg);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  EXPECT_EQ(found, 0);
  EXPECT_LT(us, 2'000'000);  // ~7 MB of ~80 bytes each; generous for Debug and sanitizers
}

TEST(BannedWords, SmallListsAndOverlaps) {
  const auto bw = BannedWords::from_words({"he", "she", "hers", "  ", "", " AbC \r"});
  EXPECT_EQ(bw.word_count(), 4u);
  EXPECT_TRUE(bw.contains_banned("ushers"));
  EXPECT_TRUE(bw.contains_banned("xSHEx"));  // matched only through case folding
  EXPECT_TRUE(bw.contains_banned("aBc"));
  EXPECT_TRUE(bw.contains_banned("xxabcxx"));
  EXPECT_FALSE(bw.contains_banned("ab c"));
  EXPECT_FALSE(bw.contains_banned("h e"));
  EXPECT_FALSE(bw.contains_banned(""));
  // Suffix matches found only through failure links: "abd" fails into "bde".
  const auto f = BannedWords::from_words({"abcx", "bde"});
  EXPECT_TRUE(f.contains_banned("abde"));
  EXPECT_FALSE(f.contains_banned("abcde"));
}

TEST(BannedWords, EmptyListBansNothing) {
  const auto bw = BannedWords::from_words({});
  EXPECT_EQ(bw.word_count(), 0u);
  EXPECT_FALSE(bw.contains_banned("anything at all"));
}

TEST(BannedWords, JavaLowercasingOfNonAsciiLetters) {
  const auto bw = BannedWords::from_words({"kqy2", "ikqy", "abci"});
  EXPECT_TRUE(bw.contains_banned("\xE2\x84\xAAQY2"));  // KELVIN SIGN + "QY2" → "kqy2"
  EXPECT_TRUE(bw.contains_banned("ABC\xC4\xB0"));      // "ABCİ" → "abci̇"
  EXPECT_FALSE(bw.contains_banned("\xC4\xB0KQY"));     // "i̇kqy": the combining dot splits it
  EXPECT_FALSE(bw.contains_banned("\xE2\x84"));        // truncated sequence
}

TEST(BannedWords, LoadFileHandlesCrlfAndMissingFile) {
  const fs::path p = fs::temp_directory_path() / ("parley_bw_" + std::to_string(::getpid()));
  {
    std::ofstream out(p, std::ios::binary);
    out << "alpha\r\n\r\nBETA\n  \ngamma";
  }
  auto r = BannedWords::load_file(p.string());
  fs::remove(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->word_count(), 3u);
  EXPECT_TRUE(r->contains_banned("xbetax"));
  EXPECT_TRUE(r->contains_banned("GAMMA"));
  EXPECT_FALSE(r->contains_banned("alph"));

  auto missing = BannedWords::load_file("/nonexistent/banned_words.txt");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, Error::Kind::unavailable);
}

}  // namespace
}  // namespace parley::chat

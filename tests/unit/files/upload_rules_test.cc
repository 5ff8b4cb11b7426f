// Unit tests for the upload rules (§5.3, §2.2): types and extensions, size texts, name
// sanitising and NFC, the stored-name format and the order of the checks.
#include "files/upload_rules.h"

#include <gtest/gtest.h>

#include <regex>

#include "files/unicode_nfc.h"

namespace parley::files {
namespace {

std::string check_text(Purpose purpose, std::string_view name, std::string_view type) {
  auto r = check_part(purpose, name, type, UploadLimits{});
  return r ? std::string("ok") : r.error().detail;
}

TEST(UploadRules, AllowedTypesAndExtensions) {
  const auto A = Purpose::attachment;
  EXPECT_EQ(check_text(A, "a.jpg", "image/jpeg"), "ok");
  EXPECT_EQ(check_text(A, "a.JPEG", "image/jpeg"), "ok");
  EXPECT_EQ(check_text(A, "a.png", "IMAGE/PNG; charset=binary"), "ok");
  EXPECT_EQ(check_text(A, "a.mov", "video/quicktime"), "ok");
  EXPECT_EQ(check_text(A, "a.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "ok");
  EXPECT_EQ(check_text(A, "a.png", "image/jpeg"), "이미지 확장자가 올바르지 않습니다.");
  EXPECT_EQ(check_text(A, "a.mp3", "video/mp4"), "동영상 확장자가 올바르지 않습니다.");
  EXPECT_EQ(check_text(A, "a", "audio/ogg"), "오디오 확장자가 올바르지 않습니다.");
  EXPECT_EQ(check_text(A, "a.pdf.exe", "application/pdf"), "문서 확장자가 올바르지 않습니다.");
  EXPECT_EQ(check_text(A, "a.svg", "image/svg+xml"), "지원하지 않는 파일 형식입니다.");
  EXPECT_EQ(check_text(A, "a.txt", ""), "지원하지 않는 파일 형식입니다.");
}

TEST(UploadRules, Names) {
  const auto A = Purpose::attachment;
  EXPECT_EQ(check_text(A, "", "image/png"), "파일이 비어있습니다.");
  EXPECT_EQ(check_text(A, "   ", "image/png"), "파일명이 올바르지 않습니다.");
  EXPECT_EQ(check_text(A, "//", "image/png"), "파일명이 올바르지 않습니다.");
  EXPECT_EQ(check_text(A, std::string(251, 'a') + ".pdf", "application/pdf"), "ok");
  EXPECT_EQ(check_text(A, std::string(252, 'a') + ".pdf", "application/pdf"),
            "파일명이 너무 깁니다.");
  // 3-byte Hangul: 84 * 3 + ".pdf" = 256 bytes.
  std::string korean;
  for (int i = 0; i < 84; ++i)
    korean += "가";
  EXPECT_EQ(check_text(A, korean + ".pdf", "application/pdf"), "파일명이 너무 깁니다.");
}

TEST(UploadRules, ProfileImage) {
  const auto P = Purpose::profile_image;
  EXPECT_EQ(check_text(P, "me.jpg", "image/jpeg"), "ok");
  EXPECT_EQ(check_text(P, "", "image/jpeg"), "이미지가 제공되지 않았습니다.");
  EXPECT_EQ(check_text(P, "me.pdf", "application/pdf"), "이미지 파일만 업로드할 수 있습니다.");
  EXPECT_EQ(check_text(P, "me.bmp", "image/bmp"), "이미지 파일만 업로드할 수 있습니다.");
  EXPECT_EQ(check_text(P, "me.png", "image/bmp"), "지원하지 않는 파일 형식입니다.");
  EXPECT_EQ(check_text(P, "me.png", "image/jpeg"), "이미지 확장자가 올바르지 않습니다.");
  auto ok = check_part(P, "me.webp", "image/webp", UploadLimits{});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->max_bytes, 5 * kMiB);
  EXPECT_EQ(ok->too_large_text, "파일 크기는 5MB를 초과할 수 없습니다.");
  EXPECT_EQ(ok->empty_text, "이미지가 제공되지 않았습니다.");
}

TEST(UploadRules, SizeLimits) {
  auto part = [](std::string_view name, std::string_view type) {
    auto r = check_part(Purpose::attachment, name, type, UploadLimits{});
    EXPECT_TRUE(r);
    return r.value();
  };
  EXPECT_EQ(part("a.gif", "image/gif").max_bytes, 10 * kMiB);
  EXPECT_EQ(part("a.gif", "image/gif").too_large_text, "이미지 파일은 10MB를 초과할 수 없습니다.");
  EXPECT_EQ(part("a.webm", "video/webm").too_large_text,
            "동영상 파일은 50MB를 초과할 수 없습니다.");
  EXPECT_EQ(part("a.wav", "audio/wav").too_large_text, "오디오 파일은 20MB를 초과할 수 없습니다.");
  EXPECT_EQ(part("a.doc", "application/msword").too_large_text,
            "문서 파일은 20MB를 초과할 수 없습니다.");
  EXPECT_EQ(size_limit_text(Kind::image, kMiB + kMiB / 2),
            "이미지 파일은 1.5MB를 초과할 수 없습니다.");
}

TEST(UploadRules, SanitiseStripsSlashesAndControls) {
  EXPECT_EQ(sanitize_original_name("../../etc/passwd"), "....etcpasswd");
  EXPECT_EQ(sanitize_original_name("C:\\Users\\me\\a.png"), "C:Usersmea.png");
  EXPECT_EQ(sanitize_original_name("a\r\nb\x7f.png"), "ab.png");
  EXPECT_EQ(sanitize_original_name("bad\xff.png"), "bad\xEF\xBF\xBD.png");
}

TEST(UploadRules, NfcHangulLatinKana) {
  // NFD as macOS sends it: conjoining jamo.
  const std::string nfd =
      "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab\xe1\x84\x80\xe1\x85\xb3\xe1\x86\xaf"
      " \xe1\x84\x91\xe1\x85\xa1\xe1\x84\x8b\xe1\x85\xb5\xe1\x86\xaf.png";
  EXPECT_EQ(sanitize_original_name(nfd), "한글 파일.png");
  EXPECT_EQ(to_nfc("e\xcc\x81"), "\xc3\xa9");                     // é
  EXPECT_EQ(to_nfc("e\xcc\xa3\xcc\x82"), "\xe1\xbb\x87");         // ệ
  EXPECT_EQ(to_nfc("e\xcc\x82\xcc\xa3"), "\xe1\xbb\x87");         // marks reordered
  EXPECT_EQ(to_nfc("\xc3\xa9\xcc\xa3"), "\xe1\xba\xb9\xcc\x81");  // é + dot below
  EXPECT_EQ(to_nfc("a\xcc\x81\xcc\x81"), "\xc3\xa1\xcc\x81");     // second mark blocked
  EXPECT_EQ(to_nfc("u\xcc\x88\xcc\x81"), "\xc7\x98");             // ǘ
  EXPECT_EQ(to_nfc("\xe3\x81\x8b\xe3\x82\x99"), "\xe3\x81\x8c");  // か+゙ = が
  EXPECT_EQ(to_nfc("\xea\xb0\x80\xe1\x86\xa8"), "\xea\xb0\x81");  // 가 + ᆨ = 각
  EXPECT_EQ(to_nfc("한글 already.pdf"), "한글 already.pdf");
  EXPECT_EQ(to_nfc("plain.txt"), "plain.txt");
}

TEST(UploadRules, StoredName) {
  const std::string name = make_stored_name("JPG", 1730000000123);
  EXPECT_TRUE(std::regex_match(name, std::regex("1730000000123_[0-9a-f]{16}\\.JPG"))) << name;
  EXPECT_NE(make_stored_name("png", 1), make_stored_name("png", 1));
}

TEST(UploadRules, Mime) {
  EXPECT_EQ(normalize_mime("  Image/PNG ; q=1"), "image/png");
  EXPECT_EQ(extension_of("a.b.c"), "c");
  EXPECT_EQ(extension_of("abc"), "");
}

}  // namespace
}  // namespace parley::files

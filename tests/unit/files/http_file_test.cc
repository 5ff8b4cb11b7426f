// Unit tests for serving details: Range parsing, entity-tag lists, Content-Disposition values,
// and the key/name rules that keep blob keys inside the store.
#include "files/http_file.h"

#include <gtest/gtest.h>

#include <vector>

#include "files/blob_store.h"

namespace parley::files {
namespace {

TEST(Range, Forms) {
  ByteRange r;
  ASSERT_EQ(parse_range("bytes=0-99", 1000, r), RangeVerdict::partial);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 99u);
  ASSERT_EQ(parse_range("bytes=900-", 1000, r), RangeVerdict::partial);
  EXPECT_EQ(r.length(), 100u);
  ASSERT_EQ(parse_range("bytes=-10", 1000, r), RangeVerdict::partial);
  EXPECT_EQ(r.first, 990u);
  ASSERT_EQ(parse_range("bytes=-5000", 1000, r), RangeVerdict::partial);
  EXPECT_EQ(r.first, 0u);
  ASSERT_EQ(parse_range("bytes=10-99999", 1000, r), RangeVerdict::partial);
  EXPECT_EQ(r.last, 999u);
  ASSERT_EQ(parse_range("Bytes = 5-5", 1000, r), RangeVerdict::whole) << "no spaces around =";
  ASSERT_EQ(parse_range("BYTES=5-5", 1000, r), RangeVerdict::partial);
}

TEST(Range, UnsatisfiableAndIgnored) {
  ByteRange r;
  EXPECT_EQ(parse_range("bytes=1000-", 1000, r), RangeVerdict::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 1000, r), RangeVerdict::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-0", 0, r), RangeVerdict::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=5-1", 1000, r), RangeVerdict::whole);
  EXPECT_EQ(parse_range("bytes=0-1,5-6", 1000, r), RangeVerdict::whole);
  EXPECT_EQ(parse_range("items=0-1", 1000, r), RangeVerdict::whole);
  EXPECT_EQ(parse_range("bytes=a-b", 1000, r), RangeVerdict::whole);
  EXPECT_EQ(parse_range("bytes=+1-2", 1000, r), RangeVerdict::whole);
}

TEST(Etag, Lists) {
  EXPECT_TRUE(etag_list_matches("\"a-1\"", "\"a-1\""));
  EXPECT_TRUE(etag_list_matches("\"x\", W/\"a-1\"", "\"a-1\""));
  EXPECT_TRUE(etag_list_matches("*", "\"a-1\""));
  EXPECT_FALSE(etag_list_matches("\"a-2\"", "\"a-1\""));
  EXPECT_FALSE(etag_list_matches("", "\"a-1\""));
}

TEST(Disposition, Rfc5987) {
  EXPECT_EQ(attachment_disposition("my file.pdf"), "attachment; filename*=UTF-8''my%20file.pdf");
  EXPECT_EQ(attachment_disposition("한.pdf"), "attachment; filename*=UTF-8''%ED%95%9C.pdf");
  EXPECT_EQ(inline_disposition("a\"b한.png"),
            "inline; filename=\"a\\\"b_.png\"; filename*=UTF-8''a%22b%ED%95%9C.png");
  EXPECT_EQ(rfc5987_encode("a'(*)%;"), "a%27%28%2A%29%25%3B");
}

TEST(Preview, Types) {
  EXPECT_TRUE(previewable("application/pdf"));
  EXPECT_TRUE(previewable("audio/wav"));
  EXPECT_FALSE(previewable("audio/ogg"));
  EXPECT_FALSE(previewable("video/quicktime"));
  EXPECT_FALSE(previewable("application/msword"));
  EXPECT_EQ(image_type_for("x.JPG"), "image/jpeg");
  EXPECT_EQ(image_type_for("x.webp"), "image/webp");
  EXPECT_EQ(image_type_for("x"), "application/octet-stream");
}

TEST(BlobKeys, SafeNamesAndKeys) {
  EXPECT_TRUE(is_safe_name("1730000000000_0123456789abcdef.png"));
  EXPECT_TRUE(is_safe_key("profiles/1730000000000_0123456789abcdef.png"));
  for (std::string_view bad :
       std::vector<std::string_view>{"", ".", "..", "../x", "a/b", "a\\b", ".tmp", "a..b",
                                     std::string_view("a\0b", 3), "x\n"}) {
    EXPECT_FALSE(is_safe_name(bad)) << bad;
  }
  for (std::string_view bad : std::vector<std::string_view>{
           "", "/etc/passwd", "profiles/../x", "profiles//x", "a/", ".tmp/x", "a/b/c/d/e"}) {
    EXPECT_FALSE(is_safe_key(bad)) << bad;
  }
  EXPECT_FALSE(is_safe_name(std::string(256, 'a')));
}

}  // namespace
}  // namespace parley::files

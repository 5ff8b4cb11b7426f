// The S3 reply reader: element text, entity decoding, <Error> Code and Message, and the
// CompleteMultipartUpload body.
#include "files/s3_xml.h"

#include <gtest/gtest.h>

namespace parley::files::s3xml {
namespace {

TEST(S3Xml, InitiateMultipartUploadId) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>example-bucket</Bucket><Key>example-object</Key>"
      "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>"
      "</InitiateMultipartUploadResult>";
  EXPECT_EQ(element_text(body, "UploadId"),
            "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_EQ(element_text(body, "Key"), "example-object");
  EXPECT_EQ(element_text(body, "Missing"), std::nullopt);
}

TEST(S3Xml, ElementNamesMatchWhole) {
  const std::string body =
      "<R><UploadIdMarker>m</UploadIdMarker><UploadId a=\"1\">id</UploadId></R>";
  EXPECT_EQ(element_text(body, "UploadId"), "id");
  EXPECT_EQ(element_text("<R><Empty/></R>", "Empty"), "");
  EXPECT_EQ(element_text("<R><Open>never closed", "Open"), std::nullopt);
}

TEST(S3Xml, ErrorCodeAndMessage) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match the signature you "
      "provided. Check your key and signing method.</Message>"
      "<AWSAccessKeyId>S3RVER</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId></Error>";
  auto e = parse_error(body);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(e->message,
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.");
}

TEST(S3Xml, ErrorWithoutMessageAndNonErrors) {
  auto e = parse_error("<Error><Code>NoSuchKey</Code></Error>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "");
  EXPECT_FALSE(parse_error("<CompleteMultipartUploadResult><ETag>\"x\"</ETag>"
                           "</CompleteMultipartUploadResult>")
                   .has_value());
  EXPECT_FALSE(parse_error("").has_value());
  EXPECT_FALSE(parse_error("<Error>no code</Error>").has_value());
  EXPECT_FALSE(parse_error("not xml at all").has_value());
}

TEST(S3Xml, Entities) {
  EXPECT_EQ(unescape("&quot;3858f62230ac3c915f300c664312c11f-9&quot;"),
            "\"3858f62230ac3c915f300c664312c11f-9\"");
  EXPECT_EQ(unescape("a &amp; b &lt;c&gt; &apos;d&apos; &#65;&#x42; &#xD55C;"),
            "a & b <c> 'd' AB 한");
  EXPECT_EQ(unescape("&unknown; &#xD800; &amp"), "&unknown; &#xD800; &amp");
  EXPECT_EQ(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
}

TEST(S3Xml, CompleteMultipartBody) {
  EXPECT_EQ(complete_multipart_body({{1, "\"a1\""}, {2, "\"b2\""}}),
            "<CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

}  // namespace
}  // namespace parley::files::s3xml

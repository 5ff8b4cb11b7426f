// SigV4 signing against the example values AWS publishes in "Authenticating Requests (AWS
// Signature Version 4)" (header form: GET Object with a Range, GET Bucket with a query) and
// "Authenticating Requests: Using Query Parameters" (a presigned GET), all with the example
// credentials AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in us-east-1.
#include "files/s3_sigv4.h"

#include <gtest/gtest.h>

namespace parley::files::sigv4 {
namespace {

const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};

Request get_object_example() {
  Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  r.payload_hash = std::string(kEmptyPayloadHash);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
               {"x-amz-date", "20130524T000000Z"}};
  return r;
}

TEST(SigV4, EmptyPayloadHashIsSha256OfNothing) {
  EXPECT_EQ(sha256_hex(""), kEmptyPayloadHash);
}

TEST(SigV4, GetObjectExampleCanonicalRequest) {
  EXPECT_EQ(canonical_request(get_object_example()),
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "range:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SigV4, GetObjectExampleStringToSign) {
  EXPECT_EQ(string_to_sign(get_object_example()),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
}

TEST(SigV4, GetObjectExampleSignature) {
  EXPECT_EQ(signature(kCreds, get_object_example()),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(authorization(kCreds, get_object_example()),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, AnotherSecretGivesAnotherSignature) {
  const Credentials wrong{kCreds.access_key, "not-the-secret"};
  EXPECT_NE(signature(wrong, get_object_example()), signature(kCreds, get_object_example()));
}

TEST(SigV4, ListObjectsExampleSortsAndEncodesTheQuery) {
  Request r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.query = {{"max-keys", "2"}, {"prefix", "J"}};
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  r.payload_hash = std::string(kEmptyPayloadHash);
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", std::string(kEmptyPayloadHash)},
               {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(signature(kCreds, r),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, PresignedExample) {
  Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  const std::string q = presigned_query(kCreds, r, 86400);
  EXPECT_EQ(q,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(uri_encode("profiles/a b+c~_-.png", false), "profiles/a%20b%2Bc~_-.png");
  EXPECT_EQ(uri_encode("a/b", true), "a%2Fb");
  EXPECT_EQ(uri_encode("한", true), "%ED%95%9C");
  EXPECT_EQ(canonical_query({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(canonical_query({{"uploadId", "x y"}, {"partNumber", "2"}}),
            "partNumber=2&uploadId=x%20y");
}

TEST(SigV4, HeaderValuesAreTrimmedAndSpacesCollapsed) {
  Request r = get_object_example();
  Request spaced = r;
  spaced.headers[1] = {"RANGE", "  bytes=0-9  "};
  EXPECT_EQ(canonical_request(spaced), canonical_request(r));
  spaced.headers[1] = {"range", "bytes=0-9  x"};
  EXPECT_NE(canonical_request(spaced).find("range:bytes=0-9 x\n"), std::string::npos);
}

TEST(SigV4, AmzDateIsUtc) {
  using namespace std::chrono;
  const auto t = system_clock::time_point(seconds(1369353600));  // 2013-05-24T00:00:00Z
  EXPECT_EQ(amz_date(t), "20130524T000000Z");
}

}  // namespace
}  // namespace parley::files::sigv4

// AWS Signature Version 4 for S3 requests (header and presigned-URL forms), following the AWS
// documentation: canonical request -> string to sign -> HMAC-SHA256 chain over the date, region
// and service. Pure functions over strings (SHA-256 and HMAC from libsodium); no I/O, no clock:
// the caller passes the request time, so tests can use AWS's published example values.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::files::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key;
  std::string secret_key;
};

// What gets signed. Header names may be in any case; `host` must be among them.
struct Request {
  std::string method;
  std::string canonical_uri;  // the path as sent, already URI-encoded ("/bucket/some%20key")
  Pairs query;                // decoded names and values; "" for a valueless one (?uploads)
  Pairs headers;              // every header to sign
  std::string payload_hash;   // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
  std::string amz_date;       // "20130524T000000Z"
  std::string region;
  std::string service = "s3";
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// The hash of an empty body.
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string sha256_hex(std::string_view data);
// RFC 3986 unreserved characters kept, every other byte %XX (uppercase); '/' kept unless
// `encode_slash` (S3 object paths keep it, query components do not).
std::string uri_encode(std::string_view s, bool encode_slash);
// "YYYYMMDDTHHMMSSZ" in UTC.
std::string amz_date(std::chrono::system_clock::time_point t);

std::string canonical_query(const Pairs& query);
std::string canonical_request(const Request& r);
std::string signed_headers(const Request& r);
std::string string_to_sign(const Request& r);
std::string signature(const Credentials& c, const Request& r);
// The Authorization header value.
std::string authorization(const Credentials& c, const Request& r);

// A presigned URL's query string (encoded, ready to follow '?'): r.query plus the X-Amz-*
// parameters; only `host` is signed (r.headers must hold it) and the payload is UNSIGNED-PAYLOAD.
std::string presigned_query(const Credentials& c, Request r, int expires_seconds);

}  // namespace parley::files::sigv4

// See s3_sigv4.h.
#include "files/s3_sigv4.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>

#include "core/ascii.h"

namespace parley::files::sigv4 {

namespace {

std::string hex(const unsigned char* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 15]);
  }
  return out;
}

using Mac = std::string;  // 32 raw bytes

Mac hmac(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, out);
  return Mac(reinterpret_cast<const char*>(out), sizeof out);
}

// Header values are signed trimmed, with runs of spaces collapsed to one.
std::string canonical_value(std::string_view v) {
  v = ascii::trim_ows(v);
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

Pairs sorted_headers(const Pairs& headers) {
  Pairs out;
  out.reserve(headers.size());
  for (const auto& [k, v] : headers)
    out.emplace_back(ascii::to_lower(k), canonical_value(v));
  std::sort(out.begin(), out.end());
  return out;
}

std::string date_part(const Request& r) {
  return r.amz_date.substr(0, 8);
}

std::string scope(const Request& r) {
  return date_part(r) + "/" + r.region + "/" + r.service + "/aws4_request";
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return hex(out, sizeof out);
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string canonical_query(const Pairs& query) {
  Pairs encoded;
  encoded.reserve(query.size());
  for (const auto& [k, v] : query)
    encoded.emplace_back(uri_encode(k, true), uri_encode(v, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string signed_headers(const Request& r) {
  std::string out;
  for (const auto& [k, v] : sorted_headers(r.headers)) {
    if (!out.empty()) out += ';';
    out += k;
  }
  return out;
}

std::string canonical_request(const Request& r) {
  std::string out = r.method + "\n" + r.canonical_uri + "\n" + canonical_query(r.query) + "\n";
  for (const auto& [k, v] : sorted_headers(r.headers))
    out += k + ":" + v + "\n";
  out += "\n" + signed_headers(r) + "\n" + r.payload_hash;
  return out;
}

std::string string_to_sign(const Request& r) {
  return "AWS4-HMAC-SHA256\n" + r.amz_date + "\n" + scope(r) + "\n" +
         sha256_hex(canonical_request(r));
}

std::string signature(const Credentials& c, const Request& r) {
  const Mac k_date = hmac("AWS4" + c.secret_key, date_part(r));
  const Mac k_region = hmac(k_date, r.region);
  const Mac k_service = hmac(k_region, r.service);
  const Mac k_signing = hmac(k_service, "aws4_request");
  const Mac sig = hmac(k_signing, string_to_sign(r));
  return hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

std::string authorization(const Credentials& c, const Request& r) {
  return "AWS4-HMAC-SHA256 Credential=" + c.access_key + "/" + scope(r) +
         ", SignedHeaders=" + signed_headers(r) + ", Signature=" + signature(c, r);
}

std::string presigned_query(const Credentials& c, Request r, int expires_seconds) {
  Pairs host_only;
  for (const auto& [k, v] : r.headers) {
    if (ascii::iequals(k, "host")) host_only.emplace_back(k, v);
  }
  r.headers = std::move(host_only);
  r.payload_hash = std::string(kUnsignedPayload);
  r.query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  r.query.emplace_back("X-Amz-Credential", c.access_key + "/" + scope(r));
  r.query.emplace_back("X-Amz-Date", r.amz_date);
  r.query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  r.query.emplace_back("X-Amz-SignedHeaders", signed_headers(r));
  const std::string sig = signature(c, r);
  return canonical_query(r.query) + "&X-Amz-Signature=" + sig;
}

}  // namespace parley::files::sigv4

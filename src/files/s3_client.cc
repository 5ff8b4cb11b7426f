// See s3_client.h.
#include "files/s3_client.h"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

#include "files/s3_xml.h"

namespace parley::files {

namespace {

bool idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
}

bool retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::string query_string(const sigv4::Pairs& query) {
  return sigv4::canonical_query(query);
}

}  // namespace

std::string describe_failure(const curlio::HttpResponse& response) {
  std::string out = "HTTP " + std::to_string(response.status);
  if (auto e = s3xml::parse_error(response.body)) {
    out += " " + e->code;
    if (!e->message.empty()) out += ": " + e->message;
  }
  return out;
}

Result<std::unique_ptr<S3Client>> S3Client::make(S3Options options, curlio::MultiRunner& runner) {
  auto url = boost::urls::parse_absolute_uri(options.endpoint);
  if (!url) return Error::invalid("S3 endpoint " + options.endpoint + ": not an absolute URL");
  const std::string scheme(url->scheme());
  if (scheme != "http" && scheme != "https")
    return Error::invalid("S3 endpoint " + options.endpoint + ": http or https only");
  if (url->host().empty()) return Error::invalid("S3 endpoint " + options.endpoint + ": no host");
  if (options.bucket.empty()) return Error::invalid("S3 bucket is empty");
  if (options.credentials.access_key.empty() || options.credentials.secret_key.empty())
    return Error::invalid(
        "S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (options.part_bytes < 5 * 1024 * 1024)
    return Error::invalid("S3 part size below S3's 5 MiB minimum");
  if (options.read_bytes == 0) return Error::invalid("S3 read size is 0");
  std::string host(url->encoded_host());
  if (url->has_port()) host += ":" + std::string(url->port());
  if (!options.path_style) host = options.bucket + "." + host;
  std::string scheme_host = scheme + "://" + host;
  if (options.attempts < 1) options.attempts = 1;
  return std::make_unique<S3Client>(std::move(options), runner, std::move(scheme_host),
                                    std::move(host));
}

S3Client::S3Client(S3Options options, curlio::MultiRunner& runner, std::string scheme_host,
                   std::string host)
    : options_(std::move(options)),
      runner_(runner),
      scheme_host_(std::move(scheme_host)),
      host_(std::move(host)) {}

std::string S3Client::canonical_uri(const std::string& key) const {
  const std::string path = "/" + sigv4::uri_encode(key, false);
  return options_.path_style ? "/" + sigv4::uri_encode(options_.bucket, true) + path : path;
}

curlio::HttpRequest S3Client::build(const Call& call,
                                    std::chrono::system_clock::time_point now) const {
  sigv4::Request r;
  r.method = call.method;
  r.canonical_uri = canonical_uri(call.key);
  r.query = call.query;
  r.amz_date = sigv4::amz_date(now);
  r.region = options_.region;
  // Bodies are not hashed: each part would cost a SHA-256 pass over 8 MiB on the I/O thread, and
  // TLS already protects them in transit (S3 accepts UNSIGNED-PAYLOAD on every operation).
  r.payload_hash =
      call.body ? std::string(sigv4::kUnsignedPayload) : std::string(sigv4::kEmptyPayloadHash);
  r.headers = call.headers;
  r.headers.emplace_back("host", host_);
  r.headers.emplace_back("x-amz-date", r.amz_date);
  r.headers.emplace_back("x-amz-content-sha256", r.payload_hash);

  curlio::HttpRequest req;
  req.method = call.method;
  req.url = scheme_host_ + r.canonical_uri;
  if (!r.query.empty()) req.url += "?" + query_string(r.query);
  for (const auto& [k, v] : r.headers) {
    if (k != "host") req.headers.push_back(k + ": " + v);
  }
  req.headers.push_back("Authorization: " + sigv4::authorization(options_.credentials, r));
  if (call.body) req.headers.push_back("Content-Type: application/octet-stream");
  req.body = call.body;
  req.connect_timeout = options_.connect_timeout;
  req.idle_timeout = options_.idle_timeout;
  req.total_timeout = options_.total_timeout;
  req.max_response_bytes = call.max_response_bytes;
  req.reserve_response_bytes = call.reserve_response_bytes;
  return req;
}

asio::awaitable<Result<curlio::HttpResponse>> S3Client::send(Call call) {
  const int attempts = idempotent(call.method) ? options_.attempts : 1;
  auto backoff = options_.backoff;
  for (int attempt = 1;; ++attempt) {
    auto request = build(call, std::chrono::system_clock::now());
    auto answer = co_await curlio::perform(runner_, std::move(request));
    std::string why;
    if (!answer) {
      if (answer.error().detail.starts_with("stopped:")) co_return answer.error();
      why = answer.error().detail;
    } else if (answer->status >= 200 && answer->status < 300) {
      co_return answer;
    } else if (!retryable_status(answer->status)) {
      if (answer->status == 404) co_return Error::not_found(describe_failure(*answer));
      co_return Error::internal(describe_failure(*answer));
    } else {
      why = describe_failure(*answer);
    }
    if (attempt >= attempts) {
      co_return Error::unavailable(
          call.method + " " + call.key + ": " + why +
          (attempts > 1 ? " (after " + std::to_string(attempts) + " tries)" : ""));
    }
    spdlog::debug("s3: {} {} failed ({}), retrying in {} ms", call.method, call.key, why,
                  backoff.count());
    asio::steady_timer timer{co_await asio::this_coro::executor, backoff};
    co_await timer.async_wait(asio::use_awaitable);
    backoff *= 2;
  }
}

void S3Client::send_detached(Call call) {
  auto request = build(call, std::chrono::system_clock::now());
  std::string what = call.method + " " + call.key;
  curlio::perform_detached(runner_, std::move(request), [what](Result<curlio::HttpResponse> r) {
    if (!r) {
      spdlog::warn("s3: {}: {}", what, r.error().detail);
    } else if (r->status < 200 || r->status >= 300) {
      spdlog::warn("s3: {}: {}", what, describe_failure(*r));
    }
  });
}

std::string S3Client::presigned_get(const std::string& key,
                                    const sigv4::Pairs& response_overrides) const {
  sigv4::Request r;
  r.method = "GET";
  r.canonical_uri = canonical_uri(key);
  r.query = response_overrides;
  r.amz_date = sigv4::amz_date(std::chrono::system_clock::now());
  r.region = options_.region;
  r.headers.emplace_back("host", host_);
  std::string url = scheme_host_ + r.canonical_uri + "?";
  return url + sigv4::presigned_query(options_.credentials, std::move(r), options_.presign_seconds);
}

}  // namespace parley::files

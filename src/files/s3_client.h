// S3Client: signed S3 REST requests (SigV4, header form) against one bucket of any S3-compatible
// endpoint, run on a curlio::MultiRunner. Idempotent requests (GET, HEAD, PUT, DELETE) are retried
// a bounded number of times with exponential backoff when no answer came back or the answer was
// a 5xx / 429; the wait is a timer on the caller's executor, never a sleep. Non-2xx answers become
// errors carrying S3's Code and Message (e.g. "HTTP 403 SignatureDoesNotMatch: ...").
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "curlio/multi_runner.h"
#include "curlio/request.h"
#include "files/s3_sigv4.h"

namespace parley::files {

namespace asio = boost::asio;

struct S3Options {
  std::string endpoint;  // scheme://host[:port], e.g. http://127.0.0.1:4569
  std::string bucket;
  std::string region = "us-east-1";
  bool path_style = true;  // endpoint/bucket/key; false: bucket.host/key
  sigv4::Credentials credentials;
  uint64_t part_bytes = 8 * 1024 * 1024;  // multipart part size (S3's minimum is 5 MiB)
  uint64_t read_bytes = 1024 * 1024;      // one ranged GET of a download
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds idle_timeout{15'000};
  std::chrono::milliseconds total_timeout{60'000};  // one request (a part, a window, a HEAD)
  int attempts = 3;                                 // tries of an idempotent request
  std::chrono::milliseconds backoff{100};           // before the 2nd try; doubles after
  bool presign_downloads = false;
  int presign_seconds = 300;
};

class S3Client {
 public:
  // Checks the endpoint, bucket and credentials; the runner must outlive the client.
  static Result<std::unique_ptr<S3Client>> make(S3Options options, curlio::MultiRunner& runner);
  S3Client(S3Options options, curlio::MultiRunner& runner, std::string scheme_host,
           std::string host);

  const S3Options& options() const { return options_; }

  struct Call {
    Call(std::string m, std::string k, sigv4::Pairs q = {})
        : method(std::move(m)), key(std::move(k)), query(std::move(q)) {}
    std::string method;
    std::string key;  // a safe key (see blob_store.h)
    sigv4::Pairs query;
    sigv4::Pairs headers;  // extra signed headers
    std::shared_ptr<const std::string> body;
    size_t max_response_bytes = 64 * 1024;
    size_t reserve_response_bytes = 0;  // see curlio::HttpRequest
  };
  // The answer when its status is 2xx; otherwise an error: not_found for 404, unavailable for
  // transport failures and 5xx, internal for other statuses (a rejected signature, a bad bucket).
  asio::awaitable<Result<curlio::HttpResponse>> send(Call call);
  // Sends once, without waiting or retrying; the result is only logged (destructor cleanup).
  void send_detached(Call call);

  // A GET URL for `key` valid for options().presign_seconds, with S3's response-* overrides.
  std::string presigned_get(const std::string& key, const sigv4::Pairs& response_overrides) const;

 private:
  curlio::HttpRequest build(const Call& call, std::chrono::system_clock::time_point now) const;
  std::string canonical_uri(const std::string& key) const;

  S3Options options_;
  curlio::MultiRunner& runner_;
  std::string scheme_host_;  // "http://127.0.0.1:4569" or "https://bucket.s3.amazonaws.com"
  std::string host_;         // the Host header value
};

// "HTTP 403 SignatureDoesNotMatch: The request signature ..." from a non-2xx answer.
std::string describe_failure(const curlio::HttpResponse& response);

}  // namespace parley::files

// See openai_provider.h. Ownership: a Transfer (one request) belongs to the curlio::MultiRunner
// from submit() until its finished() call; each Transfer calls its sink's on_done or on_error
// exactly once. Failures are decided where they are seen: in the body callback (malformed event,
// reply too large, [DONE]), at transfer end (HTTP status, curl error, stream closed before
// [DONE]), or by the runner's idle check (libcurl's own low-speed limit has one-second
// granularity only).
#include "ai/openai_provider.h"

#include <curl/curl.h>

#include <algorithm>
#include <optional>

#include "ai/chat_completions.h"
#include "ai/sse.h"
#include "curlio/multi_runner.h"

namespace parley::ai {

namespace {

using Kind = Failure::Kind;

constexpr size_t kErrorBodyBytes = 512;  // of a non-2xx answer, kept for the log

struct Transfer final : curlio::Transfer {
  std::string body;
  Sink sink;
  size_t max_reply_bytes = 0;
  SseParser parser;
  curl_slist* headers = nullptr;
  size_t reply_bytes = 0;
  bool settled = false;          // the sink got its final call
  std::optional<Failure> abort;  // why the body callback stopped the transfer
  std::string error_body;
  char errbuf[CURL_ERROR_SIZE] = {};

  Transfer(size_t max_reply, size_t max_event) : max_reply_bytes(max_reply), parser(max_event) {}
  ~Transfer() override {
    if (headers) curl_slist_free_all(headers);
  }

  bool configure(const OpenAiOptions& options, const std::string& url);
  void finished(CURLcode rc) override;

  void done() {
    if (settled) return;
    settled = true;
    if (sink.on_done) sink.on_done();
    sink = {};
  }
  void fail(Kind kind, std::string detail) {
    if (settled) return;
    settled = true;
    if (sink.on_error) sink.on_error(Failure{kind, std::move(detail)});
    sink = {};
  }

  long status() const {
    long code = 0;
    curl_easy_getinfo(easy(), CURLINFO_RESPONSE_CODE, &code);
    return code;
  }

  // One SSE event's data. False stops the parser (and then the transfer).
  bool on_event(std::string_view data) {
    auto event = parse_stream_data(data);
    if (!event) {
      const bool reported = event.error().kind == Error::Kind::unavailable;
      abort = Failure{reported ? Kind::http : Kind::malformed, event.error().detail};
      return false;
    }
    if (event->done) {
      done();
      return false;
    }
    if (event->delta.empty()) return true;
    reply_bytes += event->delta.size();
    if (reply_bytes > max_reply_bytes) {
      abort = Failure{Kind::too_large, "reply over " + std::to_string(max_reply_bytes) + " bytes"};
      return false;
    }
    if (sink.on_delta) sink.on_delta(std::move(event->delta));
    return true;
  }
};

size_t on_body(char* ptr, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->touch();
  if (t->settled || t->abort) return 0;
  const long code = t->status();
  if (code < 200 || code >= 300) {
    const size_t room = kErrorBodyBytes - std::min(kErrorBodyBytes, t->error_body.size());
    t->error_body.append(ptr, std::min(room, n));
    return n;
  }
  auto on_data = [t](std::string_view data) { return t->on_event(data); };
  if (t->parser.feed(std::string_view(ptr, n), on_data) == SseParser::Status::too_large) {
    t->abort = Failure{Kind::too_large, "event stream line over the size limit"};
  }
  // Returning less than n makes libcurl end the transfer with CURLE_WRITE_ERROR.
  return (t->settled || t->abort) ? 0 : n;
}

size_t on_header(char*, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->touch();
  return size * count;
}

std::string join_url(std::string base) {
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base + "/chat/completions";
}

}  // namespace

bool Transfer::configure(const OpenAiOptions& options, const std::string& url) {
  CURL* e = easy();
  if (!e) return false;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: text/event-stream");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (!options.api_key.empty()) {
    const std::string auth = "Authorization: Bearer " + options.api_key;
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(e, CURLOPT_USERAGENT, "parley");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  idle_timeout = options.idle_timeout;
  return true;
}

void Transfer::finished(CURLcode rc) {
  if (settled) return;
  if (abort) {
    fail(abort->kind, abort->detail);
    return;
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK) {  // the runner is shutting down
    fail(Kind::shutdown, "server shutting down");
    return;
  }
  const long code = status();
  const std::string curl_error =
      std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : "");
  if (code != 0 && (code < 200 || code >= 300) &&
      (rc == CURLE_OK || rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR)) {
    fail(Kind::http, "HTTP " + std::to_string(code) + ": " + error_body);
  } else if (rc == CURLE_OK) {
    fail(Kind::dropped, "the stream ended before [DONE]");
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    // The runner's idle check, or libcurl's connect/total limit.
    const bool idle = curlio::Clock::now() - last_activity() >= idle_timeout;
    fail(Kind::timeout,
         idle ? "no data for " + std::to_string(idle_timeout.count()) + " ms" : curl_error);
  } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
             rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR ||
             rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    fail(Kind::connect, curl_error);
  } else {
    fail(Kind::dropped, curl_error);
  }
}

struct OpenAiProvider::Impl {
  OpenAiOptions options;
  std::string url;
  std::unique_ptr<curlio::MultiRunner> runner;
};

Result<std::unique_ptr<OpenAiProvider>> OpenAiProvider::start(OpenAiOptions options) {
  auto runner = curlio::MultiRunner::start("ai-io");
  if (!runner) return runner.error();
  auto impl = std::make_unique<Impl>();
  impl->runner = std::move(runner.value());
  impl->url = join_url(options.base_url);
  impl->options = std::move(options);
  return std::unique_ptr<OpenAiProvider>(new OpenAiProvider(std::move(impl)));
}

OpenAiProvider::OpenAiProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OpenAiProvider::~OpenAiProvider() {
  shutdown();
}

void OpenAiProvider::generate(Request request, Sink sink) {
  const size_t max_reply = impl_->options.max_reply_bytes;
  // An event wraps its delta in JSON; leave room for that, but bound a line that never ends.
  auto t = std::make_unique<Transfer>(max_reply, 2 * max_reply + 16 * 1024);
  t->body = completion_request_body(impl_->options.model, request);
  t->sink = std::move(sink);
  if (!t->configure(impl_->options, impl_->url)) {
    t->fail(Kind::internal, "curl_easy_init failed");
    return;
  }
  // After shutdown the runner finishes it at once (CURLE_ABORTED_BY_CALLBACK: "shutting down").
  impl_->runner->submit(std::move(t));
}

void OpenAiProvider::shutdown() {
  impl_->runner->shutdown();
}

}  // namespace parley::ai

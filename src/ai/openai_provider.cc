// See openai_provider.h. Ownership: a Transfer (one request) belongs to the submit queue, then to
// the worker thread's active map; only the worker touches the multi handle (except the
// thread-safe curl_multi_wakeup). Each Transfer calls its sink's on_done or on_error exactly once.
// Failures are decided where they are seen: in the body callback (malformed event, reply too
// large, [DONE]), at transfer end (HTTP status, curl error, stream closed before [DONE]), or by
// the worker's idle check (libcurl's own low-speed limit has one-second granularity only).
#include "ai/openai_provider.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ai/chat_completions.h"
#include "ai/sse.h"
#include "core/thread_name.h"

namespace parley::ai {

namespace {

using Clock = std::chrono::steady_clock;
using Kind = Failure::Kind;

constexpr size_t kErrorBodyBytes = 512;  // of a non-2xx answer, kept for the log
constexpr int kIdlePollMs = 10'000;      // nothing in flight: sleep until woken

struct Transfer {
  std::string body;
  Sink sink;
  size_t max_reply_bytes = 0;
  SseParser parser;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  size_t reply_bytes = 0;
  bool finished = false;         // the sink got its final call
  std::optional<Failure> abort;  // why the body callback stopped the transfer
  std::string error_body;
  Clock::time_point last_activity = Clock::now();
  char errbuf[CURL_ERROR_SIZE] = {};

  Transfer(size_t max_reply, size_t max_event) : max_reply_bytes(max_reply), parser(max_event) {}
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    if (easy) curl_easy_cleanup(easy);
    if (headers) curl_slist_free_all(headers);
  }

  void done() {
    if (finished) return;
    finished = true;
    if (sink.on_done) sink.on_done();
    sink = {};
  }
  void fail(Kind kind, std::string detail) {
    if (finished) return;
    finished = true;
    if (sink.on_error) sink.on_error(Failure{kind, std::move(detail)});
    sink = {};
  }

  long status() const {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
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
  t->last_activity = Clock::now();
  if (t->finished || t->abort) return 0;
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
  return (t->finished || t->abort) ? 0 : n;
}

size_t on_header(char*, size_t size, size_t count, void* user) {
  static_cast<Transfer*>(user)->last_activity = Clock::now();
  return size * count;
}

std::string join_url(std::string base) {
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base + "/chat/completions";
}

}  // namespace

struct OpenAiProvider::Impl {
  OpenAiOptions options;
  std::string url;
  CURLM* multi = nullptr;

  std::mutex mutex;
  std::vector<std::unique_ptr<Transfer>> queued;  // guarded by mutex
  bool stopping = false;                          // guarded by mutex
  std::thread thread;

  // Worker thread only.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;

  ~Impl() {
    if (multi) curl_multi_cleanup(multi);
  }

  void run();
  void begin(std::unique_ptr<Transfer> t);
  void collect_finished();
  int expire_idle();  // ends idle transfers; returns how long poll may sleep (ms)
  void finish(Transfer& t, CURLcode rc);
  void end_all(Kind kind, const std::string& why);
};

void OpenAiProvider::Impl::run() {
  for (;;) {
    std::vector<std::unique_ptr<Transfer>> incoming;
    bool stop;
    {
      std::lock_guard lock(mutex);
      incoming.swap(queued);
      stop = stopping;
    }
    if (stop) {
      for (auto& t : incoming)
        t->fail(Kind::shutdown, "server shutting down");
      end_all(Kind::shutdown, "server shutting down");
      return;
    }
    for (auto& t : incoming)
      begin(std::move(t));
    int running = 0;
    curl_multi_perform(multi, &running);
    collect_finished();
    const int wait_ms = expire_idle();
    curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
  }
}

void OpenAiProvider::Impl::begin(std::unique_ptr<Transfer> t) {
  t->easy = curl_easy_init();
  if (!t->easy) {
    t->fail(Kind::internal, "curl_easy_init failed");
    return;
  }
  CURL* e = t->easy;
  t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
  t->headers = curl_slist_append(t->headers, "Accept: text/event-stream");
  t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
  if (!options.api_key.empty()) {
    const std::string auth = "Authorization: Bearer " + options.api_key;
    t->headers = curl_slist_append(t->headers, auth.c_str());
  }
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.c_str());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
  curl_easy_setopt(e, CURLOPT_USERAGENT, "parley");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  t->last_activity = Clock::now();
  if (curl_multi_add_handle(multi, e) != CURLM_OK) {
    t->fail(Kind::internal, "curl_multi_add_handle failed");
    return;
  }
  active.emplace(e, std::move(t));
}

void OpenAiProvider::Impl::collect_finished() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // Read the message before remove_handle, which invalidates it.
    CURL* easy = msg->easy_handle;
    const CURLcode rc = msg->data.result;
    curl_multi_remove_handle(multi, easy);
    auto it = active.find(easy);
    if (it == active.end()) continue;
    std::unique_ptr<Transfer> t = std::move(it->second);
    active.erase(it);
    finish(*t, rc);
  }
}

void OpenAiProvider::Impl::finish(Transfer& t, CURLcode rc) {
  if (t.finished) return;
  if (t.abort) {
    t.fail(t.abort->kind, t.abort->detail);
    return;
  }
  const long code = t.status();
  const std::string curl_error =
      std::string(curl_easy_strerror(rc)) + (t.errbuf[0] ? std::string(": ") + t.errbuf : "");
  if (code != 0 && (code < 200 || code >= 300) &&
      (rc == CURLE_OK || rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR)) {
    t.fail(Kind::http, "HTTP " + std::to_string(code) + ": " + t.error_body);
  } else if (rc == CURLE_OK) {
    t.fail(Kind::dropped, "the stream ended before [DONE]");
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    t.fail(Kind::timeout, curl_error);
  } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
             rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_SSL_CONNECT_ERROR ||
             rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    t.fail(Kind::connect, curl_error);
  } else {
    t.fail(Kind::dropped, curl_error);
  }
}

int OpenAiProvider::Impl::expire_idle() {
  if (active.empty()) return kIdlePollMs;
  const auto now = Clock::now();
  auto next = now + std::chrono::milliseconds(kIdlePollMs);
  for (auto it = active.begin(); it != active.end();) {
    const auto deadline = it->second->last_activity + options.idle_timeout;
    if (deadline <= now) {
      curl_multi_remove_handle(multi, it->first);
      it->second->fail(Kind::timeout,
                       "no data for " + std::to_string(options.idle_timeout.count()) + " ms");
      it = active.erase(it);
    } else {
      next = std::min(next, deadline);
      ++it;
    }
  }
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::clamp<int64_t>(wait, 1, kIdlePollMs));
}

void OpenAiProvider::Impl::end_all(Kind kind, const std::string& why) {
  for (auto& [easy, t] : active) {
    curl_multi_remove_handle(multi, easy);
    t->fail(kind, why);
  }
  active.clear();
}

Result<std::unique_ptr<OpenAiProvider>> OpenAiProvider::start(OpenAiOptions options) {
  // Reference-counted by libcurl and thread-safe since 7.84; paired with the destructor.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Error::internal("curl_global_init failed");
  }
  auto impl = std::make_unique<Impl>();
  impl->multi = curl_multi_init();
  if (!impl->multi) {
    curl_global_cleanup();
    return Error::internal("curl_multi_init failed");
  }
  impl->url = join_url(options.base_url);
  impl->options = std::move(options);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    set_thread_name("ai");
    raw->run();
  });
  return std::unique_ptr<OpenAiProvider>(new OpenAiProvider(std::move(impl)));
}

OpenAiProvider::OpenAiProvider(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OpenAiProvider::~OpenAiProvider() {
  shutdown();
  impl_.reset();  // curl_multi_cleanup, before the global cleanup
  curl_global_cleanup();
}

void OpenAiProvider::generate(Request request, Sink sink) {
  const size_t max_reply = impl_->options.max_reply_bytes;
  // An event wraps its delta in JSON; leave room for that, but bound a line that never ends.
  auto t = std::make_unique<Transfer>(max_reply, 2 * max_reply + 16 * 1024);
  t->body = completion_request_body(impl_->options.model, request);
  t->sink = std::move(sink);
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) {
      impl_->queued.push_back(std::move(t));
    }
  }
  if (t) {  // refused: the worker is gone or going
    t->fail(Kind::shutdown, "server shutting down");
    return;
  }
  curl_multi_wakeup(impl_->multi);
}

void OpenAiProvider::shutdown() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  curl_multi_wakeup(impl_->multi);
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace parley::ai

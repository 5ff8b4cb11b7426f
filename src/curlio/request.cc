// See request.h. The transfer lives on the runner thread; its completion is posted to the
// awaiting coroutine's executor with the response moved into it.
#include "curlio/request.h"

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <cstring>
#include <functional>

#include "core/ascii.h"

namespace parley::curlio {

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

namespace {

using Done = std::function<void(Result<HttpResponse>)>;

class RequestTransfer final : public Transfer {
 public:
  RequestTransfer(HttpRequest request, Done done)
      : request_(std::move(request)), done_(std::move(done)) {}
  ~RequestTransfer() override {
    if (headers_) curl_slist_free_all(headers_);
  }

  bool configure() {
    CURL* e = easy();
    if (!e) return false;
    for (const auto& h : request_.headers)
      headers_ = curl_slist_append(headers_, h.c_str());
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(e, CURLOPT_URL, request_.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "parley");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf_);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &RequestTransfer::on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &RequestTransfer::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request_.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request_.total_timeout.count()));
    idle_timeout = request_.idle_timeout;
    const std::string& m = request_.method;
    if (m == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (request_.body) {
      // The body is read from memory as libcurl asks (no copy into libcurl).
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_READFUNCTION, &RequestTransfer::on_read);
      curl_easy_setopt(e, CURLOPT_READDATA, this);
      // libcurl rewinds when it resends on a fresh connection (a kept-alive one the server had
      // closed): without this the request would fail instead.
      curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &RequestTransfer::on_seek);
      curl_easy_setopt(e, CURLOPT_SEEKDATA, this);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request_.body->size()));
      if (m != "PUT") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    } else if (m == "POST") {
      // An empty POST still says Content-Length: 0 (some servers answer 411 without it).
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (m != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m.c_str());
    }
    return true;
  }

  void finished(CURLcode rc) override {
    if (!done_) return;
    Done done = std::move(done_);
    // Release the request body before the waiter resumes: it may be a whole multipart part, and
    // the waiter's next step is usually to fill the next one.
    request_.body.reset();
    if (too_large_) {
      done(Error::unavailable("response over " + std::to_string(request_.max_response_bytes) +
                              " bytes"));
      return;
    }
    if (rc != CURLE_OK) {
      std::string why = curl_easy_strerror(rc);
      if (errbuf_[0]) why += std::string(": ") + errbuf_;
      if (rc == CURLE_OPERATION_TIMEDOUT) why = "timeout: " + why;
      if (rc == CURLE_ABORTED_BY_CALLBACK) why = "stopped: " + why;
      done(Error::unavailable(std::move(why)));
      return;
    }
    curl_easy_getinfo(easy(), CURLINFO_RESPONSE_CODE, &response_.status);
    done(std::move(response_));
  }

 private:
  static size_t on_body(char* ptr, size_t size, size_t count, void* user) {
    auto* t = static_cast<RequestTransfer*>(user);
    const size_t n = size * count;
    t->touch();
    if (t->response_.body.size() + n > t->request_.max_response_bytes) {
      t->too_large_ = true;
      return 0;  // ends the transfer with CURLE_WRITE_ERROR
    }
    if (t->response_.body.empty())
      t->response_.body.reserve(std::max(n, t->request_.reserve_response_bytes));
    t->response_.body.append(ptr, n);
    return n;
  }

  static size_t on_header(char* ptr, size_t size, size_t count, void* user) {
    auto* t = static_cast<RequestTransfer*>(user);
    const size_t n = size * count;
    t->touch();
    std::string_view line(ptr, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {
      t->response_.headers.clear();  // a new response (after a redirect or 100 Continue)
      return n;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    t->response_.headers.emplace_back(ascii::to_lower(line.substr(0, colon)),
                                      std::string(ascii::trim_ows(line.substr(colon + 1))));
    return n;
  }

  static size_t on_read(char* buffer, size_t size, size_t count, void* user) {
    auto* t = static_cast<RequestTransfer*>(user);
    const std::string& body = *t->request_.body;
    const size_t n = std::min(size * count, body.size() - t->read_pos_);
    std::memcpy(buffer, body.data() + t->read_pos_, n);
    t->read_pos_ += n;
    t->touch();
    return n;
  }

  static int on_seek(void* user, curl_off_t offset, int origin) {
    auto* t = static_cast<RequestTransfer*>(user);
    if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->request_.body->size())
      return CURL_SEEKFUNC_CANTSEEK;
    t->read_pos_ = static_cast<size_t>(offset);
    return CURL_SEEKFUNC_OK;
  }

  HttpRequest request_;
  Done done_;
  HttpResponse response_;
  curl_slist* headers_ = nullptr;
  size_t read_pos_ = 0;
  bool too_large_ = false;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

}  // namespace

void perform_detached(MultiRunner& runner, HttpRequest request, Done done) {
  auto t = std::make_unique<RequestTransfer>(std::move(request), std::move(done));
  if (!t->configure()) {
    t->finished(CURLE_FAILED_INIT);
    return;
  }
  runner.submit(std::move(t));
}

asio::awaitable<Result<HttpResponse>> perform(MultiRunner& runner, HttpRequest request) {
  auto home = co_await asio::this_coro::executor;
  // Named local on purpose (see core/offload.h: GCC 12 and lambda temporaries in co_await).
  auto initiation = [&runner, home](auto handler, HttpRequest req) {
    // std::function needs a copyable callable: share the move-only handler.
    auto shared = std::make_shared<decltype(handler)>(std::move(handler));
    Done done = [shared, home](Result<HttpResponse> r) {
      asio::post(home, [shared, r = std::move(r)]() mutable { std::move (*shared)(std::move(r)); });
    };
    perform_detached(runner, std::move(req), std::move(done));
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                          void(Result<HttpResponse>)>(
      std::move(initiation), asio::use_awaitable, std::move(request));
}

}  // namespace parley::curlio

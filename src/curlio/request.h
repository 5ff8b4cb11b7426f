// perform(): one HTTP request on a MultiRunner, awaited from a coroutine. The request body is held
// in memory (shared, so a retry reuses it without a copy); the response body is collected up to a
// cap. The coroutine resumes on its own executor with the outcome, so an event loop only ever
// waits.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "curlio/multi_runner.h"

namespace parley::curlio {

namespace asio = boost::asio;

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  std::vector<std::string> headers;         // "Name: value"
  std::shared_ptr<const std::string> body;  // null: no body
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds idle_timeout{15'000};   // nothing sent or received for this long
  std::chrono::milliseconds total_timeout{60'000};  // the whole request (0: none)
  size_t max_response_bytes = 1 << 20;              // beyond it the request fails
  // Allocate the response body once at this size (a ranged GET knows its length), instead of
  // growing it chunk by chunk.
  size_t reserve_response_bytes = 0;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // The first header of that (lowercase) name, or "".
  std::string_view header(std::string_view name) const;
};

// Errors: Error::unavailable with the curl error text (detail starts with "timeout: " for a
// timeout, "stopped: " at shutdown). Any HTTP status is a success here: the caller judges it.
asio::awaitable<Result<HttpResponse>> perform(MultiRunner& runner, HttpRequest request);

// The same without a coroutine: `done` runs on the runner thread (keep it short). For work that
// must happen when no coroutine can wait, e.g. cleanup from a destructor.
void perform_detached(MultiRunner& runner, HttpRequest request,
                      std::function<void(Result<HttpResponse>)> done);

}  // namespace parley::curlio

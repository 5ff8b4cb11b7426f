// Request and response plumbing for the REST routes: JSON bodies, the contract's error envelopes,
// CORS, query strings and the three places a token may come from.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/http_types.h"

namespace parley::api {

namespace http = net::http;
namespace json = boost::json;

using Response = net::StringResponse;

// Path and decoded query parameters of a request target.
struct Target {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;
  const std::string* param(std::string_view key) const {
    auto it = query.find(key);
    return it == query.end() ? nullptr : &it->second;
  }
};
Target parse_target(std::string_view target);

// JSON response with the request's version and keep-alive.
Response json_response(const net::Request& req, http::status status, const json::value& body);
// {"success":false,"message":msg}
Response error_response(const net::Request& req, http::status status, std::string_view message);
// The answer to a failed store (or other back-end) call, in one place: Error::unavailable (the
// store cannot be reached in time, e.g. the Redis Cluster is down) -> 503 with the contract's
// "temporarily unavailable" message; anything else -> 500 with `message`.
Response store_error(const net::Request& req, const Error& error, std::string_view message);
// 401 {"success":false,"code":"UNAUTHORIZED","message":"인증이 필요합니다."}
Response unauthorized(const net::Request& req);

// Adds the contract's CORS headers (echoing Origin) to a response.
void apply_cors(const net::Request& req, Response& res);
// Answer to an OPTIONS preflight.
Response preflight_response(const net::Request& req);

// Percent-decodes one path segment; a malformed escape leaves the text as it is (routes then
// fail to find what it names).
std::string decode_path_segment(std::string_view segment);

// First non-empty of x-auth-token, ?token=, Authorization: Bearer.
std::string token_from(const net::Request& req, const Target& target);
// x-session-id header, else ?sessionId=.
std::string session_id_from(const net::Request& req, const Target& target);
// The client address for rate limiting: first X-Forwarded-For value, else X-Real-IP, else peer.
std::string client_ip(const net::Request& req, const net::ConnInfo& info);

// Parses the body as JSON. An empty body is an empty object. nullopt on malformed JSON.
std::optional<json::value> parse_json_body(const net::Request& req);

}  // namespace parley::api

namespace parley::chat {
struct FieldError;
}

namespace parley::api {

// 400 {"success":false,"message":"입력값이 올바르지 않습니다.","code":"VALIDATION_ERROR",
//      "errors":[{"field","message"}], "path" (when non-empty)}
Response validation_error(const net::Request& req, const std::vector<chat::FieldError>& errors,
                          std::string_view path = {});
// 400 for a body that is not JSON at all.
Response malformed_json(const net::Request& req);

}  // namespace parley::api

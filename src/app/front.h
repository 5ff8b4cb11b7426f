// FrontHandler: the operator's pages in front of a listener's usual handler. It answers
//   GET /metrics    the Prometheus scrape (text format 0.0.4), open to anyone who can reach the
//                   port (as is usual for /metrics; bind --metrics-port to a private address to
//                   keep it off the public one), with CORS open so a dashboard on another node
//                   can read it;
//   GET /dashboard  the live dashboard (app/dashboard.h), only with --admin-token set: 404
//                   without one, 401 unless the request carries it (?token= or
//                   Authorization: Bearer);
// and hands everything else to `inner` (null: a 404, for the --metrics-port listener).
#pragma once

#include <string>
#include <vector>

#include "metrics/registry.h"
#include "net/http_types.h"

namespace parley::app {

struct FrontOptions {
  std::string admin_token;                   // empty: no dashboard
  std::vector<std::string> dashboard_nodes;  // base URLs the dashboard polls; empty: this node
};

class FrontHandler final : public net::HttpHandler {
 public:
  FrontHandler(net::HttpHandler* inner, const metrics::Registry& registry, FrontOptions options);

  uint64_t body_limit(const net::RequestHeader& header) override;
  net::asio::awaitable<net::http::message_generator> handle(net::Request req,
                                                            net::ConnInfo info) override;
  net::asio::awaitable<net::Reply> respond(net::Request req, net::ConnInfo info) override;
  net::StringResponse reject(net::http::status status, unsigned version) override;
  bool wants_upgrade(const net::Request& req) override;
  net::asio::awaitable<void> upgrade(net::beast::tcp_stream stream, net::Request req,
                                     net::ConnInfo info, net::ConnectionSlotPtr slot) override;
  bool wants_stream(const net::RequestHeader& header) override;
  net::asio::awaitable<net::Reply> handle_stream(net::RequestHeader header, net::BodyStream& body,
                                                 net::ConnInfo info) override;

  // The answer for the operator's paths; nullopt for any other request.
  std::optional<net::StringResponse> answer(const net::Request& req) const;
  // True when the request carries the admin token (constant-time comparison).
  bool authorized(const net::Request& req) const;

 private:
  net::HttpHandler* inner_;
  const metrics::Registry& registry_;
  FrontOptions options_;
};

// Splits "http://a:1, http://b:2/" into base URLs without trailing slashes.
std::vector<std::string> split_nodes(const std::string& list);

}  // namespace parley::app

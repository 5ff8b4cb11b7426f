// WebClient: serves the browser client (web/dist, built by Vite) from the REST port, so the pages,
// the REST API and /socket.io/ share one origin.
//
// Every regular file under the root is read into memory once, at construction; serve() only looks
// things up in that immutable table, so it never blocks the event loop and is safe to call from
// any number of loops at once. Rules:
//   - Only GET and HEAD of paths outside /api and /socket.io are served (nullopt otherwise, so
//     the caller answers as usual).
//   - A known file is served with a Content-Type chosen by its extension. /assets/* (Vite's
//     content-hashed files) are cached for a year (`public, max-age=31536000, immutable`);
//     everything else, index.html first, is `no-cache` and revalidated with its ETag (304).
//   - `/` and unknown paths without a file extension get index.html (history-API fallback, so
//     /chat/<id> can be reloaded); unknown paths with an extension get 404.
//   - When the client accepts gzip and the build shipped `<file>.gz` next to the file, that is sent
//     with `Content-Encoding: gzip`.
//   - Paths that try to leave the root (`..`, encoded or not, backslashes, NUL) get 400.
// HEAD answers carry the GET body like the REST routes do: RestHandler::handle strips it and keeps
// the Content-Length.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.h"

namespace parley::api {

class WebClient {
 public:
  // Loads every file under `root_dir`. An empty root, or one without index.html, disables the
  // client (enabled() is false and serve() always returns nullopt).
  explicit WebClient(std::string root_dir);

  bool enabled() const { return enabled_; }
  // Number of files loaded; for the startup log.
  size_t file_count() const { return files_.size(); }
  const std::string& root_dir() const { return root_dir_; }

  // The response for `req`, or nullopt when the request is not the web client's business
  // (disabled, a method other than GET/HEAD, or a path under /api or /socket.io).
  std::optional<net::StringResponse> serve(const net::Request& req) const;

 private:
  struct File {
    std::string body;
    std::string gzip;  // the precompressed companion (`<name>.gz`), empty when none
    std::string content_type;
    std::string etag;
    bool immutable = false;  // under /assets/
  };

  net::StringResponse respond(const net::Request& req, const File& file) const;

  std::string root_dir_;
  std::map<std::string, File, std::less<>> files_;  // key: "/relative/path"
  bool enabled_ = false;
};

// The Content-Type for a file name, by its extension (application/octet-stream when unknown).
std::string_view content_type_for(std::string_view filename);

}  // namespace parley::api

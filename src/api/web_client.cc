// See web_client.h.
#include "api/web_client.h"

#include "core/ascii.h"
#include "core/percent.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

namespace parley::api {

namespace {

namespace fs = std::filesystem;
namespace http = net::http;

constexpr uintmax_t kMaxFileBytes = 64ull << 20;  // a web build has no business being larger
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

// The extension of the last path segment, without the dot ("" when there is none).
std::string_view extension_of(std::string_view path) {
  auto slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

std::string etag_of(std::string_view body) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bit
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (int shift = 60; shift >= 0; shift -= 4)
    out.push_back(kHex[(h >> shift) & 0xf]);
  out += std::to_string(body.size());
  out.push_back('"');
  return out;
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return data;
}

// A decoded path is safe when it is absolute and no segment climbs or hides (`.`, `..`), and it
// holds no backslash or control character.
bool is_safe_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return false;
    start = end + 1;
  }
  return true;
}

bool under(std::string_view path, std::string_view prefix) {
  // `prefix` itself, or `prefix/...`
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto semi = item.find(';');
    std::string coding = ascii::to_lower(ascii::trim_ows(item.substr(0, semi)));
    if (coding != "gzip" && coding != "x-gzip") continue;
    if (semi == std::string_view::npos) return true;
    std::string params = ascii::to_lower(item.substr(semi + 1));
    params.erase(
        std::remove_if(params.begin(), params.end(), [](char c) { return c == ' ' || c == '\t'; }),
        params.end());
    if (params.starts_with("q=")) {
      std::string_view q = std::string_view(params).substr(2);
      // q=0, q=0.0, q=0.000: refused
      bool zero = !q.empty() && q.front() == '0';
      for (char c : q.substr(zero ? 1 : 0)) {
        if (c != '.' && c != '0') zero = false;
      }
      return !zero;
    }
    return true;
  }
  return false;
}

// True when an If-None-Match header lists `etag` (or is `*`). Weak comparison, as RFC 9110 asks.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = ascii::trim_ows(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

net::StringResponse plain(const net::Request& req, http::status status, std::string_view text) {
  net::StringResponse res{status, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = std::string(text);
  res.prepare_payload();
  return res;
}

}  // namespace

std::string_view content_type_for(std::string_view filename) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kTypes{{
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json; charset=utf-8"},
      {"map", "application/json; charset=utf-8"},
      {"webmanifest", "application/manifest+json; charset=utf-8"},
      {"txt", "text/plain; charset=utf-8"},
      {"xml", "application/xml; charset=utf-8"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"mp3", "audio/mpeg"},
      {"wav", "audio/wav"},
  }};
  const std::string ext = ascii::to_lower(extension_of(filename));
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

WebClient::WebClient(std::string root_dir) : root_dir_(std::move(root_dir)) {
  if (root_dir_.empty()) return;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(root_dir_), ec);
  if (ec || !fs::is_directory(root, ec)) {
    spdlog::warn("web client: {} is not a directory; the web client is off", root_dir_);
    return;
  }
  // Pass 1: every regular file. Pass 2 attaches `x.gz` to `x` when both exist.
  std::map<std::string, std::string, std::less<>> gz;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    std::error_code fec;
    if (!entry.is_regular_file(fec)) continue;
    const uintmax_t size = entry.file_size(fec);
    if (fec || size > kMaxFileBytes) {
      spdlog::warn("web client: skipping {} (unreadable or larger than {} bytes)",
                   entry.path().string(), kMaxFileBytes);
      continue;
    }
    std::string rel = "/" + entry.path().lexically_relative(root).generic_string();
    auto data = read_file(entry.path());
    if (!data) {
      spdlog::warn("web client: cannot read {}", entry.path().string());
      continue;
    }
    if (rel.ends_with(".gz")) {
      gz.emplace(rel.substr(0, rel.size() - 3), *data);  // also served as a plain file below
    }
    File file;
    file.content_type = std::string(content_type_for(rel));
    file.etag = etag_of(*data);
    file.immutable = rel.starts_with("/assets/");
    file.body = std::move(*data);
    files_.emplace(std::move(rel), std::move(file));
  }
  if (ec) spdlog::warn("web client: listing {}: {}", root.string(), ec.message());
  for (auto& [name, data] : gz) {
    auto f = files_.find(name);
    if (f != files_.end()) f->second.gzip = std::move(data);
  }
  enabled_ = files_.contains("/index.html");
  if (!enabled_) spdlog::warn("web client: no index.html in {}; the web client is off", root_dir_);
}

std::optional<net::StringResponse> WebClient::serve(const net::Request& req) const {
  if (!enabled_) return std::nullopt;
  if (req.method() != http::verb::get && req.method() != http::verb::head) return std::nullopt;
  std::string_view target = req.target();
  target = target.substr(0, target.find_first_of("?#"));
  if (under(target, "/api") || under(target, "/socket.io")) return std::nullopt;

  auto decoded = parley::percent_decode(target);
  if (!decoded || !is_safe_path(*decoded)) return plain(req, http::status::bad_request, "Bad path");
  // Decoding may reveal an API prefix (`/%61pi/x`); those are never ours either.
  if (under(*decoded, "/api") || under(*decoded, "/socket.io")) return std::nullopt;

  if (auto f = files_.find(*decoded); f != files_.end()) return respond(req, f->second);
  if (!extension_of(*decoded).empty()) return plain(req, http::status::not_found, "Not Found");
  return respond(req, files_.find("/index.html")->second);
}

net::StringResponse WebClient::respond(const net::Request& req, const File& file) const {
  const bool gzip = !file.gzip.empty() && accepts_gzip(req[http::field::accept_encoding]);
  const std::string etag = gzip ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;

  net::StringResponse res{http::status::ok, req.version()};
  res.keep_alive(req.keep_alive());
  res.set(http::field::content_type, file.content_type);
  res.set(http::field::cache_control, file.immutable ? kImmutable : std::string_view("no-cache"));
  res.set(http::field::etag, etag);
  res.set("X-Content-Type-Options", "nosniff");
  if (!file.gzip.empty()) res.set(http::field::vary, "Accept-Encoding");
  if (etag_matches(req[http::field::if_none_match], etag)) {
    res.result(http::status::not_modified);
    return res;  // no body and no Content-Length (RFC 9110 §15.4.5)
  }
  if (gzip) res.set(http::field::content_encoding, "gzip");
  res.body() = gzip ? file.gzip : file.body;
  res.prepare_payload();
  return res;
}

}  // namespace parley::api

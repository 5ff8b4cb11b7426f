// Files (§2.4) and profile images (§2.2): streamed multipart uploads into the blob store,
// access-checked downloads and previews (Range, ETag, HEAD), deletion by the uploader, and the
// public profile images under /api/uploads/profiles/ (and Node's /uploads/profiles/).
// Bodies never pass through memory whole: uploads are read from the connection chunk by chunk
// (files/upload.h), downloads are written chunk by chunk from the blob store (files/blob_body.h).
// Any file name from a URL is checked against files::is_safe_name before it reaches the store.
#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/json.hpp>
#include <cstring>
#include <set>

#include "api/router.h"
#include "api/views.h"
#include "chat/ids.h"
#include "core/clock.h"
#include "files/blob_body.h"
#include "files/http_file.h"
#include "files/upload.h"

namespace parley::api {

namespace {

constexpr std::string_view kNotFound = "파일을 찾을 수 없습니다.";
constexpr std::string_view kBadFilename = "잘못된 파일명입니다.";
constexpr std::string_view kBadPath = "잘못된 파일 경로입니다.";
constexpr std::string_view kNoAccess = "파일에 접근할 권한이 없습니다.";
constexpr std::string_view kProcessingError = "파일 처리 중 오류가 발생했습니다.";
constexpr std::string_view kNoPreview = "미리보기를 지원하지 않는 파일 형식입니다.";
constexpr std::string_view kNoDelete = "파일을 삭제할 권한이 없습니다.";
constexpr std::string_view kUploadError = "파일 업로드 중 오류가 발생했습니다.";
constexpr std::string_view kProfileUploadError = "이미지 업로드 중 오류가 발생했습니다.";
constexpr std::string_view kProfileDeleteError = "프로필 이미지 삭제 중 오류가 발생했습니다.";
constexpr std::string_view kUserNotFound = "사용자를 찾을 수 없습니다.";
constexpr std::string_view kBadRequest = "잘못된 요청입니다.";
constexpr std::string_view kUnavailable = "일시적으로 서비스를 사용할 수 없습니다.";
constexpr std::string_view kProfileUrlPrefix = "/api/uploads/profiles/";
constexpr std::string_view kProfileKeyPrefix = "profiles/";

constexpr std::string_view kDownloadCache = "private, no-cache, no-store, must-revalidate";
constexpr std::string_view kImmutableCache = "public, max-age=31536000, immutable";

// An upload that reached its route with the body already buffered (a request sent to a path
// spelled differently from streams_body's, or handle() called directly): the same pipeline
// reads it from memory.
class BufferedBody final : public net::BodyStream {
 public:
  explicit BufferedBody(const std::string& body) : body_(body) {}
  asio::awaitable<Result<size_t>> read_some(asio::mutable_buffer out) override {
    const size_t n = std::min(out.size(), body_.size() - pos_);
    std::memcpy(out.data(), body_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }
  bool too_large() const override { return false; }
  bool complete() const override { return true; }  // the listener read all of it

 private:
  const std::string& body_;
  size_t pos_ = 0;
};

Response file_too_large(const net::Request& req) {
  return json_response(req, http::status::payload_too_large,
                       json::object{{"success", false},
                                    {"message", files::text::kRequestTooLarge},
                                    {"code", "FILE_TOO_LARGE"}});
}

// The answer to a failed upload (see files::receive_upload for the error kinds).
Response upload_failure(const Ctx& c, const Error& error, std::string_view internal_text) {
  if (c.body && c.body->too_large()) return file_too_large(c.req);
  switch (error.kind) {
    case Error::Kind::invalid:
      return error_response(c.req, http::status::bad_request, error.detail);
    case Error::Kind::unavailable:  // client gone, stalled or sent a broken body
      return error_response(c.req, http::status::bad_request, kBadRequest);
    default:
      spdlog::error("files: upload failed: {}", error.detail);
      return error_response(c.req, http::status::internal_server_error, internal_text);
  }
}

asio::awaitable<Result<files::StoredUpload>> receive(Ctx& c, files::Purpose purpose,
                                                     std::string field, std::string key_prefix) {
  files::UploadRequest request;
  request.purpose = purpose;
  request.field = std::move(field);
  request.content_type = std::string(c.req[http::field::content_type]);
  request.key_prefix = std::move(key_prefix);
  request.limits = c.services.files.limits;
  BufferedBody buffered{c.req.body()};
  net::BodyStream& body = c.body ? *c.body : buffered;
  co_return co_await files::receive_upload(body, std::move(request), *c.services.files.blobs);
}

// Best effort: a blob that cannot be removed only costs disk space.
asio::awaitable<void> remove_blob(files::BlobStore& blobs, std::string key) {
  auto removed = co_await blobs.remove(key);
  if (!removed) spdlog::warn("files: cannot remove blob {}: {}", key, removed.error().detail);
}

// The blob key of a profile image URL this server issued, or "" for anything else.
std::string profile_key_of(std::string_view url) {
  if (!url.starts_with(kProfileUrlPrefix)) return {};
  const std::string_view name = url.substr(kProfileUrlPrefix.size());
  if (!files::is_safe_name(name)) return {};
  return std::string(kProfileKeyPrefix) + std::string(name);
}

// A stored blob as a response: 200, 206 for a satisfiable single Range, 416 otherwise, 304 when
// If-None-Match names the current entity tag. The body is streamed from the blob store (GET) or
// only announced by Content-Length (HEAD).
Response send_blob(Ctx& c, std::unique_ptr<files::BlobReader> reader, std::string_view type,
                   std::string_view disposition, std::string_view cache_control) {
  Response res{http::status::ok, c.req.version()};
  res.keep_alive(c.req.keep_alive());
  res.set(http::field::content_type, type);
  if (!disposition.empty()) res.set(http::field::content_disposition, disposition);
  res.set(http::field::cache_control, cache_control);
  res.set(http::field::etag, reader->etag());
  res.set(http::field::accept_ranges, "bytes");
  // No content sniffing by the browser either: the bytes are whatever the client uploaded.
  res.set("X-Content-Type-Options", "nosniff");
  apply_cors(c.req, res);

  if (auto inm = c.req[http::field::if_none_match];
      !inm.empty() && files::etag_list_matches(inm, reader->etag())) {
    res.result(http::status::not_modified);
    return res;
  }
  const uint64_t size = reader->size();
  uint64_t offset = 0;
  uint64_t length = size;
  const auto range = c.req[http::field::range];
  const auto if_range = c.req[http::field::if_range];
  // If-Range with anything but the current tag (we send no Last-Modified): the whole body.
  if (!range.empty() && (if_range.empty() || if_range == reader->etag())) {
    files::ByteRange r;
    switch (files::parse_range(range, size, r)) {
      case files::RangeVerdict::partial:
        res.result(http::status::partial_content);
        res.set(http::field::content_range, "bytes " + std::to_string(r.first) + "-" +
                                                std::to_string(r.last) + "/" +
                                                std::to_string(size));
        offset = r.first;
        length = r.length();
        break;
      case files::RangeVerdict::unsatisfiable:
        res.result(http::status::range_not_satisfiable);
        res.set(http::field::content_range, "bytes */" + std::to_string(size));
        res.erase(http::field::content_disposition);
        res.content_length(0);
        return res;
      case files::RangeVerdict::whole:
        break;
    }
  }
  res.content_length(length);
  if (c.req.method() != http::verb::head && length > 0)
    c.stream_body = std::make_unique<files::BlobBody>(std::move(reader), offset, length);
  return res;
}

// With --s3-presign-downloads, a GET (after the caller's access check) is sent to a short-lived
// presigned URL, so the bytes flow from storage rather than through this server (which then
// answers Range and If-None-Match itself). HEAD is still answered here: the URL signs GET only.
std::optional<std::string> presigned(const Ctx& c, files::BlobStore& blobs, const std::string& key,
                                     std::string_view type, std::string_view disposition) {
  if (c.req.method() != http::verb::get) return std::nullopt;
  return blobs.download_url(key, type, disposition);
}

Response redirect(const Ctx& c, const std::string& url) {
  Response res{http::status::found, c.req.version()};
  res.keep_alive(c.req.keep_alive());
  res.set(http::field::location, url);
  res.set(http::field::cache_control, "private, no-store");
  apply_cors(c.req, res);
  res.content_length(0);
  return res;
}

enum class FileAccess { allowed, unlinked, forbidden, failed };

// §2.4: a message referencing the file lives in a room whose DB participants include the user.
asio::awaitable<FileAccess> file_access(Services& s, const chat::FileRecord& file,
                                        const chat::Id& user_id) {
  auto rooms = co_await s.store.rooms_referencing_file(file.id);
  if (!rooms) co_return FileAccess::failed;
  if (rooms->empty()) co_return FileAccess::unlinked;
  const std::set<chat::Id> unique(rooms->begin(), rooms->end());
  for (const auto& room_id : unique) {
    auto room = co_await s.store.get_room(room_id);
    if (!room) co_return FileAccess::failed;
    if (!room.value()) continue;
    const auto& ids = room.value()->participant_ids;
    if (std::find(ids.begin(), ids.end(), user_id) != ids.end()) co_return FileAccess::allowed;
  }
  co_return FileAccess::forbidden;
}

enum class Mode { download, view };

asio::awaitable<Response> serve_file(Ctx& c, Mode mode) {
  const std::string& name = c.params.at(0);
  if (!files::is_safe_name(name))
    co_return error_response(c.req, http::status::bad_request, kBadFilename);
  files::BlobStore* blobs = c.services.files.blobs;
  if (!blobs) co_return error_response(c.req, http::status::service_unavailable, kUnavailable);
  auto found = co_await c.services.store.get_file_by_filename(name);
  if (!found)
    co_return error_response(c.req, http::status::internal_server_error, kProcessingError);
  if (!found.value()) co_return error_response(c.req, http::status::not_found, kNotFound);
  const chat::FileRecord file = std::move(*found.value());
  switch (co_await file_access(c.services, file, c.auth->user.id)) {
    case FileAccess::allowed:
      break;
    case FileAccess::unlinked:
      co_return error_response(c.req, http::status::not_found, kNotFound);
    case FileAccess::forbidden:
      co_return error_response(c.req, http::status::forbidden, kNoAccess);
    case FileAccess::failed:
      co_return error_response(c.req, http::status::internal_server_error, kProcessingError);
  }
  if (mode == Mode::view && !files::previewable(file.mimetype))
    co_return error_response(c.req, http::status::unsupported_media_type, kNoPreview);
  const std::string disposition = mode == Mode::download
                                      ? files::attachment_disposition(file.originalname)
                                      : files::inline_disposition(file.originalname);
  if (auto url = presigned(c, *blobs, file.path, file.mimetype, disposition))
    co_return redirect(c, *url);
  auto reader = co_await blobs->open(file.path);
  if (!reader) {
    if (reader.error().kind == Error::Kind::not_found)
      co_return error_response(c.req, http::status::not_found, kNotFound);
    spdlog::error("files: cannot open {}: {}", file.path, reader.error().detail);
    co_return error_response(c.req, http::status::internal_server_error, kProcessingError);
  }
  co_return send_blob(c, std::move(reader.value()), file.mimetype, disposition,
                      mode == Mode::download ? kDownloadCache : kImmutableCache);
}

asio::awaitable<Response> download(Ctx& c) {
  co_return co_await serve_file(c, Mode::download);
}

asio::awaitable<Response> view(Ctx& c) {
  co_return co_await serve_file(c, Mode::view);
}

asio::awaitable<Response> upload(Ctx& c) {
  if (!c.services.files.blobs)
    co_return error_response(c.req, http::status::service_unavailable, kUnavailable);
  auto stored = co_await receive(c, files::Purpose::attachment, "file", "");
  if (!stored) co_return upload_failure(c, stored.error(), kUploadError);
  chat::FileRecord record;
  record.id = chat::new_object_id();
  record.filename = stored->filename;
  record.originalname = stored->originalname;
  record.mimetype = stored->mimetype;
  record.size = static_cast<int64_t>(stored->size);
  record.path = stored->key;
  record.user_id = c.auth->user.id;
  record.upload_date = now_ms();
  chat::FileRecord saved_copy = record;
  auto saved = co_await c.services.store.create_file(std::move(saved_copy));
  if (!saved) {
    spdlog::error("files: cannot record upload {}: {}", record.filename, saved.error().detail);
    co_await remove_blob(*c.services.files.blobs, stored->key);
    co_return error_response(c.req, http::status::internal_server_error, kUploadError);
  }
  co_return json_response(
      c.req, http::status::ok,
      json::object{
          {"success", true}, {"message", "파일 업로드 성공"}, {"file", file_view(record)}});
}

asio::awaitable<Response> delete_file(Ctx& c) {
  const std::string& id = c.params.at(0);
  if (!chat::is_object_id(id)) co_return error_response(c.req, http::status::not_found, kNotFound);
  auto found = co_await c.services.store.get_file(id);
  if (!found)
    co_return error_response(c.req, http::status::internal_server_error, kProcessingError);
  if (!found.value()) co_return error_response(c.req, http::status::not_found, kNotFound);
  const chat::FileRecord file = std::move(*found.value());
  if (file.user_id != c.auth->user.id)
    co_return error_response(c.req, http::status::forbidden, kNoDelete);
  // The record goes first: a blob left behind by a failure after it is only wasted space,
  // while a record without its blob would be a broken link.
  auto deleted = co_await c.services.store.delete_file(file.id);
  if (!deleted)
    co_return error_response(c.req, http::status::internal_server_error, kProcessingError);
  if (c.services.files.blobs) co_await remove_blob(*c.services.files.blobs, file.path);
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true}, {"message", "파일이 삭제되었습니다."}});
}

asio::awaitable<Response> upload_profile_image(Ctx& c) {
  if (!c.services.files.blobs)
    co_return error_response(c.req, http::status::service_unavailable, kUnavailable);
  auto stored = co_await receive(c, files::Purpose::profile_image, "profileImage",
                                 std::string(kProfileKeyPrefix));
  if (!stored) co_return upload_failure(c, stored.error(), kProfileUploadError);
  std::string url = std::string(kProfileUrlPrefix) + stored->filename;
  std::string url_copy = url;
  auto saved =
      co_await c.services.store.update_user_profile_image(c.auth->user.id, std::move(url_copy));
  if (!saved) {
    co_await remove_blob(*c.services.files.blobs, stored->key);
    if (saved.error().kind == Error::Kind::not_found)
      co_return error_response(c.req, http::status::not_found, kUserNotFound);
    co_return error_response(c.req, http::status::internal_server_error, kProfileUploadError);
  }
  // The previous image is no longer referenced (§2.2: deleting it is best effort).
  if (auto old = profile_key_of(c.auth->user.profile_image); !old.empty())
    co_await remove_blob(*c.services.files.blobs, std::move(old));
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true},
                                       {"message", "프로필 이미지가 업데이트되었습니다."},
                                       {"imageUrl", url}});
}

asio::awaitable<Response> delete_profile_image(Ctx& c) {
  auto saved = co_await c.services.store.update_user_profile_image(c.auth->user.id, "");
  if (!saved) {
    if (saved.error().kind == Error::Kind::not_found)
      co_return error_response(c.req, http::status::not_found, kUserNotFound);
    co_return error_response(c.req, http::status::internal_server_error, kProfileDeleteError);
  }
  if (auto old = profile_key_of(c.auth->user.profile_image); !old.empty() && c.services.files.blobs)
    co_await remove_blob(*c.services.files.blobs, std::move(old));
  co_return json_response(
      c.req, http::status::ok,
      json::object{{"success", true}, {"message", "프로필 이미지가 삭제되었습니다."}});
}

asio::awaitable<Response> serve_profile_image(Ctx& c) {
  const std::string& name = c.params.at(0);
  if (!files::is_safe_name(name))
    co_return error_response(c.req, http::status::bad_request, kBadPath);
  files::BlobStore* blobs = c.services.files.blobs;
  if (!blobs) co_return error_response(c.req, http::status::not_found, kNotFound);
  const std::string key = std::string(kProfileKeyPrefix) + name;
  if (auto url = presigned(c, *blobs, key, files::image_type_for(name), {}))
    co_return redirect(c, *url);
  auto reader = co_await blobs->open(key);
  if (!reader) {
    if (reader.error().kind == Error::Kind::not_found)
      co_return error_response(c.req, http::status::not_found, kNotFound);
    co_return error_response(c.req, http::status::internal_server_error, kProcessingError);
  }
  // Stored names are unique per upload, so the content behind a URL never changes.
  co_return send_blob(c, std::move(reader.value()), files::image_type_for(name), {},
                      kImmutableCache);
}

// Path segments as the router sees them: empty segments ignored.
std::string normalized_path(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/')
      ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) {
      out += '/';
      out += path.substr(i, j - i);
    }
    i = j;
  }
  return out;
}

}  // namespace

bool streams_body(http::verb method, std::string_view path) {
  if (method != http::verb::post) return false;
  const std::string p = normalized_path(path);
  return p == "/api/files/upload" || p == "/api/users/profile-image";
}

std::optional<Response> file_path_rejection(const net::Request& req, const Target& target) {
  struct Prefix {
    std::string_view path;
    std::string_view text;
    bool any_slash;  // a file name route: any further '/' is already an attempt
  };
  static constexpr Prefix kPrefixes[] = {
      {"/api/files/download/", kBadFilename, true},
      {"/api/files/view/", kBadFilename, true},
      {"/api/uploads/", kBadPath, false},
      {"/uploads/", kBadPath, false},
  };
  const std::string_view path = target.path;
  for (const auto& prefix : kPrefixes) {
    if (!path.starts_with(prefix.path)) continue;
    const std::string rest = decode_path_segment(path.substr(prefix.path.size()));
    if (rest.empty()) return std::nullopt;
    const bool attempt = rest.find("..") != std::string::npos ||
                         rest.find('\\') != std::string::npos ||
                         rest.find('\0') != std::string::npos ||
                         (prefix.any_slash && rest.find('/') != std::string::npos);
    if (!attempt) return std::nullopt;
    return error_response(req, http::status::bad_request, prefix.text);
  }
  return std::nullopt;
}

void add_file_routes(Router& r) {
  using V = http::verb;
  r.add(V::post, "/api/files/upload", Access::authed, upload);
  r.add(V::get, "/api/files/download/:filename", Access::authed, download);
  r.add(V::get, "/api/files/view/:filename", Access::authed, view);
  r.add(V::delete_, "/api/files/:id", Access::authed, delete_file);
  r.add(V::post, "/api/users/profile-image", Access::authed, upload_profile_image);
  r.add(V::delete_, "/api/users/profile-image", Access::authed, delete_profile_image);
  r.add(V::get, "/api/uploads/profiles/:name", Access::pub, serve_profile_image);
  r.add(V::get, "/uploads/profiles/:name", Access::pub, serve_profile_image);
}

}  // namespace parley::api

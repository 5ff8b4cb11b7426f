// BlobStore: where uploaded bytes live (chat attachments, profile images), behind an interface
// shaped so an S3-compatible store can replace the local disk without touching callers:
//   - a blob is written once through a BlobWriter and becomes visible only on commit()
//     (local: temp file + rename; S3: multipart upload + complete), never half-written;
//   - reads go through a BlobReader that knows the size and an entity tag up front and serves
//     any byte range (local: pread; S3: ranged GET), so downloads can honour Range requests;
//   - keys are relative paths of safe segments ("<stored name>", "profiles/<stored name>"),
//     checked by the store itself, so no caller can name anything outside it.
// Every operation is a coroutine that completes on the caller's executor and never blocks it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace parley::files {

namespace asio = boost::asio;

// A blob being written. Bytes are appended in order; commit() publishes the blob under its key.
// A writer that is destroyed or aborted without committing leaves nothing behind.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // Appends `data` (taken by value: it travels to a worker thread or a network request).
  virtual asio::awaitable<Result<void>> write(std::string data) = 0;
  // Makes the blob durable and visible under its key; the writer is finished afterwards.
  virtual asio::awaitable<Result<void>> commit() = 0;
  // Discards everything written so far. Safe to call more than once, and after a failure.
  virtual asio::awaitable<void> abort() = 0;
  virtual uint64_t bytes_written() const = 0;
};

// An open blob, for reading byte ranges.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // A strong entity tag for this version of the blob, quoted as HTTP wants it ("\"...\"").
  virtual const std::string& etag() const = 0;
  // Up to `max` bytes from `offset`; fewer only at the end of the blob.
  virtual asio::awaitable<Result<std::string>> read(uint64_t offset, size_t max) = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Starts a new blob under `key`. Keys are never reused (stored names are unique), so a commit
  // does not need to guard against an existing blob.
  virtual asio::awaitable<Result<std::unique_ptr<BlobWriter>>> create(std::string key) = 0;
  // Error::not_found when there is no such blob.
  virtual asio::awaitable<Result<std::unique_ptr<BlobReader>>> open(std::string key) = 0;
  // Removing a blob that does not exist succeeds.
  virtual asio::awaitable<Result<void>> remove(std::string key) = 0;
  // A short-lived URL from which a client may GET the blob directly (with this content type and
  // disposition), after the caller's access check; nullopt when the store does not offer one
  // (local disk, or S3 without --s3-presign-downloads): then the server streams the bytes.
  virtual std::optional<std::string> download_url(const std::string& key,
                                                  std::string_view content_type,
                                                  std::string_view disposition) {
    (void)key, (void)content_type, (void)disposition;
    return std::nullopt;
  }
};

// A key the stores accept: 1..4 '/'-separated segments, each a safe file name (see
// is_safe_name), and nothing else: no leading '/', no empty, "." or ".." segment, no '\\'.
bool is_safe_key(std::string_view key);
// One path segment that cannot escape a directory: 1..255 bytes, not "." or "..", no "..",
// '/', '\\', NUL or other control characters, and not starting with '.' (hidden and temporary
// files stay unreachable).
bool is_safe_name(std::string_view name);

}  // namespace parley::files

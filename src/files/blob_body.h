// BlobBody: a streamed HTTP response body (net::BodySource) that reads a byte range of a blob
// in fixed-size chunks. Each chunk is read by the blob store's workers while the event loop
// serves other connections, so a 50 MB download never blocks a loop, and only one chunk per
// download is in memory at a time.
#pragma once

#include <memory>
#include <string>

#include "files/blob_store.h"
#include "net/http_types.h"

namespace parley::files {

class BlobBody final : public net::BodySource {
 public:
  static constexpr size_t kChunk = 256 * 1024;

  // Serves `length` bytes from `offset`.
  BlobBody(std::unique_ptr<BlobReader> reader, uint64_t offset, uint64_t length)
      : reader_(std::move(reader)), offset_(offset), remaining_(length) {}

  asio::awaitable<Result<std::string_view>> next() override;

 private:
  std::unique_ptr<BlobReader> reader_;
  uint64_t offset_;
  uint64_t remaining_;
  std::string chunk_;
};

}  // namespace parley::files

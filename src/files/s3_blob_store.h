// S3BlobStore: the BlobStore on an S3-compatible bucket, so several server nodes can serve the
// same files without a shared disk. Keys are object keys as they are ("profiles/<name>").
//   - Writing buffers at most one part (--s3-part-bytes, 8 MiB by default): a blob that stays
//     below one part is sent with a single PUT at commit; once the data passes one part a
//     multipart upload starts and every full part is sent as it fills, awaited before more is
//     accepted (back-pressure to the client's connection). Commit completes the upload; any
//     failure or abort aborts it, so no object appears unless the whole upload succeeded.
//   - Reading: open() is a HEAD (size, ETag); read() answers from a window fetched by one ranged
//     GET (--s3-read-bytes) while the next window is already being fetched, so a download holds
//     at most two windows in memory whatever the file size.
//   - All HTTP runs on one libcurl-multi thread ("s3-io"); completions resume on the caller's
//     executor. Optionally presigned GET URLs (download_url) let clients fetch bytes directly.
#pragma once

#include <memory>

#include "curlio/multi_runner.h"
#include "files/blob_store.h"
#include "files/s3_client.h"

namespace parley::files {

class S3BlobStore final : public BlobStore {
 public:
  // Starts the I/O thread; checks the options (not the endpoint: it may come up later).
  static Result<std::unique_ptr<S3BlobStore>> make(S3Options options);
  S3BlobStore(std::unique_ptr<curlio::MultiRunner> runner, std::unique_ptr<S3Client> client);
  ~S3BlobStore() override;

  // Ends the requests in flight and stops the I/O thread. Call once the event loops have
  // stopped; the destructor calls it too.
  void close();

  asio::awaitable<Result<std::unique_ptr<BlobWriter>>> create(std::string key) override;
  asio::awaitable<Result<std::unique_ptr<BlobReader>>> open(std::string key) override;
  asio::awaitable<Result<void>> remove(std::string key) override;
  std::optional<std::string> download_url(const std::string& key, std::string_view content_type,
                                          std::string_view disposition) override;

 private:
  std::unique_ptr<curlio::MultiRunner> runner_;
  std::unique_ptr<S3Client> client_;
};

}  // namespace parley::files

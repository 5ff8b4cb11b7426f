// LocalBlobStore: the BlobStore on a local directory (the upload dir). Layout:
//   <root>/<stored name>            chat attachments
//   <root>/profiles/<stored name>   profile images
//   <root>/.tmp/<random>.part       blobs being written; renamed into place on commit
// The temp directory sits inside the root so the final rename never crosses a filesystem (it
// is atomic), and whatever a crash leaves there is swept at startup. Every system call that may
// touch the disk (open, write, fdatasync, rename, pread, unlink) runs on the store's own worker
// pool, never on an event loop.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>

#include "files/blob_store.h"

namespace parley::files {

class LocalBlobStore final : public BlobStore {
 public:
  struct Options {
    std::string root;      // created if missing
    unsigned threads = 2;  // disk I/O workers
    // fdatasync each blob (and its directory) before it becomes visible, so a committed upload
    // survives a power cut. Off only for benchmarks that want to measure the network path.
    bool sync = true;
  };
  // Creates the layout and removes temp files left by an earlier crash.
  static Result<std::unique_ptr<LocalBlobStore>> make(Options options);

  explicit LocalBlobStore(Options options);
  ~LocalBlobStore() override;

  // Finishes queued disk work and stops the workers. Call once the event loops have stopped
  // (their coroutines may still be waiting on a result); the destructor calls it too.
  void close();
  const std::string& root() const { return options_.root; }

  asio::awaitable<Result<std::unique_ptr<BlobWriter>>> create(std::string key) override;
  asio::awaitable<Result<std::unique_ptr<BlobReader>>> open(std::string key) override;
  asio::awaitable<Result<void>> remove(std::string key) override;

 private:
  Options options_;
  asio::thread_pool pool_;
};

}  // namespace parley::files

// See local_blob_store.h. Descriptors are shared with the worker task that uses them, so a
// reader or writer dropped mid-operation (client gone, shutdown) never lets a worker touch a
// closed or reused descriptor; data buffers travel by value for the same reason.
#include "files/local_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "chat/ids.h"
#include "core/offload.h"
#include "core/thread_name.h"

namespace parley::files {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempDir = ".tmp";

std::string errno_text(std::string_view what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

// Owns one descriptor; shared between a reader/writer and the worker tasks using it.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};
using FdPtr = std::shared_ptr<Fd>;

Result<void> write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Error::unavailable(errno_text("write", errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return {};
}

// fsync on the directory makes a rename into it durable.
void sync_directory(const fs::path& dir) {
  const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) return;
  ::fsync(d);
  ::close(d);
}

std::string hex(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), kDigits[v & 15]);
    v >>= 4;
  } while (v != 0);
  return out;
}

class LocalWriter final : public BlobWriter {
 public:
  LocalWriter(asio::thread_pool& pool, FdPtr fd, fs::path temp, fs::path final_path, bool sync)
      : pool_(pool),
        fd_(std::move(fd)),
        temp_(std::move(temp)),
        final_(std::move(final_path)),
        sync_(sync) {}

  ~LocalWriter() override {
    // Last resort (a coroutine torn down mid-upload, e.g. at shutdown): one unlink on whatever
    // thread this is. The normal paths abort() or commit() through the pool first.
    if (state_ == State::open) ::unlink(temp_.c_str());
  }

  uint64_t bytes_written() const override { return written_; }

  asio::awaitable<Result<void>> write(std::string data) override {
    if (state_ != State::open) co_return Error::invalid("blob writer is finished");
    const size_t n = data.size();
    auto task = [fd = fd_, data = std::move(data)]() -> Result<void> {
      return write_all(fd->fd, data.data(), data.size());
    };
    auto written = co_await offload(pool_, std::move(task));
    if (!written) co_return written;
    written_ += n;
    co_return Result<void>{};
  }

  asio::awaitable<Result<void>> commit() override {
    if (state_ != State::open) co_return Error::invalid("blob writer is finished");
    state_ = State::committing;
    auto task = [fd = fd_, temp = temp_, final_path = final_, sync = sync_]() -> Result<void> {
      if (sync && ::fdatasync(fd->fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return Error::unavailable(errno_text("fdatasync", err));
      }
      if (::rename(temp.c_str(), final_path.c_str()) != 0) {
        int err = errno;
        if (err == ENOENT) {  // a key in a directory that does not exist yet
          std::error_code ec;
          fs::create_directories(final_path.parent_path(), ec);
          err = ::rename(temp.c_str(), final_path.c_str()) == 0 ? 0 : errno;
        }
        if (err != 0) {
          ::unlink(temp.c_str());
          return Error::unavailable(errno_text("rename", err));
        }
      }
      if (sync) sync_directory(final_path.parent_path());
      return {};
    };
    auto done = co_await offload(pool_, std::move(task));
    state_ = done ? State::committed : State::aborted;  // a failed commit removed the temp file
    co_return done;
  }

  asio::awaitable<void> abort() override {
    if (state_ != State::open) co_return;
    state_ = State::aborted;
    auto task = [temp = temp_]() -> int { return ::unlink(temp.c_str()); };
    co_await offload(pool_, std::move(task));
  }

 private:
  enum class State { open, committing, committed, aborted };
  asio::thread_pool& pool_;
  FdPtr fd_;
  fs::path temp_;
  fs::path final_;
  bool sync_;
  uint64_t written_ = 0;
  State state_ = State::open;
};

class LocalReader final : public BlobReader {
 public:
  LocalReader(asio::thread_pool& pool, FdPtr fd, uint64_t size, std::string etag)
      : pool_(pool), fd_(std::move(fd)), size_(size), etag_(std::move(etag)) {}

  uint64_t size() const override { return size_; }
  const std::string& etag() const override { return etag_; }

  asio::awaitable<Result<std::string>> read(uint64_t offset, size_t max) override {
    auto task = [fd = fd_, offset, max]() -> Result<std::string> {
      std::string buf(max, '\0');
      size_t got = 0;
      while (got < max) {
        const ssize_t r =
            ::pread(fd->fd, buf.data() + got, max - got, static_cast<off_t>(offset + got));
        if (r < 0) {
          if (errno == EINTR) continue;
          return Error::unavailable(errno_text("pread", errno));
        }
        if (r == 0) break;  // end of file
        got += static_cast<size_t>(r);
      }
      buf.resize(got);
      return buf;
    };
    co_return co_await offload(pool_, std::move(task));
  }

 private:
  asio::thread_pool& pool_;
  FdPtr fd_;
  uint64_t size_;
  std::string etag_;
};

}  // namespace

Result<std::unique_ptr<LocalBlobStore>> LocalBlobStore::make(Options options) {
  if (options.root.empty()) return Error::invalid("upload directory is empty");
  std::error_code ec;
  fs::path root = fs::absolute(options.root, ec);
  if (ec) return Error::invalid("upload directory " + options.root + ": " + ec.message());
  for (const fs::path& dir : {root, root / "profiles", root / kTempDir}) {
    fs::create_directories(dir, ec);
    if (ec) return Error::unavailable("cannot create " + dir.string() + ": " + ec.message());
  }
  // Temp files are uploads that never completed: an earlier process died mid-upload.
  for (const auto& entry : fs::directory_iterator(root / kTempDir, ec)) {
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
  options.root = root.string();
  if (options.threads == 0) options.threads = 1;
  return std::make_unique<LocalBlobStore>(std::move(options));
}

LocalBlobStore::LocalBlobStore(Options options)
    : options_(std::move(options)), pool_(options_.threads) {
  name_pool_threads(pool_, options_.threads, "file-io");
}

LocalBlobStore::~LocalBlobStore() {
  close();
}

void LocalBlobStore::close() {
  pool_.join();
}

asio::awaitable<Result<std::unique_ptr<BlobWriter>>> LocalBlobStore::create(std::string key) {
  if (!is_safe_key(key)) co_return Error::invalid("unsafe blob key");
  const fs::path root = options_.root;
  fs::path temp = root / kTempDir / (chat::random_hex(12) + ".part");
  fs::path final_path = root / key;
  auto task = [temp]() -> Result<int> {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Error::unavailable(errno_text("open " + temp.string(), errno));
    return fd;
  };
  auto opened = co_await offload(pool_, std::move(task));
  if (!opened) co_return opened.error();
  auto fd = std::make_shared<Fd>(opened.value());
  std::unique_ptr<BlobWriter> writer = std::make_unique<LocalWriter>(
      pool_, std::move(fd), std::move(temp), std::move(final_path), options_.sync);
  co_return writer;
}

asio::awaitable<Result<std::unique_ptr<BlobReader>>> LocalBlobStore::open(std::string key) {
  if (!is_safe_key(key)) co_return Error::invalid("unsafe blob key");
  fs::path path = fs::path(options_.root) / key;
  struct Opened {
    int fd;
    uint64_t size;
    std::string etag;
  };
  auto task = [path]() -> Result<Opened> {
    // O_NOFOLLOW: a symlink planted in the upload dir is not followed out of it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      const int err = errno;
      if (err == ENOENT || err == ENOTDIR || err == ELOOP) return Error::not_found();
      return Error::unavailable(errno_text("open", err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Error::not_found();
    }
    const uint64_t mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                              static_cast<uint64_t>(st.st_mtim.tv_nsec);
    const auto size = static_cast<uint64_t>(st.st_size);
    return Opened{fd, size, "\"" + hex(size) + "-" + hex(mtime_ns) + "\""};
  };
  auto opened = co_await offload(pool_, std::move(task));
  if (!opened) co_return opened.error();
  auto fd = std::make_shared<Fd>(opened->fd);
  std::unique_ptr<BlobReader> reader =
      std::make_unique<LocalReader>(pool_, std::move(fd), opened->size, std::move(opened->etag));
  co_return reader;
}

asio::awaitable<Result<void>> LocalBlobStore::remove(std::string key) {
  if (!is_safe_key(key)) co_return Error::invalid("unsafe blob key");
  fs::path path = fs::path(options_.root) / key;
  auto task = [path]() -> Result<void> {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return Error::unavailable(errno_text("unlink", errno));
    return {};
  };
  co_return co_await offload(pool_, std::move(task));
}

}  // namespace parley::files

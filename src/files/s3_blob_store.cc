// See s3_blob_store.h.
#include "files/s3_blob_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "files/s3_xml.h"

namespace parley::files {

namespace {

std::string quoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return std::string(etag);
  return "\"" + std::string(etag) + "\"";
}

class S3Writer final : public BlobWriter {
 public:
  S3Writer(S3Client& client, std::string key) : client_(client), key_(std::move(key)) {}

  ~S3Writer() override {
    // A coroutine torn down mid-upload (shutdown): the abort cannot be awaited, so it is sent
    // and only logged. The normal paths commit() or abort() first.
    if (state_ == State::open && !upload_id_.empty()) client_.send_detached(abort_call());
  }

  uint64_t bytes_written() const override { return written_; }

  asio::awaitable<Result<void>> write(std::string data) override {
    if (state_ != State::open) co_return Error::invalid("blob writer is finished");
    const uint64_t part = client_.options().part_bytes;
    if (buffer_.capacity() < part + data.size()) buffer_.reserve(part + data.size());
    buffer_.append(data);
    written_ += data.size();
    if (buffer_.size() < part) co_return Result<void>{};
    if (upload_id_.empty()) {
      auto started = co_await initiate();
      if (!started) co_return started.error();
    }
    auto sent = co_await send_part();
    if (!sent) co_return sent.error();
    co_return Result<void>{};
  }

  asio::awaitable<Result<void>> commit() override {
    if (state_ != State::open) co_return Error::invalid("blob writer is finished");
    state_ = State::committing;
    if (upload_id_.empty()) {  // it all fitted in one part: one PUT
      S3Client::Call put{"PUT", key_};
      put.body = std::make_shared<const std::string>(std::move(buffer_));
      auto done = co_await client_.send(std::move(put));
      state_ = done ? State::committed : State::aborted;
      if (!done) co_return done.error();
      co_return Result<void>{};
    }
    if (!buffer_.empty()) {
      auto sent = co_await send_part();
      if (!sent) {
        co_await abort_upload();
        co_return sent.error();
      }
    }
    S3Client::Call complete{"POST", key_, {{"uploadId", upload_id_}}};
    complete.body = std::make_shared<const std::string>(s3xml::complete_multipart_body(parts_));
    auto done = co_await client_.send(std::move(complete));
    // S3 may answer 200 and still report an error in the body (a failure after the headers).
    if (done) {
      if (auto e = s3xml::parse_error(done->body))
        done = Error::internal("complete multipart upload: " + e->code + ": " + e->message);
    }
    if (!done) {
      co_await abort_upload();
      co_return done.error();
    }
    state_ = State::committed;
    co_return Result<void>{};
  }

  asio::awaitable<void> abort() override {
    if (state_ == State::committed || state_ == State::aborted) co_return;
    co_await abort_upload();
  }

 private:
  enum class State { open, committing, committed, aborted };

  S3Client::Call abort_call() const { return {"DELETE", key_, {{"uploadId", upload_id_}}}; }

  asio::awaitable<void> abort_upload() {
    state_ = State::aborted;
    buffer_ = std::string();
    if (upload_id_.empty()) co_return;
    auto done = co_await client_.send(abort_call());
    if (!done) {
      spdlog::warn("s3: abort multipart upload of {} ({}): {}", key_, upload_id_,
                   done.error().detail);
    }
    upload_id_.clear();
  }

  asio::awaitable<Result<void>> initiate() {
    S3Client::Call call{"POST", key_, {{"uploads", ""}}};
    auto answer = co_await client_.send(std::move(call));
    if (!answer) co_return answer.error();
    auto id = s3xml::element_text(answer->body, "UploadId");
    if (!id || id->empty()) co_return Error::internal("initiate multipart upload: no UploadId");
    upload_id_ = std::move(*id);
    co_return Result<void>{};
  }

  // Sends the whole buffer as the next part and waits for it. The buffer is the only copy of
  // those bytes; once the part is stored it comes back (emptied, capacity kept) for the next
  // part, so an upload allocates its part buffer once instead of once per part.
  asio::awaitable<Result<void>> send_part() {
    const int number = static_cast<int>(parts_.size()) + 1;
    S3Client::Call call{
        "PUT", key_, {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}}};
    auto body = std::make_shared<std::string>(std::move(buffer_));
    buffer_ = std::string();
    call.body = body;
    auto answer = co_await client_.send(std::move(call));
    if (body.use_count() == 1) {  // the request let go of it (see curlio/request.cc)
      buffer_ = std::move(*body);
      buffer_.clear();
    }
    body.reset();
    if (!answer) co_return answer.error();
    const std::string_view etag = answer->header("etag");
    if (etag.empty()) co_return Error::internal("upload part: no ETag in the answer");
    parts_.emplace_back(number, std::string(etag));
    co_return Result<void>{};
  }

  S3Client& client_;
  std::string key_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::pair<int, std::string>> parts_;
  uint64_t written_ = 0;
  State state_ = State::open;
};

// One ranged GET, possibly started before it is needed (read-ahead). Shared by the reader and
// the coroutine filling it, so a reader dropped mid-download (client gone) lets the request end
// on its own. Both run on the reader's executor (one event loop), so no lock is needed: the
// filler sets `result` and cancels `wake`; the reader waits on `wake` until `result` is set.
struct Fetch {
  Fetch(asio::any_io_executor ex, uint64_t off, uint64_t len)
      : offset(off), length(len), wake(ex, asio::steady_timer::time_point::max()) {}
  uint64_t offset;
  uint64_t length;
  std::optional<Result<curlio::HttpResponse>> result;
  asio::steady_timer wake;
};

asio::awaitable<void> fill(std::shared_ptr<Fetch> f, S3Client& client, S3Client::Call call) {
  auto answer = co_await client.send(std::move(call));
  f->result.emplace(std::move(answer));
  f->wake.cancel();
}

class S3Reader final : public BlobReader {
 public:
  S3Reader(S3Client& client, std::string key, uint64_t size, std::string etag)
      : client_(client), key_(std::move(key)), size_(size), etag_(std::move(etag)) {}

  uint64_t size() const override { return size_; }
  const std::string& etag() const override { return etag_; }

  // Serves from the current window; past it, takes the window read ahead (or fetches the one
  // asked for, after a seek) and starts reading the next, so the storage works on window N+1
  // while window N goes out to the client. At most two windows per download are in memory.
  asio::awaitable<Result<std::string>> read(uint64_t offset, size_t max) override {
    if (offset >= size_ || max == 0) co_return std::string();
    if (offset < window_offset_ || offset >= window_offset_ + window_.size()) {
      auto ex = co_await asio::this_coro::executor;
      std::shared_ptr<Fetch> f = std::move(next_);
      if (!f || f->offset != offset) f = start(ex, offset);
      window_ = std::string();  // the old window goes before the new one arrives
      auto got = co_await take(*f);
      if (!got) co_return got.error();
      window_ = std::move(got.value());
      window_offset_ = offset;
      if (const uint64_t after = offset + window_.size(); after < size_) next_ = start(ex, after);
    }
    const size_t at = static_cast<size_t>(offset - window_offset_);
    const size_t n = std::min(max, window_.size() - at);
    co_return window_.substr(at, n);
  }

 private:
  std::shared_ptr<Fetch> start(const asio::any_io_executor& ex, uint64_t offset) {
    const uint64_t last = std::min(size_, offset + client_.options().read_bytes) - 1;
    auto f = std::make_shared<Fetch>(ex, offset, last - offset + 1);
    S3Client::Call get{"GET", key_};
    get.headers.emplace_back("range",
                             "bytes=" + std::to_string(offset) + "-" + std::to_string(last));
    get.max_response_bytes = static_cast<size_t>(f->length);
    get.reserve_response_bytes = static_cast<size_t>(f->length);
    asio::co_spawn(ex, fill(f, client_, std::move(get)), asio::detached);
    return f;
  }

  asio::awaitable<Result<std::string>> take(Fetch& f) {
    while (!f.result) {
      boost::system::error_code ec;  // operation_aborted: woken by fill()
      co_await f.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    auto& answer = *f.result;
    if (!answer) co_return answer.error();
    if (answer->body.size() != f.length)
      co_return Error::unavailable("ranged GET of " + key_ + " returned " +
                                   std::to_string(answer->body.size()) + " bytes, wanted " +
                                   std::to_string(f.length));
    co_return std::move(answer->body);
  }

  S3Client& client_;
  std::string key_;
  uint64_t size_;
  std::string etag_;
  std::string window_;
  uint64_t window_offset_ = 0;
  std::shared_ptr<Fetch> next_;  // the window read ahead, if any
};

}  // namespace

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::make(S3Options options) {
  auto runner = curlio::MultiRunner::start("s3-io");
  if (!runner) return runner.error();
  auto client = S3Client::make(std::move(options), *runner.value());
  if (!client) return client.error();
  return std::make_unique<S3BlobStore>(std::move(runner.value()), std::move(client.value()));
}

S3BlobStore::S3BlobStore(std::unique_ptr<curlio::MultiRunner> runner,
                         std::unique_ptr<S3Client> client)
    : runner_(std::move(runner)), client_(std::move(client)) {}

S3BlobStore::~S3BlobStore() {
  close();
}

void S3BlobStore::close() {
  runner_->shutdown();
}

asio::awaitable<Result<std::unique_ptr<BlobWriter>>> S3BlobStore::create(std::string key) {
  if (!is_safe_key(key)) co_return Error::invalid("unsafe blob key");
  std::unique_ptr<BlobWriter> writer = std::make_unique<S3Writer>(*client_, std::move(key));
  co_return writer;
}

asio::awaitable<Result<std::unique_ptr<BlobReader>>> S3BlobStore::open(std::string key) {
  if (!is_safe_key(key)) co_return Error::invalid("unsafe blob key");
  auto answer = co_await client_->send(S3Client::Call{"HEAD", key});
  if (!answer) co_return answer.error();
  uint64_t size = 0;
  const std::string_view length = answer->header("content-length");
  auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), size);
  if (length.empty() || ec != std::errc{} || ptr != length.data() + length.size())
    co_return Error::unavailable("HEAD " + key + ": no usable Content-Length");
  const std::string_view etag = answer->header("etag");
  if (etag.empty()) co_return Error::unavailable("HEAD " + key + ": no ETag");
  std::unique_ptr<BlobReader> reader =
      std::make_unique<S3Reader>(*client_, std::move(key), size, quoted(etag));
  co_return reader;
}

asio::awaitable<Result<void>> S3BlobStore::remove(std::string key) {
  if (!is_safe_key(key)) co_return Error::invalid("unsafe blob key");
  auto done = co_await client_->send(S3Client::Call{"DELETE", key});
  if (!done && done.error().kind != Error::Kind::not_found) co_return done.error();
  co_return Result<void>{};
}

std::optional<std::string> S3BlobStore::download_url(const std::string& key,
                                                     std::string_view content_type,
                                                     std::string_view disposition) {
  if (!client_->options().presign_downloads || !is_safe_key(key)) return std::nullopt;
  sigv4::Pairs overrides;
  if (!content_type.empty()) overrides.emplace_back("response-content-type", content_type);
  if (!disposition.empty()) overrides.emplace_back("response-content-disposition", disposition);
  return client_->presigned_get(key, overrides);
}

}  // namespace parley::files

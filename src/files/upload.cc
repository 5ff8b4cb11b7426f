// See upload.h. Writes are batched (kWriteBatch) so the disk sees few large writes rather than
// one per network read, and each batch is handed to the blob store by value.
#include "files/upload.h"

#include <optional>

#include "core/clock.h"
#include "files/multipart.h"

namespace parley::files {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kWriteBatch = 256 * 1024;

// The batch collected so far (empty: nothing to write), leaving a fresh batch behind.
std::string take_batch(std::string& pending) {
  std::string batch = std::move(pending);
  pending = std::string();
  pending.reserve(kWriteBatch);
  return batch;
}

Error invalid(std::string_view text) {
  return Error::invalid(std::string(text));
}

// Reads and drops the rest of the body (the multipart epilogue), so the connection stays usable.
asio::awaitable<Result<void>> drain(net::BodyStream& body, std::string& scratch) {
  for (;;) {
    auto buffer = asio::buffer(scratch);
    auto n = co_await body.read_some(buffer);
    if (!n) co_return Error::unavailable(n.error().detail);
    if (*n == 0) co_return Result<void>{};
  }
}

// GCC 12 inlines asio's frame allocation (aligned_alloc) into this coroutine's ramp but not the
// matching deallocation, and then reports the pair as mismatched: a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

asio::awaitable<Result<StoredUpload>> receive(net::BodyStream& body, const UploadRequest& request,
                                              BlobStore& blobs,
                                              std::unique_ptr<BlobWriter>& writer) {
  const std::string_view missing = missing_file_text(request.purpose);
  auto boundary = multipart_boundary(request.content_type);
  if (!boundary) co_return invalid(missing);

  MultipartParser parser{std::move(*boundary)};
  std::string chunk(kReadChunk, '\0');
  std::string pending;
  std::optional<AcceptedPart> accepted;
  StoredUpload out;
  bool in_file_part = false;
  bool have_file = false;
  bool body_done = false;

  for (bool parsing = true; parsing;) {
    switch (parser.next()) {
      case MultipartParser::Event::need_more: {
        if (body_done) {
          parser.finish();
          break;
        }
        auto buffer = asio::buffer(chunk);
        auto n = co_await body.read_some(buffer);
        if (!n) co_return Error::unavailable(n.error().detail);
        if (*n == 0) {
          body_done = true;
          parser.finish();
        } else {
          parser.feed(std::string_view(chunk.data(), *n));
        }
        break;
      }
      case MultipartParser::Event::part_begin: {
        const PartHeader& h = parser.header();
        // The first file part of the expected field is the upload; any other part is skipped
        // (its bytes still count against the request cap).
        if (have_file || writer || h.name != request.field || !h.filename) break;
        auto checked = check_part(request.purpose, *h.filename, h.content_type, request.limits);
        if (!checked) co_return checked.error();
        accepted = std::move(checked.value());
        out.filename = make_stored_name(accepted->extension, now_ms());
        out.key = request.key_prefix + out.filename;
        auto created = co_await blobs.create(out.key);
        if (!created) co_return Error::internal("creating blob: " + created.error().detail);
        writer = std::move(created.value());
        pending.reserve(kWriteBatch);
        in_file_part = true;
        break;
      }
      case MultipartParser::Event::data: {
        if (!in_file_part) break;
        const std::string_view data = parser.data();
        out.size += data.size();
        if (out.size > accepted->max_bytes) co_return invalid(accepted->too_large_text);
        pending.append(data);
        if (pending.size() >= kWriteBatch) {
          std::string batch = take_batch(pending);
          auto written = co_await writer->write(std::move(batch));
          if (!written) co_return Error::internal("writing blob: " + written.error().detail);
        }
        break;
      }
      case MultipartParser::Event::part_end: {
        if (!in_file_part) break;
        in_file_part = false;
        have_file = true;
        if (!pending.empty()) {
          std::string last = take_batch(pending);
          auto written = co_await writer->write(std::move(last));
          if (!written) co_return Error::internal("writing blob: " + written.error().detail);
        }
        break;
      }
      case MultipartParser::Event::done: {
        parsing = false;
        if (!body_done) {
          auto drained = co_await drain(body, chunk);
          if (!drained) co_return Error::unavailable(drained.error().detail);
        }
        break;
      }
      case MultipartParser::Event::error:
        co_return invalid(missing);  // malformed: no usable file arrived
    }
  }

  if (!have_file) co_return invalid(missing);
  if (out.size == 0) co_return invalid(accepted->empty_text);
  auto committed = co_await writer->commit();
  if (!committed) co_return Error::internal("committing blob: " + committed.error().detail);
  out.originalname = std::move(accepted->originalname);
  out.mimetype = std::move(accepted->mimetype);
  co_return out;
}

}  // namespace

asio::awaitable<Result<StoredUpload>> receive_upload(net::BodyStream& body, UploadRequest request,
                                                     BlobStore& blobs) {
  std::unique_ptr<BlobWriter> writer;
  auto result = co_await receive(body, request, blobs, writer);
  if (!result && writer) co_await writer->abort();  // after commit() this is a no-op
  co_return result;
}

#pragma GCC diagnostic pop

}  // namespace parley::files

// See blob_body.h.
#include "files/blob_body.h"

#include <algorithm>

namespace parley::files {

asio::awaitable<Result<std::string_view>> BlobBody::next() {
  if (remaining_ == 0) co_return std::string_view{};
  const auto want = static_cast<size_t>(std::min<uint64_t>(remaining_, kChunk));
  auto read = co_await reader_->read(offset_, want);
  if (!read) co_return read.error();
  // A blob that shrank under us would leave the announced Content-Length unmet: fail loudly.
  if (read->empty()) co_return Error::unavailable("blob ended early");
  chunk_ = std::move(read.value());
  offset_ += chunk_.size();
  remaining_ -= chunk_.size();
  co_return std::string_view{chunk_};
}

}  // namespace parley::files

// See codec.h. The reader builds redis::Reply directly (custom object functions) instead of
// hiredis's redisReply tree, so there is one allocation per node and no second copy; the
// functions also enforce DecoderLimits::max_elements.
#include "redis/codec.h"

#include <hiredis/hiredis.h>

#include <memory>

namespace parley::redis {

void encode_command(const std::vector<std::string>& argv, std::string& out) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  char* target = nullptr;
  const int n =
      redisFormatCommandArgv(&target, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  if (n > 0 && target) out.append(target, static_cast<size_t>(n));
  redisFreeCommand(target);
}

std::string encode_command(const std::vector<std::string>& argv) {
  std::string out;
  encode_command(argv, out);
  return out;
}

namespace {

// The reader's privdata: the limits of the Decoder that owns it.
struct ReaderContext {
  int max_elements;
};

// A child is built in place inside its parent's elements (sized by create_array); only a root
// is heap-allocated and handed to hiredis, which frees it with free_object on error.
Reply* place(const redisReadTask* task) {
  if (!task->parent) return new Reply();
  auto* parent = static_cast<Reply*>(task->parent->obj);
  if (!parent || task->idx < 0 || static_cast<size_t>(task->idx) >= parent->elements.size())
    return nullptr;
  return &parent->elements[static_cast<size_t>(task->idx)];
}

void* create_string(const redisReadTask* task, char* str, size_t len) {
  Reply* r = place(task);
  if (!r) return nullptr;
  r->type = task->type == REDIS_REPLY_ERROR    ? Reply::Type::error
            : task->type == REDIS_REPLY_STATUS ? Reply::Type::status
                                               : Reply::Type::string;
  r->str.assign(str, len);
  return r;
}

void* create_array(const redisReadTask* task, int elements) {
  // hiredis copies the reader's privdata (our ReaderContext) into every task.
  const auto* ctx = static_cast<const ReaderContext*>(task->privdata);
  if (elements < 0 || (ctx && elements > ctx->max_elements)) return nullptr;
  Reply* r = place(task);
  if (!r) return nullptr;
  r->type = Reply::Type::array;
  r->elements.resize(static_cast<size_t>(elements));
  return r;
}

void* create_integer(const redisReadTask* task, long long value) {
  Reply* r = place(task);
  if (!r) return nullptr;
  r->type = Reply::Type::integer;
  r->integer = value;
  return r;
}

void* create_nil(const redisReadTask* task) {
  Reply* r = place(task);
  if (!r) return nullptr;
  r->type = Reply::Type::nil;
  return r;
}

void free_object(void* obj) {
  delete static_cast<Reply*>(obj);
}

redisReplyObjectFunctions kFunctions = {create_string, create_array, create_integer, create_nil,
                                        free_object};

}  // namespace

Decoder::Decoder(DecoderLimits limits) : limits_(limits) {
  reader_ = redisReaderCreateWithFunctions(&kFunctions);
  if (!reader_) {
    error_ = "out of memory";
    return;
  }
  reader_->privdata = new ReaderContext{limits_.max_elements};
}

Decoder::~Decoder() {
  if (reader_) {
    delete static_cast<ReaderContext*>(reader_->privdata);
    redisReaderFree(reader_);
  }
}

Result<void> Decoder::feed(std::string_view bytes) {
  if (!error_.empty()) return Error::invalid("protocol error: " + error_);
  if (bytes.empty()) return {};
  if (reader_->len - reader_->pos + bytes.size() > limits_.max_buffered) {
    error_ = "reply larger than " + std::to_string(limits_.max_buffered) + " bytes";
    return Error::invalid("protocol error: " + error_);
  }
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) {
    error_ = reader_->errstr[0] ? reader_->errstr : "cannot buffer input";
    return Error::invalid("protocol error: " + error_);
  }
  return {};
}

Result<std::optional<Reply>> Decoder::next() {
  if (!error_.empty()) return Error::invalid("protocol error: " + error_);
  void* obj = nullptr;
  if (redisReaderGetReply(reader_, &obj) != REDIS_OK) {
    error_ = reader_->errstr[0] ? reader_->errstr : "malformed reply";
    return Error::invalid("protocol error: " + error_);
  }
  if (!obj) return std::optional<Reply>();
  std::unique_ptr<Reply> root(static_cast<Reply*>(obj));
  return std::optional<Reply>(std::move(*root));
}

Result<std::vector<Reply>> decode_all(std::string_view bytes, DecoderLimits limits) {
  Decoder d(limits);
  if (auto fed = d.feed(bytes); !fed) return fed.error();
  std::vector<Reply> out;
  for (;;) {
    auto r = d.next();
    if (!r) return r.error();
    if (!r.value()) return out;
    out.push_back(std::move(*r.value()));
  }
}

}  // namespace parley::redis

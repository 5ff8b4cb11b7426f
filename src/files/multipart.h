// An incremental multipart/form-data parser (RFC 7578 / RFC 2046) for streamed uploads. Bytes
// are fed as they arrive; events are pulled one at a time, so a coroutine can await a disk write
// between them. Memory stays bounded whatever the body size: part data is handed out as soon as
// it cannot be the start of a boundary, and only a part's header block (capped) is ever held
// whole.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::files {

// The boundary parameter of a multipart/form-data Content-Type, or nullopt if the value is not
// multipart/form-data with a usable boundary (1..70 characters).
std::optional<std::string> multipart_boundary(std::string_view content_type);

struct PartHeader {
  std::string name;                     // the form field name
  std::optional<std::string> filename;  // present for file parts ("" for an empty file input)
  std::string content_type;             // as sent; "" when absent
};

class MultipartParser {
 public:
  enum class Event {
    need_more,   // feed() more input (or finish())
    part_begin,  // header() describes the new part
    data,        // data() holds the next bytes of the current part
    part_end,    // the current part is complete
    done,        // the closing boundary was seen; later input is ignored (epilogue)
    error,       // malformed; error() says why. Final.
  };

  static constexpr size_t kMaxHeaderBytes = 16 * 1024;

  explicit MultipartParser(std::string boundary);

  // Appends input. Views returned by data() are invalidated by the next feed() or next().
  void feed(std::string_view bytes);
  // No more input will come: a body that ends before the closing boundary is an error.
  void finish();
  Event next();

  const PartHeader& header() const { return header_; }
  std::string_view data() const { return data_; }
  const std::string& error() const { return error_; }

 private:
  enum class State { preamble, after_boundary, headers, body, epilogue, failed };
  Event fail(std::string why);
  void compact();
  bool parse_headers(std::string_view block);

  std::string delimiter_;  // "\r\n--" + boundary
  std::string buf_;
  size_t pos_ = 0;  // consumed prefix of buf_
  State state_ = State::preamble;
  bool finished_ = false;
  PartHeader header_;
  std::string_view data_;
  std::string error_;
};

// Parameters of a header value such as `form-data; name="file"; filename="a.png"`: the value
// of `key` (case-insensitive), unquoted and unescaped; nullopt if absent. `filename*` in the
// RFC 5987 form (UTF-8''%xx) is decoded by the caller's choice of key.
std::optional<std::string> header_parameter(std::string_view value, std::string_view key);

}  // namespace parley::files

// Server-sent events (the WHATWG "event stream" format) decoded incrementally: bytes go in as
// they arrive from the network, split anywhere, and each complete event's data comes out.
// Only `data` fields matter to chat-completions streams; comments (": keep-alive") and the other
// fields (event, id, retry) are skipped. Lines may end in LF, CRLF or CR.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace parley::ai {

class SseParser {
 public:
  enum class Status {
    more,       // all bytes consumed; waiting for more
    stopped,    // the callback asked to stop; the rest of the input was not looked at
    too_large,  // an event (or a line) grew beyond max_event_bytes
  };
  // Receives the data of one event (its data lines joined with '\n'); returns false to stop.
  using OnData = std::function<bool(std::string_view data)>;

  explicit SseParser(size_t max_event_bytes = 1 << 20) : max_event_bytes_(max_event_bytes) {}

  Status feed(std::string_view bytes, const OnData& on_data);

 private:
  // False when the callback asked to stop.
  bool line(std::string_view text, const OnData& on_data);

  size_t max_event_bytes_;
  std::string line_;       // the current line, not yet terminated
  std::string data_;       // data lines of the current event, each followed by '\n'
  bool has_data_ = false;  // a data field was seen (possibly empty)
  bool after_cr_ = false;  // the previous byte was CR: an LF right after it ends nothing
  bool started_ = false;   // past the optional byte-order mark at the very start
};

}  // namespace parley::ai

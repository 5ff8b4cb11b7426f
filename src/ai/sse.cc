// See sse.h. The dispatch rules follow the WHATWG spec: an event is dispatched at a blank line,
// only when it had a data field; a partial event at the end of the stream is dropped.
#include "ai/sse.h"

namespace parley::ai {

namespace {
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}

SseParser::Status SseParser::feed(std::string_view bytes, const OnData& on_data) {
  if (!started_) {
    // The BOM may itself arrive split; hold bytes until we know whether it is one.
    line_.append(bytes);
    if (line_.size() < kBom.size() && kBom.starts_with(line_)) return Status::more;
    started_ = true;
    std::string held = std::move(line_);
    line_.clear();
    std::string_view rest = held;
    if (rest.starts_with(kBom)) rest.remove_prefix(kBom.size());
    return feed(rest, on_data);
  }
  while (!bytes.empty()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes.front() == '\n') {
        bytes.remove_prefix(1);
        continue;
      }
    }
    const size_t end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      line_.append(bytes);
      if (line_.size() + data_.size() > max_event_bytes_) return Status::too_large;
      return Status::more;
    }
    // The same cap whether the line arrived in one read or in several (the check above only sees
    // the unterminated part): a long ignored line must not pass just because it came whole.
    if (line_.size() + end + data_.size() > max_event_bytes_) return Status::too_large;
    after_cr_ = bytes[end] == '\r';
    bool go_on;
    if (line_.empty()) {
      go_on = line(bytes.substr(0, end), on_data);
    } else {
      line_.append(bytes.substr(0, end));
      std::string whole = std::move(line_);
      line_.clear();
      go_on = line(whole, on_data);
    }
    bytes.remove_prefix(end + 1);
    if (!go_on) return Status::stopped;
    if (data_.size() > max_event_bytes_) return Status::too_large;
  }
  return Status::more;
}

bool SseParser::line(std::string_view text, const OnData& on_data) {
  if (text.empty()) {
    if (!has_data_) return true;
    std::string event = std::move(data_);
    data_.clear();
    has_data_ = false;
    event.pop_back();  // the '\n' after the last data line
    return on_data(event);
  }
  if (text.front() == ':') return true;  // a comment, e.g. a keep-alive
  const size_t colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  if (field != "data") return true;  // event, id, retry: not used by chat-completions streams
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  data_.append(value);
  data_.push_back('\n');
  has_data_ = true;
  return true;
}

}  // namespace parley::ai

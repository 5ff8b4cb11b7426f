// See multipart.h. The buffer starts with a virtual CRLF so the first boundary, which may open
// the body directly, is found by the same search as every later "\r\n--boundary".
#include "files/multipart.h"

#include "core/ascii.h"
#include "core/percent.h"

#include <cctype>

namespace parley::files {

namespace {

// RFC 5987 ext-value: charset "'" [language] "'" pct-encoded; only UTF-8 is accepted.
std::optional<std::string> decode_ext_value(std::string_view v) {
  const size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return std::nullopt;
  const size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos || !ascii::iequals(v.substr(0, q1), "utf-8"))
    return std::nullopt;
  return parley::percent_decode(v.substr(q2 + 1));
}

}  // namespace

std::optional<std::string> header_parameter(std::string_view value, std::string_view key) {
  size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
      ++i;
    const size_t eq = value.find_first_of("=;", i);
    if (eq == std::string_view::npos || value[eq] == ';') {
      i = eq;
      continue;
    }
    const std::string_view name = ascii::trim_ows(value.substr(i, eq - i));
    size_t j = eq + 1;
    while (j < value.size() && (value[j] == ' ' || value[j] == '\t'))
      ++j;
    std::string parsed;
    if (j < value.size() && value[j] == '"') {
      ++j;
      while (j < value.size() && value[j] != '"') {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        parsed.push_back(value[j]);
        ++j;
      }
      if (j < value.size()) ++j;  // closing quote
      i = value.find(';', j);
    } else {
      const size_t end = value.find(';', j);
      parsed = std::string(
          ascii::trim_ows(value.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end;
    }
    if (ascii::iequals(name, key)) return parsed;
  }
  return std::nullopt;
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const std::string_view type = ascii::trim_ows(content_type.substr(0, content_type.find(';')));
  if (!ascii::iequals(type, "multipart/form-data")) return std::nullopt;
  auto boundary = header_parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  for (char c : *boundary) {
    if (c == '\r' || c == '\n') return std::nullopt;
  }
  return boundary;
}

MultipartParser::MultipartParser(std::string boundary)
    : delimiter_("\r\n--" + boundary), buf_("\r\n") {}

void MultipartParser::feed(std::string_view bytes) {
  data_ = {};
  compact();
  if (state_ == State::epilogue || state_ == State::failed) return;  // nothing more to parse
  buf_.append(bytes);
}

void MultipartParser::finish() {
  finished_ = true;
}

void MultipartParser::compact() {
  if (pos_ == 0) return;
  buf_.erase(0, pos_);
  pos_ = 0;
}

MultipartParser::Event MultipartParser::fail(std::string why) {
  state_ = State::failed;
  error_ = std::move(why);
  buf_.clear();
  pos_ = 0;
  return Event::error;
}

bool MultipartParser::parse_headers(std::string_view block) {
  header_ = PartHeader{};
  bool disposition = false;
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view name = ascii::trim_ows(line.substr(0, colon));
    const std::string_view value = ascii::trim_ows(line.substr(colon + 1));
    if (ascii::iequals(name, "content-disposition")) {
      disposition = true;
      if (auto v = header_parameter(value, "name")) header_.name = std::move(*v);
      std::optional<std::string> ext;
      if (auto v = header_parameter(value, "filename*")) ext = decode_ext_value(*v);
      if (ext) {
        header_.filename = std::move(ext);
      } else if (auto v = header_parameter(value, "filename")) {
        header_.filename = std::move(*v);
      }
    } else if (ascii::iequals(name, "content-type")) {
      header_.content_type = std::string(value);
    }
  }
  return disposition;
}

MultipartParser::Event MultipartParser::next() {
  data_ = {};
  for (;;) {
    const std::string_view avail(buf_.data() + pos_, buf_.size() - pos_);
    switch (state_) {
      case State::preamble: {
        const size_t i = avail.find(delimiter_);
        if (i == std::string_view::npos) {
          if (finished_) return fail("no multipart boundary in the body");
          // Only the tail can still be the start of the first boundary.
          if (avail.size() >= delimiter_.size()) pos_ += avail.size() - (delimiter_.size() - 1);
          return Event::need_more;
        }
        pos_ += i + delimiter_.size();
        state_ = State::after_boundary;
        continue;
      }
      case State::after_boundary: {
        size_t k = 0;  // transport padding (RFC 2046) before the line break
        while (k < avail.size() && (avail[k] == ' ' || avail[k] == '\t'))
          ++k;
        if (k > 256) return fail("boundary line too long");
        if (avail.size() < k + 2) {
          if (finished_) return fail("body ended after a boundary");
          return Event::need_more;
        }
        if (avail.substr(k, 2) == "--") {
          state_ = State::epilogue;
          continue;
        }
        if (avail.substr(k, 2) != "\r\n") return fail("malformed boundary line");
        pos_ += k + 2;
        state_ = State::headers;
        continue;
      }
      case State::headers: {
        size_t end;
        if (avail.starts_with("\r\n")) {
          end = 0;  // a part without headers
        } else {
          end = avail.find("\r\n\r\n");
          if (end == std::string_view::npos) {
            if (avail.size() > kMaxHeaderBytes) return fail("part headers too large");
            if (finished_) return fail("body ended inside part headers");
            return Event::need_more;
          }
          if (end > kMaxHeaderBytes) return fail("part headers too large");
        }
        if (!parse_headers(avail.substr(0, end))) return fail("part without Content-Disposition");
        pos_ += end == 0 ? 2 : end + 4;
        state_ = State::body;
        return Event::part_begin;
      }
      case State::body: {
        const size_t i = avail.find(delimiter_);
        if (i == 0) {
          pos_ += delimiter_.size();
          state_ = State::after_boundary;
          return Event::part_end;
        }
        size_t safe = i;
        if (i == std::string_view::npos) {
          // Hold back only a tail that could begin the delimiter: it starts with '\r'.
          const size_t keep = delimiter_.size() - 1;
          const size_t tail = avail.size() > keep ? avail.size() - keep : 0;
          const size_t cr = avail.find('\r', tail);
          safe = cr == std::string_view::npos ? avail.size() : cr;
        }
        if (safe > 0) {
          data_ = avail.substr(0, safe);
          pos_ += safe;
          return Event::data;
        }
        if (finished_) return fail("body ended inside a part");
        return Event::need_more;
      }
      case State::epilogue:
        pos_ = buf_.size();
        return Event::done;
      case State::failed:
        return Event::error;
    }
  }
}

}  // namespace parley::files

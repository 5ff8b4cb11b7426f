// Fuzz target: the streaming multipart/form-data parser (src/files/multipart.h). Input: byte 0
// picks how the body is split into feeds; up to the first '\n' is a Content-Type value (its
// boundary is used when multipart_boundary() accepts it, else a fixed one); the rest is the body.
// Invariants: the parts, their bytes, the outcome and the error text do not depend on how the
// body was split; events come in a legal order (data and part_end only inside a part); after
// done or error the parser stays there.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "files/multipart.h"
#include "fuzz_util.h"

using namespace parley;
using Event = files::MultipartParser::Event;

namespace {

struct Part {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string data;
  bool ended = false;
  bool operator==(const Part&) const = default;
};

struct Parsed {
  std::vector<Part> parts;
  bool done = false;
  std::string error;
  bool operator==(const Parsed&) const = default;
};

Parsed parse(const std::string& boundary, const std::vector<std::string_view>& pieces) {
  files::MultipartParser p{boundary};
  Parsed out;
  std::size_t next_piece = 0;
  bool in_part = false;
  for (int guard = 0;; ++guard) {
    FUZZ_CHECK(guard < 1'000'000);
    const Event ev = p.next();
    switch (ev) {
      case Event::need_more:
        if (next_piece < pieces.size()) {
          p.feed(pieces[next_piece++]);
        } else {
          p.finish();
        }
        break;
      case Event::part_begin:
        FUZZ_CHECK(!in_part);
        in_part = true;
        out.parts.push_back({p.header().name, p.header().filename, p.header().content_type, {}});
        break;
      case Event::data:
        FUZZ_CHECK(in_part && !p.data().empty());
        out.parts.back().data.append(p.data());
        break;
      case Event::part_end:
        FUZZ_CHECK(in_part);
        in_part = false;
        out.parts.back().ended = true;
        break;
      case Event::done:
        FUZZ_CHECK(!in_part);
        FUZZ_CHECK(p.next() == Event::done);
        out.done = true;
        return out;
      case Event::error:
        FUZZ_CHECK(!p.error().empty());
        FUZZ_CHECK(p.next() == Event::error);
        out.error = p.error();
        return out;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view in = fuzz::as_view(data + 1, size - 1);
  const std::size_t nl = in.find('\n');
  const std::string_view content_type = in.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? "" : in.substr(nl + 1);

  auto boundary = files::multipart_boundary(content_type);
  if (boundary) FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70);
  (void)files::header_parameter(content_type, "name");
  (void)files::header_parameter(content_type, "filename*");
  const std::string b = boundary ? *boundary : "XyZ";

  const Parsed whole = parse(b, {body});
  const Parsed pieces = parse(b, fuzz::split(body, data[0]));
  FUZZ_CHECK(whole == pieces);
  for (std::size_t i = 0; i + 1 < whole.parts.size(); ++i)
    FUZZ_CHECK(whole.parts[i].ended);
  if (whole.done)
    for (const auto& part : whole.parts)
      FUZZ_CHECK(part.ended);
  return 0;
}

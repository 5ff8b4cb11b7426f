// The little XML S3 answers with: the text of a named element (UploadId of
// InitiateMultipartUpload, ETag of CompleteMultipartUpload) and the Code/Message of an <Error>
// document. Not a general XML parser: S3 replies are flat, namespace-free element text with the
// five predefined entities and numeric character references, and that is all this reads. Also
// the CompleteMultipartUpload request body.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::files::s3xml {

// The unescaped text of the first <name>...</name> (attributes on the start tag allowed), or
// nullopt when there is none.
std::optional<std::string> element_text(std::string_view xml, std::string_view name);

struct S3Error {
  std::string code;     // e.g. "SignatureDoesNotMatch"; "" when the body is no S3 error
  std::string message;  // S3's human-readable text
};
// The <Error> document in `xml`, if it is one.
std::optional<S3Error> parse_error(std::string_view xml);

// &amp; &lt; &gt; &quot; &apos; and &#N; / &#xN; decoded; anything else kept as written.
std::string unescape(std::string_view text);
std::string escape(std::string_view text);

// <CompleteMultipartUpload> listing (part number, ETag as S3 returned it) in order.
std::string complete_multipart_body(const std::vector<std::pair<int, std::string>>& parts);

}  // namespace parley::files::s3xml

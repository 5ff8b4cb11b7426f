// The streaming upload: reads a multipart/form-data request body chunk by chunk, checks the part
// against the upload rules as soon as its headers arrive, and writes its bytes to a new blob as
// they come. The blob is committed only once the body is complete and every rule holds; on any
// failure (rule broken, client gone, storage error) it is aborted, so nothing is left behind.
// Memory per upload is a read buffer plus one write batch, whatever the file size.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "files/blob_store.h"
#include "files/upload_rules.h"
#include "net/http_types.h"

namespace parley::files {

struct UploadRequest {
  Purpose purpose = Purpose::attachment;
  std::string field;         // the form field carrying the file: "file" | "profileImage"
  std::string content_type;  // the request's Content-Type header
  std::string key_prefix;    // blob key prefix: "" (attachments) or "profiles/"
  UploadLimits limits;
};

struct StoredUpload {
  std::string key;           // blob key
  std::string filename;      // stored name (the last key segment)
  std::string originalname;  // sanitised client name
  std::string mimetype;      // normalised client type
  uint64_t size = 0;
};

// Errors: Error::invalid with the contract's client-facing text (answer 400); when the body
// itself failed, Error::unavailable (the client went away or stalled; if body.too_large() the
// request was over the cap: answer 413); Error::internal for storage failures (answer 500).
asio::awaitable<Result<StoredUpload>> receive_upload(net::BodyStream& body, UploadRequest request,
                                                     BlobStore& blobs);

}  // namespace parley::files

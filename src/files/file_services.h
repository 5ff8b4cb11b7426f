// FileServices: what the REST layer needs for files: the blob store holding uploads and profile
// images, and the upload size limits. One instance lives in api::Services.
#pragma once

#include "files/blob_store.h"
#include "files/upload_rules.h"

namespace parley::files {

struct FileServices {
  BlobStore* blobs = nullptr;  // null: file routes answer 503
  UploadLimits limits;
};

}  // namespace parley::files

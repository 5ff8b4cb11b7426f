// The key and name rules every blob store applies (see blob_store.h). They are the last line of
// defence against path traversal: routes validate names too, but a store never trusts them.
#include "files/blob_store.h"

namespace parley::files {

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  if (name.front() == '.') return false;  // ".", "..", hidden files, the temp directory
  if (name.find("..") != std::string_view::npos) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
  }
  return true;
}

bool is_safe_key(std::string_view key) {
  int segments = 0;
  while (true) {
    const size_t slash = key.find('/');
    const std::string_view segment = key.substr(0, slash);
    if (!is_safe_name(segment)) return false;
    if (++segments > 4) return false;
    if (slash == std::string_view::npos) return true;
    key.remove_prefix(slash + 1);
  }
}

}  // namespace parley::files

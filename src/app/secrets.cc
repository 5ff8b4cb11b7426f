// See secrets.h. The file is created with mode 0600 and written atomically (temp + rename), so a
// crash during first start cannot leave a truncated secret behind.
#include "app/secrets.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chat/ids.h"

namespace parley::app {

Result<std::string> load_or_create_secret(const std::string& data_dir) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(data_dir) / "jwt_secret";
  if (std::ifstream in{path}; in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string secret = ss.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
      secret.pop_back();
    if (secret.size() >= 32) return secret;
    return Error::invalid(path.string() + " holds a secret shorter than 32 bytes");
  }
  const std::string secret = chat::random_hex(32);  // 256 bits
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error::unavailable("cannot write " + tmp.string());
  const std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec) return Error::unavailable("cannot write " + path.string());
  return secret;
}

}  // namespace parley::app

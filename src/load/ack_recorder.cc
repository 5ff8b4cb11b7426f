// See ack_recorder.h.
#include "load/ack_recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace parley::load {

AckRecorder::AckRecorder(const std::string& path) {
  if (path.empty()) return;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    std::cerr << "parley-load: --record-acks " << path << ": " << std::strerror(errno) << "\n";
}

AckRecorder::~AckRecorder() {
  if (fd_ >= 0) ::close(fd_);
}

void AckRecorder::record(std::string_view kind, std::string_view room, std::string_view id,
                         std::string_view user_id, std::string_view email,
                         std::string_view reaction) {
  if (fd_ < 0) return;
  boost::json::object line{
      {"kind", kind}, {"room", room}, {"id", id}, {"user", user_id}, {"email", email}};
  if (!reaction.empty()) line["reaction"] = reaction;
  std::string text = boost::json::serialize(line);
  text += '\n';
  // One write per line: O_APPEND makes it atomic with respect to other writers of the file.
  (void)!::write(fd_, text.data(), text.size());
}

}  // namespace parley::load

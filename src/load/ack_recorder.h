// AckRecorder: `--record-acks FILE`. Every operation the server acknowledged to a virtual user is
// written as one JSON line, so a crash test can check after a restart that nothing acknowledged
// was lost (tests/compat/crash.test.mjs verifies the lines against history):
//   {"kind":"message","room":R,"id":M,"email":E}   the sender saw its message echoed
//   {"kind":"read","room":R,"id":M,"email":E}      messagesRead named the user and the message
//   {"kind":"reaction","room":R,"id":M,"email":E,"reaction":"👍"}  messageReactionUpdate listed the
//   user
// Lines are appended with one write(2) each on an O_APPEND descriptor: worker processes
// (--procs) share the file and lines never interleave. Thread-safe; disabled when path is "".
#pragma once

#include <string>
#include <string_view>

namespace parley::load {

class AckRecorder {
 public:
  explicit AckRecorder(const std::string& path);
  ~AckRecorder();
  AckRecorder(const AckRecorder&) = delete;
  AckRecorder& operator=(const AckRecorder&) = delete;

  bool enabled() const { return fd_ >= 0; }
  void record(std::string_view kind, std::string_view room, std::string_view id,
              std::string_view user_id, std::string_view email, std::string_view reaction = {});

 private:
  int fd_ = -1;
};

}  // namespace parley::load

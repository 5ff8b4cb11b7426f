// MultiRunner: one named thread that runs libcurl's multi interface for every transfer handed to
// it, so HTTP work (object storage, AI endpoints) costs no event-loop time. The thread sleeps in
// curl_multi_poll and is woken (curl_multi_wakeup) when a transfer or a command is queued, or on
// shutdown. A Transfer is a configured easy handle plus what to do when it ends; the runner owns it
// from submit() until its finished() call, which happens exactly once, on the runner thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace parley::curlio {

using Clock = std::chrono::steady_clock;

class Transfer {
 public:
  Transfer();  // creates the easy handle (check easy() before configuring it)
  virtual ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  CURL* easy() const { return easy_; }
  // The transfer ended: CURLE_OK or why not (CURLE_OPERATION_TIMEDOUT also for the idle limit,
  // CURLE_ABORTED_BY_CALLBACK for a cancel or shutdown). Runner thread; called once.
  virtual void finished(CURLcode rc) = 0;

  // No byte in either direction for this long ends the transfer (0: no idle limit). libcurl's own
  // low-speed limit has one-second granularity, so the runner checks this itself.
  std::chrono::milliseconds idle_timeout{0};
  // Call from curl callbacks whenever bytes move (runner thread).
  void touch() { last_activity_ = Clock::now(); }
  Clock::time_point last_activity() const { return last_activity_; }

 private:
  CURL* easy_ = nullptr;
  Clock::time_point last_activity_ = Clock::now();
};

class MultiRunner {
 public:
  // Starts the thread, named `thread_name` (at most 15 characters, as Linux allows).
  static Result<std::unique_ptr<MultiRunner>> start(std::string thread_name);
  ~MultiRunner();  // shutdown(), then releases libcurl

  // Any thread. Once shutdown has begun the transfer is finished at once with
  // CURLE_ABORTED_BY_CALLBACK (on the calling thread).
  void submit(std::unique_ptr<Transfer> transfer);
  // Ends every transfer (finished(CURLE_ABORTED_BY_CALLBACK)) and joins the thread. Idempotent.
  void shutdown();

  struct Impl;  // public only so the .cc can name it

 private:
  explicit MultiRunner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::curlio

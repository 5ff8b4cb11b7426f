// See multi_runner.h. Only the runner thread touches the multi handle and the active map; other
// threads only append to the queue (under the mutex) and call the thread-safe curl_multi_wakeup.
#include "curlio/multi_runner.h"

#include <pthread.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace parley::curlio {

namespace {
constexpr int kIdlePollMs = 10'000;  // nothing to time out: sleep until woken
}

Transfer::Transfer() : easy_(curl_easy_init()) {}

Transfer::~Transfer() {
  if (easy_) curl_easy_cleanup(easy_);
}

struct MultiRunner::Impl {
  std::string name;
  CURLM* multi = nullptr;
  std::mutex mutex;
  std::vector<std::unique_ptr<Transfer>> queued;  // guarded by mutex
  bool stopping = false;                          // guarded by mutex
  std::thread thread;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;  // runner thread only

  ~Impl() {
    if (multi) curl_multi_cleanup(multi);
  }

  void run() {
    pthread_setname_np(pthread_self(), name.c_str());
    for (;;) {
      std::vector<std::unique_ptr<Transfer>> incoming;
      bool stop;
      {
        std::lock_guard lock(mutex);
        incoming.swap(queued);
        stop = stopping;
      }
      if (stop) {
        for (auto& t : incoming)
          t->finished(CURLE_ABORTED_BY_CALLBACK);
        for (auto& [easy, t] : active) {
          curl_multi_remove_handle(multi, easy);
          t->finished(CURLE_ABORTED_BY_CALLBACK);
        }
        active.clear();
        return;
      }
      for (auto& t : incoming)
        begin(std::move(t));
      int running = 0;
      curl_multi_perform(multi, &running);
      collect_finished();
      const int wait_ms = expire_idle();
      curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
  }

  void begin(std::unique_ptr<Transfer> t) {
    CURL* easy = t->easy();
    if (!easy) {
      t->finished(CURLE_FAILED_INIT);
      return;
    }
    t->touch();
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
      t->finished(CURLE_FAILED_INIT);
      return;
    }
    active.emplace(easy, std::move(t));
  }

  void collect_finished() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      // Read the message before remove_handle, which invalidates it.
      CURL* easy = msg->easy_handle;
      const CURLcode rc = msg->data.result;
      curl_multi_remove_handle(multi, easy);
      auto it = active.find(easy);
      if (it == active.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      active.erase(it);
      t->finished(rc);
    }
  }

  // Ends transfers past their idle limit; returns how long the poll may sleep (ms).
  int expire_idle() {
    const auto now = Clock::now();
    auto next = now + std::chrono::milliseconds(kIdlePollMs);
    for (auto it = active.begin(); it != active.end();) {
      Transfer& t = *it->second;
      if (t.idle_timeout.count() <= 0) {
        ++it;
        continue;
      }
      const auto deadline = t.last_activity() + t.idle_timeout;
      if (deadline <= now) {
        curl_multi_remove_handle(multi, it->first);
        std::unique_ptr<Transfer> expired = std::move(it->second);
        it = active.erase(it);
        expired->finished(CURLE_OPERATION_TIMEDOUT);
      } else {
        next = std::min(next, deadline);
        ++it;
      }
    }
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::clamp<int64_t>(wait, 1, kIdlePollMs));
  }
};

Result<std::unique_ptr<MultiRunner>> MultiRunner::start(std::string thread_name) {
  // Reference-counted by libcurl and thread-safe since 7.84; paired with the destructor.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return Error::internal("curl_global_init failed");
  auto impl = std::make_unique<Impl>();
  impl->multi = curl_multi_init();
  if (!impl->multi) {
    curl_global_cleanup();
    return Error::internal("curl_multi_init failed");
  }
  thread_name.resize(std::min<size_t>(thread_name.size(), 15));
  impl->name = std::move(thread_name);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<MultiRunner>(new MultiRunner(std::move(impl)));
}

MultiRunner::MultiRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MultiRunner::~MultiRunner() {
  shutdown();
  impl_.reset();  // curl_multi_cleanup, before the global cleanup
  curl_global_cleanup();
}

void MultiRunner::submit(std::unique_ptr<Transfer> transfer) {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) impl_->queued.push_back(std::move(transfer));
  }
  if (transfer) {  // refused: the runner is gone or going
    transfer->finished(CURLE_ABORTED_BY_CALLBACK);
    return;
  }
  curl_multi_wakeup(impl_->multi);
}

void MultiRunner::shutdown() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  curl_multi_wakeup(impl_->multi);
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace parley::curlio

// RedisClusterProcess: a real Redis Cluster (3 masters + 3 replicas of Debian's redis-server)
// for the store tests, started with scripts/redis-cluster on ports that are free when the test
// runs, in a temporary directory, and stopped by the script (PID files) when destroyed.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "store_test_util.h"

namespace parley::store::test_util {

inline bool port_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Runs a shell command; its output, or throws when it exits non-zero.
inline std::string run_command(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("popen failed: " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  int status = ::pclose(p);
  if (status != 0) throw std::runtime_error(cmd + " failed:\n" + out);
  return out;
}

class RedisClusterProcess {
 public:
  static constexpr int kMasters = 3;

  // 3 masters with `replicas` replicas each.
  explicit RedisClusterProcess(std::string script, int replicas = 1)
      : script_(std::move(script)), replicas_(replicas), nodes_total_(kMasters * (1 + replicas)) {
    const int kNodes = nodes_total_;
    // Node ports base..base+n-1 and their cluster bus ports (+10000) must all be free.
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> pick(21000, 29000);
    for (int attempt = 0; attempt < 50 && base_ == 0; ++attempt) {
      int base = pick(rng);
      bool free = true;
      for (int i = 0; i < kNodes && free; ++i)
        free = port_free(base + i) && port_free(base + i + 10000);
      if (free) base_ = base;
    }
    if (base_ == 0) throw std::runtime_error("no free ports for a Redis cluster");
    std::string out =
        run_command(script_ + " up --base-port " + std::to_string(base_) + " --replicas " +
                    std::to_string(replicas) + " --dir " + dir_.path().string());
    size_t at = out.rfind("REDIS_NODES=");
    if (at == std::string::npos) throw std::runtime_error("no REDIS_NODES line in:\n" + out);
    nodes_ = out.substr(at + 12);
    nodes_ = nodes_.substr(0, nodes_.find_first_of("\r\n"));
    try {
      wait_for_replicas();
    } catch (const std::exception& e) {
      std::string status;
      try {
        status = run_command(script_ + " status --dir " + dir_.path().string());
      } catch (const std::exception& s) {
        status = s.what();
      }
      stop();  // the destructor will not run for a constructor that throws
      throw std::runtime_error(std::string(e.what()) + "\n" + status);
    }
  }

  // cluster_state:ok comes before the replicas' first sync ends; writes that WAIT for a replica
  // need every master to have an online replica.
  void wait_for_replicas(std::chrono::seconds limit = std::chrono::seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      int ready = 0, masters = 0;
      for (int i = 0; i < nodes_total_; ++i) {
        std::string info;
        try {
          info = run_command("redis-cli -h 127.0.0.1 -p " + std::to_string(base_ + i) +
                             " info replication");
        } catch (const std::exception&) {
          continue;  // a node that is down (the failover test) is not a master
        }
        if (info.find("role:master") == std::string::npos) continue;
        ++masters;
        for (size_t at = info.find("state=online"); at != std::string::npos;
             at = info.find("state=online", at + 1))
          ++ready;
      }
      // Every replica of every master in sync (a replica that never synced cannot fail over).
      if (masters > 0 && ready == masters * replicas_) return;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("replicas did not come online");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~RedisClusterProcess() { stop(); }
  void stop() {
    try {
      run_command(script_ + " down --dir " + dir_.path().string());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "redis-cluster down: %s\n", e.what());
    }
  }
  RedisClusterProcess(const RedisClusterProcess&) = delete;
  RedisClusterProcess& operator=(const RedisClusterProcess&) = delete;

  const std::string& nodes() const { return nodes_; }  // "127.0.0.1:p1,127.0.0.1:p2,…"
  int base_port() const { return base_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::string& script() const { return script_; }

 private:
  std::string script_;
  int replicas_;
  int nodes_total_;
  sqlite::test_util::TempDir dir_;
  int base_ = 0;
  std::string nodes_;
};

}  // namespace parley::store::test_util

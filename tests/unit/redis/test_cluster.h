// Test support for the Redis cluster tests: a real cluster of redis-server processes started
// with scripts/redis-cluster on free ports chosen at run time (stopped by PID file at the end),
// redis-cli access to single nodes, and a helper that runs a coroutine to completion.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "redis/cluster.h"

namespace parley::redis::test {

// Runs `a` on a private io_context in this thread and returns its result.
template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context ctx;
  std::optional<T> out;
  auto body = [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(a)); };
  asio::co_spawn(ctx, body(), asio::detached);
  ctx.run();
  return std::move(*out);
}

inline bool port_free(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Output of a shell command (stdout), or nullopt when it exits non-zero.
inline std::optional<std::string> shell(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.append(buf, n);
  const int rc = ::pclose(p);
  if (rc != 0) return std::nullopt;
  return out;
}

class TestCluster {
 public:
  // A short node timeout makes failover fast, but on a loaded machine a node that stalls for
  // that long is failed over too: only the failover tests ask for one.
  TestCluster(int masters = 3, int replicas = 1, std::string password = {},
              int node_timeout_ms = 5000)
      : masters_(masters),
        replicas_(replicas),
        password_(std::move(password)),
        node_timeout_ms_(node_timeout_ms) {}
  ~TestCluster() { down(); }

  // Starts the cluster; false (with `error()`) when it could not be started.
  bool up() {
    char tmpl[] = "/tmp/parley-redis-test-XXXXXX";
    if (!::mkdtemp(tmpl)) return fail("mkdtemp");
    dir_ = tmpl;
    std::mt19937 rng(std::random_device{}());
    const int nodes = masters_ * (1 + replicas_);
    for (int attempt = 0; attempt < 5; ++attempt) {
      const int base = 20000 + static_cast<int>(rng() % 9000);
      bool free = true;
      for (int i = 0; i < nodes && free; ++i)
        free = port_free(base + i) && port_free(base + i + 10000);
      if (!free) continue;
      std::string cmd = std::string(PARLEY_SOURCE_DIR) + "/scripts/redis-cluster up --base-port " +
                        std::to_string(base) + " --dir " + dir_ + " --node-timeout " +
                        std::to_string(node_timeout_ms_) + " --wait-s 30 --masters " +
                        std::to_string(masters_) + " --replicas " + std::to_string(replicas_);
      if (!password_.empty()) cmd += " --password " + password_;
      auto out = shell(cmd + " 2>" + dir_ + "/up.err");
      if (!out) {
        shell(std::string(PARLEY_SOURCE_DIR) + "/scripts/redis-cluster down --dir " + dir_);
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
        continue;  // another run may have taken a port in between: try elsewhere
      }
      const auto pos = out->rfind("REDIS_NODES=");
      if (pos == std::string::npos) return fail("no REDIS_NODES line");
      nodes_ = out->substr(pos + 12);
      while (!nodes_.empty() && (nodes_.back() == '\n' || nodes_.back() == '\r'))
        nodes_.pop_back();
      base_port_ = base;
      return true;
    }
    return fail("could not start a cluster on free ports");
  }

  void down() {
    if (dir_.empty()) return;
    shell(std::string(PARLEY_SOURCE_DIR) + "/scripts/redis-cluster down --purge --dir " + dir_);
    dir_.clear();
  }

  ClusterOptions options() const {
    ClusterOptions o;
    o.seeds = parse_endpoints(nodes_).value();
    o.password = password_;
    return o;
  }
  const std::string& nodes() const { return nodes_; }
  int base_port() const { return base_port_; }
  int node_count() const { return masters_ * (1 + replicas_); }
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_; }

  // redis-cli against one node; trailing newline removed.
  std::string cli(int port, const std::string& args) const {
    std::string cmd = "redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " " + args;
    if (!password_.empty()) cmd = "REDISCLI_AUTH=" + password_ + " " + cmd;
    auto out = shell(cmd + " 2>/dev/null");
    std::string s = out.value_or("");
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
      s.pop_back();
    return s;
  }
  // Starts a stopped (killed) node again from its own files; it rejoins the cluster.
  bool restart(int port) const {
    return shell("redis-server " + dir_ + "/" + std::to_string(port) + "/redis.conf").has_value();
  }
  int pid(int port) const {
    std::ifstream f(dir_ + "/" + std::to_string(port) + "/redis.pid");
    int p = 0;
    f >> p;
    return p;
  }
  // The port of the master serving `slot`, read from a node (not from the client under test).
  int master_port_for_slot(int slot) const {
    for (int i = 0; i < node_count(); ++i) {
      const int port = base_port_ + i;
      if (cli(port, "role").rfind("master", 0) != 0) continue;
      const auto nodes = cli(port, "cluster nodes");
      // "<id> <ip:port@bus> myself,master - 0 0 1 connected 0-5460 …"
      std::istringstream lines(nodes);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.find("myself") == std::string::npos) continue;
        std::istringstream words(line);
        std::string w;
        int field = 0;
        while (words >> w) {
          if (++field < 9 || w[0] == '[') continue;
          const auto dash = w.find('-');
          const int lo = std::stoi(w.substr(0, dash));
          const int hi = dash == std::string::npos ? lo : std::stoi(w.substr(dash + 1));
          if (slot >= lo && slot <= hi) return port;
        }
      }
    }
    return 0;
  }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    std::ifstream err(dir_ + "/up.err");
    std::string line;
    while (std::getline(err, line))
      error_ += "\n" + line;
    return false;
  }
  int masters_, replicas_;
  std::string password_;
  int node_timeout_ms_;
  std::string dir_;
  std::string nodes_;
  std::string error_;
  int base_port_ = 0;
};

}  // namespace parley::redis::test

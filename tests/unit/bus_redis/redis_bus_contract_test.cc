// The bus contract (tests/unit/bus/bus_contract.h) against RedisBus on a real Redis Cluster:
// scripts/redis-cluster starts 3 masters on free ports chosen now, in a temporary directory, and
// stops them (by the PIDs it recorded) when the suite ends. Each test node has its own
// redis::Cluster client, as separate parley-server processes would.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "../bus/bus_contract.h"
#include "bus/redis/redis_bus.h"

namespace parley::bus::contract {
namespace {

bool port_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A base port P with P..P+5 and their cluster-bus ports P+10000.. free right now.
int free_base_port() {
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pick(20000, 45000);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int p = pick(rng);
    bool ok = true;
    for (int i = 0; i < 6 && ok; ++i)
      ok = port_free(p + i) && port_free(p + 10000 + i);
    if (ok) return p;
  }
  return 0;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

class RedisCluster : public ::testing::Environment {
 public:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("parley-bus-test-" + std::to_string(::getpid()));
    const int port = free_base_port();
    ASSERT_NE(port, 0) << "no free ports for a Redis Cluster";
    const std::string out = run(script() + " up --masters 3 --replicas 0 --base-port " +
                                std::to_string(port) + " --dir " + dir_.string() + " 2>&1");
    const auto at = out.rfind("REDIS_NODES=");
    ASSERT_NE(at, std::string::npos) << "scripts/redis-cluster up failed:\n" << out;
    std::string nodes = out.substr(at + 12);
    nodes = nodes.substr(0, nodes.find_first_of("\r\n"));
    auto parsed = redis::parse_endpoints(nodes);
    ASSERT_TRUE(parsed) << nodes;
    seeds = parsed.value();
  }
  void TearDown() override {
    run(script() + " down --dir " + dir_.string() + " 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  static std::string script() { return std::string(PARLEY_SOURCE_DIR) + "/scripts/redis-cluster"; }

  static inline std::vector<redis::Endpoint> seeds;

 private:
  std::filesystem::path dir_;
};

// One test node: its own cluster client and a RedisBus with a node id of its own.
class RedisNode {
 public:
  static std::unique_ptr<Node> make() {
    static std::atomic<int> counter{0};
    auto holder = std::make_shared<std::unique_ptr<redis::Cluster>>();
    const std::string node_id = "t" + std::to_string(++counter);
    return std::make_unique<Node>([holder, node_id](Hub& hub) -> std::unique_ptr<Bus> {
      redis::ClusterOptions options;
      options.seeds = RedisCluster::seeds;
      auto cluster = redis::Cluster::start(options);
      if (!cluster) {
        ADD_FAILURE() << "cluster client: " << cluster.error().detail;
        return nullptr;
      }
      *holder = std::move(cluster.value());
      // The bus must go before its cluster client: a deleter that drops both in that order.
      struct Owned final : Bus {
        std::shared_ptr<std::unique_ptr<redis::Cluster>> cluster;
        std::unique_ptr<RedisBus> bus;
        void publish(const std::string& g, sio::Frame f, const sio::Socket* e) override {
          bus->publish(g, std::move(f), e);
        }
        ~Owned() override {
          bus.reset();
          cluster->reset();
        }
      };
      auto owned = std::make_unique<Owned>();
      owned->cluster = holder;
      owned->bus = std::make_unique<RedisBus>(hub, **holder, RedisBusOptions{node_id});
      return owned;
    });
  }
};

[[maybe_unused]] auto* const env = ::testing::AddGlobalTestEnvironment(new RedisCluster);

INSTANTIATE_TEST_SUITE_P(Redis, BusContract,
                         ::testing::Values(Factory{"redis", &RedisNode::make, 2,
                                                   std::chrono::milliseconds(2000)}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace parley::bus::contract

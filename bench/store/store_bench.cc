// parley-bench-store: Store operations per second and latency, the same workload on any Store
// (SQLite in a temporary directory, or Redis Cluster at --redis-nodes). One event loop thread,
// C coroutines issuing operations back to back; each operation's latency goes into a sorted
// sample for p50/p99. Not a test: figures go to docs/PERFORMANCE.md with the command.
//   parley-bench-store sqlite|redis [--redis-nodes N] [--ops 4000] [--concurrency 32]
//                      [--rooms 20] [--wait-replicas 1]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/redis/redis_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

namespace asio = boost::asio;
using namespace parley;
using Clock = std::chrono::steady_clock;

std::string id_of(char kind, long n) {
  std::string d = std::to_string(n);
  return std::string(1, kind) + std::string(23 - d.size(), '0') + d;
}

struct Args {
  std::string storage;
  std::string nodes;
  long ops = 4000;
  int concurrency = 32;
  int rooms = 20;
  int wait_replicas = 1;
};

// Runs `ops` calls of `op(i)` from `concurrency` coroutines; prints ops/s and latency.
void measure(const char* name, store::Store& s, const Args& a,
             std::function<asio::awaitable<bool>(long)> op) {
  (void)s;
  asio::io_context io;
  std::vector<double> lat;
  lat.reserve(static_cast<size_t>(a.ops));
  long next = 0, failed = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < a.ops) {
      long i = next++;
      auto t0 = Clock::now();
      bool ok = co_await op(i);
      lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      if (!ok) ++failed;
    }
  };
  auto start = Clock::now();
  for (int c = 0; c < a.concurrency; ++c)
    asio::co_spawn(io, worker(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  io.run();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty() ? 0.0 : lat[static_cast<size_t>(p * (lat.size() - 1))];
  };
  std::printf("%-16s %8.0f ops/s   p50 %7.0f us   p99 %7.0f us   (%ld ops, %ld failed)\n", name,
              static_cast<double>(a.ops) / secs, pct(0.50), pct(0.99), a.ops, failed);
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  Args a;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s sqlite|redis [--redis-nodes N] [--ops N] [--concurrency C]\n",
                 argv[0]);
    return 2;
  }
  a.storage = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--redis-nodes")
      a.nodes = v;
    else if (k == "--ops")
      a.ops = std::atol(v.c_str());
    else if (k == "--concurrency")
      a.concurrency = std::atoi(v.c_str());
    else if (k == "--rooms")
      a.rooms = std::atoi(v.c_str());
    else if (k == "--wait-replicas")
      a.wait_replicas = std::atoi(v.c_str());
  }

  std::unique_ptr<store::Store> s;
  std::filesystem::path dir;
  if (a.storage == "redis") {
    store::redis::RedisStore::Options o;
    auto seeds = redis::parse_endpoints(a.nodes);
    if (!seeds) {
      std::fprintf(stderr, "--redis-nodes: %s\n", seeds.error().detail.c_str());
      return 2;
    }
    o.cluster.seeds = std::move(seeds.value());
    o.cluster.wait_replicas = a.wait_replicas;
    o.key_prefix = "bench" + std::to_string(::getpid()) + ":";
    auto r = store::redis::RedisStore::open(std::move(o));
    if (!r) {
      std::fprintf(stderr, "redis: %s\n", r.error().detail.c_str());
      return 1;
    }
    s = std::move(r.value());
  } else {
    dir = std::filesystem::temp_directory_path() /
          ("parley-bench-store-" + std::to_string(::getpid()));
    store::sqlite::SqliteStore::Options o;
    o.path = (dir / "parley.db").string();
    auto r = store::sqlite::SqliteStore::open(o);
    if (!r) {
      std::fprintf(stderr, "sqlite: %s\n", r.error().detail.c_str());
      return 1;
    }
    s = std::move(r.value());
  }
  std::printf("== %s: %ld ops per operation, %d coroutines, %d rooms%s\n", a.storage.c_str(), a.ops,
              a.concurrency, a.rooms,
              a.storage == "redis" ? (" , WAIT " + std::to_string(a.wait_replicas)).c_str() : "");

  // Rooms with 10 members each.
  {
    asio::io_context io;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (int r = 0; r < a.rooms; ++r) {
            chat::Room room;
            room.id = id_of('b', r);
            room.name = "Bench room " + std::to_string(r);
            room.creator_id = id_of('a', 0);
            room.created_at = 1000 + r;
            for (int u = 0; u < 10; ++u)
              room.participant_ids.push_back(id_of('a', u));
            (void)co_await s->create_room(room);
          }
        },
        [](std::exception_ptr) {});
    io.run();
  }
  const chat::Millis now = 1'733'300'000'000;
  measure("append_message", *s, a, [&](long i) -> asio::awaitable<bool> {
    chat::Message m;
    m.id = id_of('c', i);
    m.room_id = id_of('b', i % a.rooms);
    m.content = "benchmark message number " + std::to_string(i);
    m.sender_id = id_of('a', i % 10);
    m.timestamp = now;
    co_return (co_await s->append_message(std::move(m))).ok();
  });
  measure("mark_read", *s, a, [&](long i) -> asio::awaitable<bool> {
    std::vector<chat::Id> ids{id_of('c', i), id_of('c', (i + a.rooms) % a.ops)};
    co_return (co_await s->mark_read(id_of('b', i % a.rooms), std::move(ids), id_of('a', 5), now))
        .ok();
  });
  measure("fetch_messages", *s, a, [&](long i) -> asio::awaitable<bool> {
    co_return (co_await s->fetch_messages(id_of('b', i % a.rooms), INT64_MAX, 30, "", now)).ok();
  });
  measure("list_rooms", *s, a, [&](long i) -> asio::awaitable<bool> {
    store::RoomQuery q;
    q.page = static_cast<int>(i % 2);
    q.page_size = 10;
    co_return (co_await s->list_rooms(q)).ok();
  });
  s->close();
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}

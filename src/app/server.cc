// See server.h. Threads: N event loops (one per core by default) own every connection; the store
// and the password hasher have their own worker threads; the main thread only waits for a signal
// and then drives the shutdown: stop accepting, let in-flight requests finish, stop the loops,
// flush the store.
#include "app/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "ai/assistant.h"
#include "ai/openai_provider.h"
#include "ai/personas.h"
#include "api/ai_relay.h"
#include "api/chat_sockets.h"
#include "api/rest_handler.h"
#include "app/default_banned_words.h"
#include "app/front.h"
#include "app/instance_lock.h"
#include "app/logging.h"
#include "app/redis_metrics.h"
#include "app/secrets.h"
#include "app/telemetry.h"
#include "app/timed_store.h"
#include "bus/hub.h"
#include "bus/redis/redis_bus.h"
#include "chat/banned_words.h"
#include "cluster/redis_limiter.h"
#include "cluster/redis_presence.h"
#include "core/thread_name.h"
#include "eio/ids.h"
#include "files/local_blob_store.h"
#include "files/s3_blob_store.h"
#include "net/fd_limit.h"
#include "net/http_server.h"
#include "sio/conformance.h"
#include "sio/server.h"
#include "store/redis/redis_store.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::app {

namespace {

namespace asio = boost::asio;

// Services needs an Events sink before ChatSockets (which needs Services) exists.
struct EventsRelay final : api::Events {
  api::Events* target = nullptr;
  void room_created(const boost::json::object& room) override {
    if (target) target->room_created(room);
  }
  void room_updated(const chat::Id& id, const boost::json::object& room) override {
    if (target) target->room_updated(id, room);
  }
  void session_ended(const chat::Id& user, std::string_view reason, std::string_view msg) override {
    if (target) target->session_ended(user, reason, msg);
  }
  void session_replaced(const chat::Id& user, const std::string& old_sid,
                        const std::string& new_sid, bool same_client) override {
    if (target) target->session_replaced(user, old_sid, new_sid, same_client);
  }
};

api::AuthGuardOptions auth_guard_options(const Config& c) {
  api::AuthGuardOptions o;
  o.login_failures_per_account = c.login_failures_per_account;
  o.login_account_window_ms = c.login_account_window_ms;
  o.login_failures_per_ip = c.login_failures_per_ip;
  o.login_ip_window_ms = c.login_ip_window_ms;
  o.registrations_per_ip = c.registrations_per_ip;
  o.register_ip_window_ms = c.register_ip_window_ms;
  o.allow_password_change_without_current = c.allow_password_change_without_current;
  return o;
}

api::ChatLimits chat_limits(const Config& c) {
  api::ChatLimits l;
  l.max_message_chars = static_cast<size_t>(c.max_message_chars);
  l.max_rooms_per_socket = static_cast<size_t>(c.max_rooms_per_socket);
  l.max_sockets_per_user = static_cast<size_t>(c.max_sockets_per_user);
  l.max_sockets_per_ip = static_cast<size_t>(c.max_sockets_per_ip);
  l.session_end_close_ms = c.session_end_close_ms;
  l.session_check_ms = c.session_check_ms;
  return l;
}

net::HttpLimits http_limits(const Config& c) {
  net::HttpLimits l;
  l.max_body_bytes = c.max_body_bytes;
  l.max_header_bytes = c.max_header_bytes;
  l.header_timeout = std::chrono::milliseconds(c.header_timeout_ms);
  l.body_timeout = std::chrono::milliseconds(c.body_timeout_ms);
  l.idle_timeout = std::chrono::milliseconds(c.idle_timeout_ms);
  l.max_connections = c.max_connections;
  return l;
}

// A node id for session-id routing: the flag, else "n<port>", else (port 0) a random token.
std::string resolve_node_id(const Config& c) {
  if (!c.node_id.empty()) return c.node_id;
  if (c.port != 0) return "n" + std::to_string(c.port);
  std::string token = "n";
  for (char ch : eio::random_id())
    if (std::isalnum(static_cast<unsigned char>(ch)) && token.size() < 9) token += ch;
  return token;
}

// --storage sqlite (embedded, the default) or redis (Redis Cluster, for several servers).
Result<std::unique_ptr<store::Store>> open_store(const Config& c) {
  if (c.storage == "redis") {
    auto seeds = redis::parse_endpoints(c.redis_nodes);
    if (!seeds) return Error::invalid("--redis-nodes: " + seeds.error().detail);
    store::redis::RedisStore::Options o;
    o.cluster.seeds = std::move(seeds.value());
    o.cluster.password = c.redis_password;
    o.cluster.command_timeout = std::chrono::milliseconds(c.redis_timeout_ms);
    o.cluster.connect_timeout = std::chrono::milliseconds(c.redis_connect_timeout_ms);
    o.cluster.wait_replicas = c.redis_wait_replicas;
    o.cluster.wait_timeout = std::chrono::milliseconds(c.redis_wait_ms);
    o.key_prefix = c.redis_key_prefix;
    // Activity is written at most once a minute, so the key outlives the idle limit by that.
    o.touch_write_interval_ms = 60'000;
    o.session_ttl_ms = c.session_idle_ms + o.touch_write_interval_ms;
    auto r = store::redis::RedisStore::open(std::move(o));
    if (!r) return r.error();
    return std::unique_ptr<store::Store>(std::move(r.value()));
  }
  store::sqlite::SqliteStore::Options o;
  o.path = (std::filesystem::path(c.data_dir) / "parley.db").string();
  o.read_connections = c.store_read_threads;
  auto r = store::sqlite::SqliteStore::open(o);
  if (!r) return Error::unavailable(o.path + ": " + r.error().detail);
  return std::unique_ptr<store::Store>(std::move(r.value()));
}

files::S3Options s3_options(const Config& c) {
  files::S3Options o;
  o.endpoint = c.s3_endpoint;
  o.bucket = c.s3_bucket;
  o.region = c.s3_region;
  o.path_style = c.s3_path_style;
  o.credentials = {c.s3_access_key, c.s3_secret_key};
  o.part_bytes = c.s3_part_bytes;
  o.read_bytes = c.s3_read_bytes;
  o.connect_timeout = std::chrono::milliseconds(c.s3_connect_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(c.s3_idle_timeout_ms);
  o.total_timeout = std::chrono::milliseconds(c.s3_timeout_ms);
  o.attempts = c.s3_attempts;
  o.presign_downloads = c.s3_presign_downloads;
  o.presign_seconds = c.s3_presign_seconds;
  return o;
}

unsigned loop_count(const Config& c) {
  return c.threads > 0 ? static_cast<unsigned>(c.threads)
                       : std::max(1u, std::thread::hardware_concurrency());
}

// The cluster bus's own client (its subscriber connections and SPUBLISHes stay off the store's).
Result<std::unique_ptr<redis::Cluster>> start_bus_cluster(const Config& c) {
  auto seeds = redis::parse_endpoints(c.redis_nodes);
  if (!seeds) return Error::invalid("--redis-nodes: " + seeds.error().detail);
  redis::ClusterOptions o;
  o.seeds = std::move(seeds.value());
  o.password = c.redis_password;
  o.command_timeout = std::chrono::milliseconds(c.redis_timeout_ms);
  o.connect_timeout = std::chrono::milliseconds(c.redis_connect_timeout_ms);
  return redis::Cluster::start(std::move(o));
}

}  // namespace

int run_server(const Config& c) {
  auto access_log = configure_logging(LogOptions{c.log_level, c.log_format, c.access_log});
  if (!access_log) {
    spdlog::critical("logging: {}", access_log.error().detail);
    return 1;
  }
  if (!c.conformance.empty()) {
    // The protocol suites expect port 3000 unless told otherwise.
    const uint16_t port = c.port == 5001 ? 3000 : static_cast<uint16_t>(c.port);
    return sio::run_conformance(c.conformance, c.host, port,
                                c.threads > 0 ? static_cast<unsigned>(c.threads) : 1);
  }
  auto fds = net::raise_fd_limit();
  spdlog::info("open files: soft limit {} -> {}, hard limit {}", fds.soft_before, fds.soft,
               fds.hard);

  std::error_code fs_ec;
  std::filesystem::create_directories(c.data_dir, fs_ec);
  if (fs_ec) {
    spdlog::critical("cannot create data directory {}: {}", c.data_dir, fs_ec.message());
    return 1;
  }
  // One server per data directory; held until the process exits.
  auto instance = InstanceLock::acquire(c.data_dir);
  if (!instance) {
    spdlog::critical("{}", instance.error().detail);
    return 1;
  }
  std::string secret = c.jwt_secret;
  if (secret.empty()) {
    auto loaded = load_or_create_secret(c.data_dir);
    if (!loaded) {
      spdlog::critical("JWT secret: {}", loaded.error().detail);
      return 1;
    }
    secret = std::move(loaded.value());
  }

  auto opened = open_store(c);
  if (!opened) {
    spdlog::critical("cannot open the store: {}", opened.error().detail);
    return 1;
  }
  // For its writer stats; null on another backend.
  const auto* sqlite_store = dynamic_cast<const store::sqlite::SqliteStore*>(opened.value().get());
  std::unique_ptr<store::Store> store = std::move(opened.value());
  // Metrics (app/telemetry.h): counters handed to the layers, collectors for /metrics.
  Telemetry telemetry{loop_count(c)};
  TimedStore timed_store{*store, telemetry.loops};

  chat::PasswordHasherOptions hash_options;
  hash_options.threads = static_cast<unsigned>(std::max(1, c.hash_threads));
  hash_options.memlimit = std::max<size_t>(hash_options.memlimit, c.password_mem_kib * 1024);
  hash_options.opslimit = std::max<unsigned long long>(hash_options.opslimit, c.password_ops);
  chat::PasswordHasher hasher{hash_options};
  files::LocalBlobStore::Options blob_options;
  blob_options.root = c.upload_dir.empty()
                          ? (std::filesystem::path(c.data_dir) / "uploads").string()
                          : c.upload_dir;
  blob_options.threads = static_cast<unsigned>(std::max(1, c.file_io_threads));
  blob_options.sync = c.upload_sync;
  auto blobs_opened = files::LocalBlobStore::make(blob_options);
  if (!blobs_opened) {
    spdlog::critical("upload directory: {}", blobs_opened.error().detail);
    return 1;
  }
  std::unique_ptr<files::LocalBlobStore> blobs = std::move(blobs_opened.value());
  std::unique_ptr<files::S3BlobStore> s3_blobs;  // --blob-store s3: uploads live in a bucket
  if (c.blob_store == "s3") {
    auto made = files::S3BlobStore::make(s3_options(c));
    if (!made) {
      spdlog::critical("S3 blob store: {}", made.error().detail);
      return 1;
    }
    s3_blobs = std::move(made.value());
    spdlog::info("files: S3 bucket {} at {}", c.s3_bucket, c.s3_endpoint);
  }
  files::FileServices file_services{
      s3_blobs ? static_cast<files::BlobStore*>(s3_blobs.get()) : blobs.get(),
      files::UploadLimits{c.upload_request_bytes, c.upload_image_bytes, c.upload_video_bytes,
                          c.upload_audio_bytes, c.upload_document_bytes, c.profile_image_bytes}};

  chat::RateLimiter rooms_limiter{c.rooms_rate_limit, c.rooms_rate_window_ms};
  // The contract's list is on by default (compiled in); --banned-words FILE replaces it and
  // --banned-words none turns the filter off.
  std::optional<chat::BannedWords> banned;
  if (c.banned_words_file == "none") {
    spdlog::warn("banned words: filter off (--banned-words none)");
  } else if (c.banned_words_file.empty()) {
    banned.emplace(chat::BannedWords::from_text(default_banned_words()));
    spdlog::info("banned words: {} words (built in)", banned->word_count());
  } else {
    auto loaded = chat::BannedWords::load_file(c.banned_words_file);
    if (!loaded) {
      spdlog::critical("banned words: {}", loaded.error().detail);
      return 1;
    }
    banned.emplace(std::move(loaded.value()));
    spdlog::info("banned words: {} words from {}", banned->word_count(), c.banned_words_file);
  }
  chat::RateLimiter chat_limiter{c.chat_rate_limit, c.chat_rate_window_ms};
  std::optional<ai::Personas> assistants_file;
  if (!c.ai_assistants_file.empty()) {
    auto loaded = ai::Personas::load_file(c.ai_assistants_file);
    if (!loaded) {
      spdlog::critical("assistants: {}", loaded.error().detail);
      return 1;
    }
    assistants_file.emplace(std::move(loaded.value()));
  }
  const ai::Personas& assistants = assistants_file ? *assistants_file : ai::Personas::defaults();
  std::unique_ptr<ai::Provider> ai_provider = std::make_unique<ai::NoProvider>();
  if (!c.ai_base_url.empty()) {
    ai::OpenAiOptions ai_options{c.ai_base_url,
                                 c.ai_api_key,
                                 c.ai_model,
                                 std::chrono::milliseconds(c.ai_connect_timeout_ms),
                                 std::chrono::milliseconds(c.ai_idle_timeout_ms),
                                 std::chrono::milliseconds(c.ai_total_timeout_ms),
                                 static_cast<size_t>(c.ai_max_reply_bytes)};
    auto started = ai::OpenAiProvider::start(std::move(ai_options));
    if (!started) {
      spdlog::critical("AI provider: {}", started.error().detail);
      return 1;
    }
    ai_provider = std::move(started.value());
  }
  std::string assistant_names;
  for (const auto& name : assistants.names())
    assistant_names += (assistant_names.empty() ? "" : ", ") + name;
  spdlog::info("ai: assistants {} ({}); endpoint {}", assistant_names,
               assistants_file ? c.ai_assistants_file : "built in",
               c.ai_base_url.empty() ? "not configured" : c.ai_base_url + " model " + c.ai_model);

  const std::string node_id = resolve_node_id(c);
  EventsRelay events;  // REST side effects reach the sockets once ChatSockets exists
  api::Services services{
      timed_store,
      hasher,
      rooms_limiter,
      events,
      chat::JwtCodec{secret},
      api::Limits{c.session_idle_ms, c.token_ttl_ms, c.rooms_rate_limit, c.rooms_rate_window_ms},
      file_services};
  services.metrics = &telemetry.api;
  std::atomic<bool> draining{false};
  services.draining = &draining;
  services.ready_timeout_ms = c.ready_timeout_ms;
  api::AuthGuard auth_guard{auth_guard_options(c)};
  services.auth_guard = &auth_guard;

  const unsigned threads = loop_count(c);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::io_context*> loop_ptrs;
  for (unsigned i = 0; i < threads; ++i) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    loop_ptrs.push_back(loops.back().get());
  }
  telemetry.attach_loops(loop_ptrs);

  bus::Hub hub{loop_ptrs};
  // A node of a cluster (--storage redis) also carries its frames to the other nodes.
  std::unique_ptr<redis::Cluster> bus_cluster;
  std::unique_ptr<bus::RedisBus> redis_bus;
  bus::Bus* bus = &hub;
  if (c.storage == "redis") {
    auto started = start_bus_cluster(c);
    if (!started) {
      spdlog::critical("cluster bus: {}", started.error().detail);
      return 1;
    }
    bus_cluster = std::move(started.value());
    redis_bus = std::make_unique<bus::RedisBus>(
        hub, *bus_cluster,
        bus::RedisBusOptions{node_id, c.bus_buckets, static_cast<size_t>(c.bus_max_in_flight)});
    bus = redis_bus.get();
    services.node.node_id = node_id;  // a single server keeps the contract's exact health shape
    services.node.cluster_reachable = [cluster = bus_cluster.get()]() -> asio::awaitable<bool> {
      // Named strings: GCC 12 miscompiles string literals inside co_await expressions.
      const std::string key = "parley:health";
      redis::Command ping{std::string("PING")};
      auto r = co_await cluster->command(key, std::move(ping));
      co_return r && !r.value().is_error();
    };
  }
  api::LocalPresence local_presence;
  std::unique_ptr<cluster::RedisPresence> redis_presence;
  api::Presence* presence = &local_presence;
  if (bus_cluster) {
    redis_presence = std::make_unique<cluster::RedisPresence>(*bus_cluster, node_id);
    presence = redis_presence.get();
  }
  // chatMessage limit: per user over the whole cluster on Redis, else per process.
  api::LocalLimiter local_chat_limiter{chat_limiter};
  std::unique_ptr<cluster::RedisLimiter> redis_chat_limiter;
  api::Limiter* chat_limit = &local_chat_limiter;
  if (bus_cluster) {
    redis_chat_limiter = std::make_unique<cluster::RedisLimiter>(
        *bus_cluster, "chat", c.chat_rate_limit, c.chat_rate_window_ms);
    chat_limit = redis_chat_limiter.get();
  }
  api::AiRelay ai_relay{
      services, *bus, *ai_provider, assistants,
      api::AiLimits{static_cast<size_t>(c.ai_context_messages),
                    static_cast<size_t>(c.ai_max_per_room), static_cast<size_t>(c.ai_max_total)}};
  api::ChatSockets chat_sockets{services,    *bus,     *presence,     banned ? &*banned : nullptr,
                                *chat_limit, ai_relay, chat_limits(c)};
  events.target = &chat_sockets;
  chat_sockets.start(loops.front()->get_executor());
  chat_sockets.listen(hub, loops.front()->get_executor());
  sio::Options sio_options;
  sio_options.engine.ping_interval = std::chrono::milliseconds(c.ping_interval_ms);
  sio_options.engine.ping_timeout = std::chrono::milliseconds(c.ping_timeout_ms);
  sio_options.engine.max_payload = c.max_payload;
  sio_options.engine.outbound_queue_bytes = c.outbound_queue_bytes;
  sio_options.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
  sio_options.events_in = &telemetry.events_in;
  sio_options.events_out = &telemetry.events_out;
  sio_options.engine.sid_prefix = node_id + "-";
  sio::Server socketio{loop_ptrs, chat_sockets, hub, sio_options};

  api::WebClient web{c.web_root};
  if (!c.web_root.empty() && !web.enabled()) {
    spdlog::warn("web client: nothing to serve in {} (run `make web`)", c.web_root);
  }
  api::RestHandler rest_handler{services, &socketio.http(), /*rest=*/true,
                                web.enabled() ? &web : nullptr};
  api::RestHandler socket_handler{services, &socketio.http(), /*rest=*/false};
  FrontHandler front{&rest_handler, telemetry.registry,
                     FrontOptions{c.admin_token, split_nodes(c.dashboard_nodes)}};
  net::HttpServer http{loop_ptrs, front, http_limits(c)};
  http.set_access_log(access_log->get());
  if (auto r = http.listen(c.host, static_cast<uint16_t>(c.port)); !r) {
    spdlog::critical("{}", r.error().detail);
    return 1;
  }
  std::unique_ptr<net::HttpServer> ws;
  if (c.ws_port != 0) {
    ws = std::make_unique<net::HttpServer>(loop_ptrs, socket_handler, http_limits(c));
    ws->set_access_log(access_log->get());
    if (auto r = ws->listen(c.host, static_cast<uint16_t>(c.ws_port)); !r) {
      spdlog::critical("{}", r.error().detail);
      return 1;
    }
  }

  FrontHandler metrics_only{nullptr, telemetry.registry, {}};
  std::unique_ptr<net::HttpServer> metrics_listener;
  if (c.metrics_port >= 0) {
    metrics_listener = std::make_unique<net::HttpServer>(loop_ptrs, metrics_only, http_limits(c));
    if (auto r = metrics_listener->listen(c.host, static_cast<uint16_t>(c.metrics_port)); !r) {
      spdlog::critical("{}", r.error().detail);
      return 1;
    }
  }
  telemetry.register_components(
      {&socketio.engine(), &hub, &http, ws.get(), sqlite_store, &timed_store, &hasher});
  // The Redis clients (the store's and the bus's) and the cluster bus, when this is a node.
  auto* redis_store = dynamic_cast<store::redis::RedisStore*>(store.get());
  if (redis_store || bus_cluster) {
    telemetry.registry.add([redis_store, bus_cluster = bus_cluster.get(),
                            redis_bus = redis_bus.get()](metrics::Exposition& out) {
      collect_redis(
          {{"store", redis_store ? &redis_store->cluster() : nullptr}, {"bus", bus_cluster}}, out);
      if (redis_bus) collect_redis_bus(*redis_bus, out);
    });
  }

  std::vector<std::thread> workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& loop : loops) {
    guards.push_back(asio::make_work_guard(*loop));
    workers.emplace_back([l = loop.get(), i = workers.size()] {
      set_thread_name("loop-" + std::to_string(i));
      l->run();
    });
  }

  // Catch the signals before announcing readiness: a SIGTERM right after PARLEY_READY must
  // still shut down cleanly.
  asio::io_context control;
  asio::signal_set signals{control, SIGINT, SIGTERM};
  const std::string shown_host = c.host == "0.0.0.0" ? "localhost" : c.host;
  spdlog::info("parley-server: node {}, {} event loops, data in {}", node_id, threads, c.data_dir);
  std::printf("Parley is running at http://%s:%u/ (Socket.IO also on port %u)\n",
              shown_host.c_str(), http.port(), ws ? ws->port() : http.port());
  if (metrics_listener) std::printf("PARLEY_METRICS port=%u\n", metrics_listener->port());
  std::printf("PARLEY_READY http=%u ws=%u\n", http.port(), ws ? ws->port() : 0);
  std::fflush(stdout);

  signals.async_wait([](const boost::system::error_code&, int sig) {
    spdlog::info("signal {}: shutting down", sig);
  });
  control.run();

  // Load balancers see /health/ready turn 503 and stop sending new work before the listeners
  // close.
  draining.store(true, std::memory_order_relaxed);
  if (c.drain_delay_ms > 0) {
    spdlog::info("draining: /health/ready answers 503 for {} ms before the listeners close",
                 c.drain_delay_ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(c.drain_delay_ms));
  }
  http.stop_accepting();
  if (ws) ws->stop_accepting();
  if (metrics_listener) metrics_listener->stop_accepting();
  chat_sockets.stop();
  // AI streams may run for minutes: end them now, so their errors still reach open sockets.
  ai_provider->shutdown();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((http.in_flight() > 0 || (ws && ws->in_flight() > 0)) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // Sockets get a close rather than a silent drop; give the loops a moment to write it.
  for (auto& loop : loops)
    asio::post(*loop, [&socketio] { socketio.close_all(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  guards.clear();
  for (auto& loop : loops)
    loop->stop();
  for (auto& t : workers)
    t.join();
  blobs->close();  // disk work still queued finishes before the loops (and its waiters) go
  if (s3_blobs) s3_blobs->close();
  store->close();
  spdlog::info("parley-server: stopped");
  return 0;
}

}  // namespace parley::app

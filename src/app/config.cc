// Command line and environment parsing for parley-server (CLI11). Each option names its
// environment variable, so `--help` documents both.
#include "app/config.h"

#include <cstdlib>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include <cctype>
#include "core/build_info.h"

namespace parley::app {

bool parse_config(int argc, char** argv, Config& c, int& exit_code) {
  CLI::App cli{"parley-server: a real-time chat server (REST API + Socket.IO)", "parley-server"};
  cli.get_formatter()->column_width(40);

  cli.add_option("--host", c.host, "Address to listen on")->envname("HOST")->capture_default_str();
  cli.add_option("--port", c.port, "REST + web client + Socket.IO port (0 = any free port)")
      ->envname("PORT")
      ->capture_default_str();
  cli.add_option("--ws-port", c.ws_port, "Socket.IO-only port (0 disables)")
      ->envname("WS_PORT")
      ->capture_default_str();
  cli.add_option("--threads", c.threads, "Event loops (0 = one per hardware thread)")
      ->envname("THREADS")
      ->capture_default_str();

  cli.add_option("--data-dir", c.data_dir, "Directory for the database, secrets and uploads")
      ->envname("DATA_DIR")
      ->capture_default_str();
  cli.add_option("--storage", c.storage, "Storage engine")
      ->envname("STORAGE")
      ->check(CLI::IsMember({"sqlite", "redis"}))
      ->capture_default_str();
  cli.add_option("--store-read-threads", c.store_read_threads, "SQLite reader threads")
      ->envname("STORE_READ_THREADS")
      ->capture_default_str();

  cli.add_option("--upload-dir", c.upload_dir,
                 "Directory for uploaded files and profile images (default: DATA_DIR/uploads)")
      ->envname("UPLOAD_DIR");
  cli.add_option("--file-io-threads", c.file_io_threads, "Disk worker threads for file transfers")
      ->envname("FILE_IO_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cli.add_option("--upload-sync", c.upload_sync,
                 "fdatasync each upload before it becomes visible (false: faster, not crash-safe)")
      ->envname("UPLOAD_SYNC")
      ->capture_default_str();
  cli.add_option("--upload-request-bytes", c.upload_request_bytes,
                 "Largest upload request, multipart framing included (413 beyond)")
      ->envname("UPLOAD_REQUEST_BYTES")
      ->capture_default_str();
  cli.add_option("--upload-image-bytes", c.upload_image_bytes, "Largest image attachment")
      ->envname("UPLOAD_IMAGE_BYTES")
      ->capture_default_str();
  cli.add_option("--upload-video-bytes", c.upload_video_bytes, "Largest video attachment")
      ->envname("UPLOAD_VIDEO_BYTES")
      ->capture_default_str();
  cli.add_option("--upload-audio-bytes", c.upload_audio_bytes, "Largest audio attachment")
      ->envname("UPLOAD_AUDIO_BYTES")
      ->capture_default_str();
  cli.add_option("--upload-document-bytes", c.upload_document_bytes,
                 "Largest document (application/*) attachment")
      ->envname("UPLOAD_DOCUMENT_BYTES")
      ->capture_default_str();
  cli.add_option("--profile-image-bytes", c.profile_image_bytes, "Largest profile image")
      ->envname("PROFILE_IMAGE_BYTES")
      ->capture_default_str();

  cli.add_option("--jwt-secret", c.jwt_secret,
                 "HS256 secret (default: generated on first start, kept in DATA_DIR/jwt_secret)")
      ->envname("JWT_SECRET");
  cli.add_option("--session-idle-ms", c.session_idle_ms, "Session idle expiry")
      ->envname("SESSION_IDLE_MS")
      ->capture_default_str();
  cli.add_option("--token-ttl-ms", c.token_ttl_ms, "JWT lifetime")
      ->envname("TOKEN_TTL_MS")
      ->capture_default_str();
  cli.add_option("--hash-threads", c.hash_threads, "Password hashing worker threads")
      ->envname("HASH_THREADS")
      ->capture_default_str();
  cli.add_option("--password-mem-kib", c.password_mem_kib,
                 "argon2id memory per hash in KiB (never below 19456)")
      ->envname("PASSWORD_MEM_KIB")
      ->capture_default_str();
  cli.add_option("--password-ops", c.password_ops, "argon2id passes (never below 2)")
      ->envname("PASSWORD_OPS")
      ->capture_default_str();

  cli.add_option("--max-body-bytes", c.max_body_bytes, "Largest JSON request body (413 beyond)")
      ->envname("MAX_BODY_BYTES")
      ->capture_default_str();
  cli.add_option("--max-header-bytes", c.max_header_bytes, "Largest request header (431 beyond)")
      ->envname("MAX_HEADER_BYTES")
      ->capture_default_str();
  cli.add_option("--header-timeout-ms", c.header_timeout_ms, "Time allowed to send the headers")
      ->envname("HEADER_TIMEOUT_MS")
      ->capture_default_str();
  cli.add_option("--body-timeout-ms", c.body_timeout_ms, "Time allowed to send a body")
      ->envname("BODY_TIMEOUT_MS")
      ->capture_default_str();
  cli.add_option("--idle-timeout-ms", c.idle_timeout_ms, "Keep-alive idle time before closing")
      ->envname("IDLE_TIMEOUT_MS")
      ->capture_default_str();
  cli.add_option("--max-connections", c.max_connections, "Open connections per port")
      ->envname("MAX_CONNECTIONS")
      ->capture_default_str();

  cli.add_option("--rooms-rate-limit", c.rooms_rate_limit,
                 "GET /api/rooms requests per window per IP")
      ->envname("ROOMS_RATE_LIMIT")
      ->capture_default_str();
  cli.add_option("--rooms-rate-window-ms", c.rooms_rate_window_ms, "GET /api/rooms window")
      ->envname("ROOMS_RATE_WINDOW_MS")
      ->capture_default_str();
  cli.add_option("--chat-rate-limit", c.chat_rate_limit, "chatMessage events per window per user")
      ->envname("CHAT_RATE_LIMIT")
      ->capture_default_str();
  cli.add_option("--chat-rate-window-ms", c.chat_rate_window_ms, "chatMessage window")
      ->envname("CHAT_RATE_WINDOW_MS")
      ->capture_default_str();

  cli.add_option("--ping-interval-ms", c.ping_interval_ms, "Engine.IO ping interval")
      ->envname("PING_INTERVAL_MS")
      ->capture_default_str();
  cli.add_option("--ping-timeout-ms", c.ping_timeout_ms, "Engine.IO ping timeout")
      ->envname("PING_TIMEOUT_MS")
      ->capture_default_str();
  cli.add_option("--connect-timeout-ms", c.connect_timeout_ms, "Time for a Socket.IO CONNECT")
      ->envname("CONNECT_TIMEOUT_MS")
      ->capture_default_str();
  cli.add_option("--max-payload", c.max_payload, "Engine.IO maxPayload in bytes")
      ->envname("MAX_PAYLOAD")
      ->capture_default_str();
  cli.add_option("--outbound-queue-bytes", c.outbound_queue_bytes,
                 "Per-connection send queue cap; a slower reader is disconnected")
      ->envname("OUTBOUND_QUEUE_BYTES")
      ->capture_default_str();
  cli.add_option("--conformance", c.conformance,
                 "Protocol conformance server instead of the chat (engine.io | socket.io)")
      ->check(CLI::IsMember({"engine.io", "socket.io"}));

  cli.add_option("--web-root", c.web_root, "Built web client to serve at / (web/dist)")
      ->envname("WEB_ROOT");
  cli.add_option("--banned-words", c.banned_words_file,
                 "Banned word list, one word per line (default: the contract's list, built in; "
                 "none: no filter)")
      ->envname("BANNED_WORDS_FILE");
  cli.add_option("--ai-base-url", c.ai_base_url,
                 "OpenAI-compatible API base, e.g. http://127.0.0.1:11434/v1 (empty: AI off)")
      ->envname("AI_BASE_URL");
  auto* ai_key_opt =
      cli.add_option("--ai-api-key", c.ai_api_key,
                     "Bearer key for the AI endpoint (prefer the env; alias OPENAI_API_KEY)")
          ->envname("AI_API_KEY");
  auto* ai_model_opt = cli.add_option("--ai-model", c.ai_model,
                                      "Model name sent to the AI endpoint (alias OPENAI_MODEL)")
                           ->envname("AI_MODEL")
                           ->capture_default_str();
  cli.add_option("--ai-assistants", c.ai_assistants_file,
                 "Assistants JSON (names, system prompts, temperatures; default: built in)")
      ->envname("AI_ASSISTANTS");
  cli.add_option("--ai-connect-timeout-ms", c.ai_connect_timeout_ms, "AI endpoint connect timeout")
      ->envname("AI_CONNECT_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--ai-idle-timeout-ms", c.ai_idle_timeout_ms,
                 "Ends an AI stream that sends nothing for this long")
      ->envname("AI_IDLE_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--ai-total-timeout-ms", c.ai_total_timeout_ms, "Longest AI reply, start to end")
      ->envname("AI_TOTAL_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--ai-max-per-room", c.ai_max_per_room, "AI replies generated at once per room")
      ->envname("AI_MAX_PER_ROOM")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  cli.add_option("--ai-max-total", c.ai_max_total, "AI replies generated at once in the server")
      ->envname("AI_MAX_TOTAL")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  cli.add_option("--ai-max-reply-bytes", c.ai_max_reply_bytes, "Longest AI reply in bytes")
      ->envname("AI_MAX_REPLY_BYTES")
      ->check(CLI::Range(uint64_t{1}, uint64_t{64} << 20))
      ->capture_default_str();
  cli.add_option("--ai-context-messages", c.ai_context_messages,
                 "Earlier room messages sent along with a question")
      ->envname("AI_CONTEXT_MESSAGES")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();

  // Redis Cluster storage (--storage redis; docs/STORAGE-REDIS.md)
  cli.add_option("--redis-nodes", c.redis_nodes,
                 "Redis Cluster seed nodes, host:port,host:port,... (--storage redis)")
      ->envname("REDIS_NODES");
  cli.add_option("--redis-password", c.redis_password,
                 "AUTH password for every node (prefer the env var: flags show in ps)")
      ->envname("REDIS_PASSWORD");
  cli.add_option("--redis-timeout-ms", c.redis_timeout_ms,
                 "Per Redis command, redirects and retries included (503 beyond)")
      ->envname("REDIS_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{10}, int64_t{600'000}))
      ->capture_default_str();
  cli.add_option("--redis-connect-timeout-ms", c.redis_connect_timeout_ms,
                 "Connecting to a Redis node")
      ->envname("REDIS_CONNECT_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{10}, int64_t{600'000}))
      ->capture_default_str();
  cli.add_option("--redis-wait-replicas", c.redis_wait_replicas,
                 "Replicas a write must reach (WAIT) before it is acknowledged; 0: the master only")
      ->envname("REDIS_WAIT_REPLICAS")
      ->check(CLI::Range(0, 16))
      ->capture_default_str();
  cli.add_option("--redis-wait-ms", c.redis_wait_ms,
                 "How long a write waits for its replicas (fewer in time: 503, see docs)")
      ->envname("REDIS_WAIT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{60'000}))
      ->capture_default_str();
  cli.add_option("--redis-key-prefix", c.redis_key_prefix,
                 "Prefix of every key (several deployments on one cluster); no braces")
      ->envname("REDIS_KEY_PREFIX");

  cli.add_option("--log-level", c.log_level, "trace|debug|info|warn|error")
      ->envname("LOG_LEVEL")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->capture_default_str();
  cli.add_option("--log-format", c.log_format, "text, or json: one object a line")
      ->envname("LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cli.add_option("--access-log", c.access_log,
                 "Access log: a file, or - for stdout (default: none)")
      ->envname("ACCESS_LOG");
  cli.add_option("--ready-timeout-ms", c.ready_timeout_ms,
                 "/health/ready: longest store ping before answering 503")
      ->envname("READY_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{60'000}))
      ->capture_default_str();
  cli.add_option("--drain-delay-ms", c.drain_delay_ms,
                 "On SIGTERM: answer 503 on /health/ready this long before closing the listeners")
      ->envname("DRAIN_DELAY_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}))
      ->capture_default_str();

  cli.add_option("--blob-store", c.blob_store, "Where uploads and profile images live")
      ->envname("BLOB_STORE")
      ->check(CLI::IsMember({"local", "s3"}))
      ->capture_default_str();
  cli.add_option("--s3-endpoint", c.s3_endpoint,
                 "S3-compatible endpoint, e.g. http://127.0.0.1:4569")
      ->envname("S3_ENDPOINT");
  cli.add_option("--s3-bucket", c.s3_bucket, "S3 bucket for uploads and profile images")
      ->envname("S3_BUCKET");
  cli.add_option("--s3-region", c.s3_region, "S3 region (SigV4 scope)")
      ->envname("S3_REGION")
      ->capture_default_str();
  cli.add_option("--s3-path-style", c.s3_path_style,
                 "Path-style URLs (endpoint/bucket/key); false: virtual-hosted (bucket.host/key)")
      ->envname("S3_PATH_STYLE")
      ->capture_default_str();
  cli.add_option("--s3-part-bytes", c.s3_part_bytes,
                 "Multipart part size: the most one upload holds in memory (min 5 MiB)")
      ->envname("S3_PART_BYTES")
      ->check(CLI::Range(uint64_t{5} << 20, uint64_t{5} << 30))
      ->capture_default_str();
  cli.add_option("--s3-read-bytes", c.s3_read_bytes, "Bytes per ranged GET of a download")
      ->envname("S3_READ_BYTES")
      ->check(CLI::Range(uint64_t{64} << 10, uint64_t{64} << 20))
      ->capture_default_str();
  cli.add_option("--s3-timeout-ms", c.s3_timeout_ms, "Longest S3 request, start to end")
      ->envname("S3_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--s3-connect-timeout-ms", c.s3_connect_timeout_ms, "S3 connect timeout")
      ->envname("S3_CONNECT_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--s3-idle-timeout-ms", c.s3_idle_timeout_ms,
                 "Ends an S3 request that moves no byte for this long")
      ->envname("S3_IDLE_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--s3-attempts", c.s3_attempts,
                 "Tries of an idempotent S3 request (GET, HEAD, PUT, DELETE) before failing")
      ->envname("S3_ATTEMPTS")
      ->check(CLI::Range(1, 10))
      ->capture_default_str();
  cli.add_option("--s3-presign-downloads", c.s3_presign_downloads,
                 "Answer downloads with a 302 to a presigned S3 URL (after the access check)")
      ->envname("S3_PRESIGN_DOWNLOADS")
      ->capture_default_str();
  cli.add_option("--s3-presign-seconds", c.s3_presign_seconds, "Lifetime of a presigned URL")
      ->envname("S3_PRESIGN_SECONDS")
      ->check(CLI::Range(1, 604'800))
      ->capture_default_str();
  // observability (docs/DESIGN.md "Metrics")
  cli.set_version_flag("--version", build::describe("parley-server"));
  cli.add_option("--metrics-port", c.metrics_port,
                 "Separate listener for /metrics only (0 = any free port, -1 = none; /metrics "
                 "is always on --port too)")
      ->envname("METRICS_PORT")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  cli.add_option("--admin-token", c.admin_token,
                 "Token for /dashboard (?token= or Authorization: Bearer); unset: no dashboard")
      ->envname("ADMIN_TOKEN");
  cli.add_option(
         "--dashboard-nodes", c.dashboard_nodes,
         "Comma-separated base URLs the dashboard polls, `self` for this node (default: self)")
      ->envname("DASHBOARD_NODES");

  // ---- hardening (issue 15) ----
  const auto positive = CLI::Range(int64_t{1}, int64_t{1} << 40);
  cli.add_option("--login-failures-per-account", c.login_failures_per_account,
                 "Failed logins per account per window; then 429 until the window ends")
      ->envname("LOGIN_FAILURES_PER_ACCOUNT")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--login-account-window-ms", c.login_account_window_ms,
                 "Window of --login-failures-per-account")
      ->envname("LOGIN_ACCOUNT_WINDOW_MS")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--login-failures-per-ip", c.login_failures_per_ip,
                 "Failed logins per client IP per window; then 429 until the window ends")
      ->envname("LOGIN_FAILURES_PER_IP")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--login-ip-window-ms", c.login_ip_window_ms, "Window of --login-failures-per-ip")
      ->envname("LOGIN_IP_WINDOW_MS")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--registrations-per-ip", c.registrations_per_ip,
                 "Registration attempts per client IP per window; then 429")
      ->envname("REGISTRATIONS_PER_IP")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--register-ip-window-ms", c.register_ip_window_ms,
                 "Window of --registrations-per-ip")
      ->envname("REGISTER_IP_WINDOW_MS")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--allow-password-change-without-current", c.allow_password_change_without_current,
                 "Accept PUT /api/users/profile {newPassword} without a matching currentPassword "
                 "(the original web client's flow; off: the current password is verified)")
      ->envname("ALLOW_PASSWORD_CHANGE_WITHOUT_CURRENT")
      ->capture_default_str();
  cli.add_option("--max-message-chars", c.max_message_chars,
                 "Longest chatMessage content in characters (longer: MESSAGE_REJECTED)")
      ->envname("MAX_MESSAGE_CHARS")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--max-rooms-per-socket", c.max_rooms_per_socket,
                 "Rooms one socket may have joined (beyond: joinRoomError)")
      ->envname("MAX_ROOMS_PER_SOCKET")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--max-sockets-per-user", c.max_sockets_per_user,
                 "Connected Socket.IO sockets per user (beyond: CONNECT_ERROR)")
      ->envname("MAX_SOCKETS_PER_USER")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--max-sockets-per-ip", c.max_sockets_per_ip,
                 "Connected Socket.IO sockets per peer address (beyond: CONNECT_ERROR)")
      ->envname("MAX_SOCKETS_PER_IP")
      ->check(positive)
      ->capture_default_str();
  cli.add_option("--session-end-close-ms", c.session_end_close_ms,
                 "A socket told session_ended is closed this much later")
      ->envname("SESSION_END_CLOSE_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}))
      ->capture_default_str();
  cli.add_option("--session-check-ms", c.session_check_ms,
                 "How often the sessions behind connected sockets are checked (idle expiry, "
                 "replaced, deleted); 0 = never")
      ->envname("SESSION_CHECK_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{86'400'000}))
      ->capture_default_str();

  cli.add_option("--node-id", c.node_id,
                 "This node's id in a cluster (letters, digits, _; prefixes its session ids)")
      ->envname("NODE_ID")
      ->check([](const std::string& v) {
        if (v.size() > 32) return std::string("at most 32 characters");
        for (char ch : v)
          if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
            return std::string("letters, digits and _ only");
        return std::string();
      });
  cli.add_option("--recovery-window-ms", c.recovery_window_ms,
                 "How long a disconnected socket's state is kept for Socket.IO recovery")
      ->envname("RECOVERY_WINDOW_MS")
      ->check(CLI::Range(int64_t{0}, int64_t{3'600'000}))
      ->capture_default_str();
  cli.add_option("--bus-buckets", c.bus_buckets, "Hash-tag buckets of the cluster bus's channels")
      ->envname("BUS_BUCKETS")
      ->check(CLI::Range(1u, 16384u))
      ->capture_default_str();
  cli.add_option("--bus-max-in-flight", c.bus_max_in_flight,
                 "SPUBLISH in flight per node (beyond: a frame is not sent to other nodes, logged)")
      ->envname("BUS_MAX_IN_FLIGHT")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 24))
      ->capture_default_str();

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = cli.exit(e);
    return false;
  }
  // S3 credentials come from the environment only, under the names every S3 tool uses.
  if (const char* v = std::getenv("AWS_ACCESS_KEY_ID")) c.s3_access_key = v;
  if (const char* v = std::getenv("AWS_SECRET_ACCESS_KEY")) c.s3_secret_key = v;
  apply_openai_aliases(c, ai_key_opt->count() > 0, ai_model_opt->count() > 0);
  return true;
}

void apply_openai_aliases(Config& c, bool key_given, bool model_given) {
  // The Java reference's names: used only when neither the flag nor AI_* set the value.
  if (!key_given) {
    if (const char* key = std::getenv("OPENAI_API_KEY"); key && *key) c.ai_api_key = key;
  }
  if (!model_given) {
    if (const char* model = std::getenv("OPENAI_MODEL"); model && *model) c.ai_model = model;
  }
  // A key without an endpoint only makes sense for OpenAI itself.
  if (c.ai_base_url.empty() && !c.ai_api_key.empty()) c.ai_base_url = kOpenAiBaseUrl;
}

}  // namespace parley::app

// Command line and environment parsing for parley-server (CLI11). Each option names its
// environment variable, so `--help` documents both.
#include "app/config.h"

#include <CLI/CLI.hpp>
#include <cctype>

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
  cli.add_option("--banned-words", c.banned_words_file, "Banned word list, one word per line")
      ->envname("BANNED_WORDS_FILE");
  cli.add_option("--ai-base-url", c.ai_base_url,
                 "OpenAI-compatible API base, e.g. http://127.0.0.1:11434/v1 (empty: AI off)")
      ->envname("AI_BASE_URL");
  cli.add_option("--ai-api-key", c.ai_api_key, "Bearer key for the AI endpoint (prefer the env)")
      ->envname("AI_API_KEY");
  cli.add_option("--ai-model", c.ai_model, "Model name sent to the AI endpoint")
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
  return true;
}

}  // namespace parley::app

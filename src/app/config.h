// Config: every setting of parley-server, each a flag and an environment variable (config.cc,
// CLI11). Parsed once in main and handed to run_server(), which copies what each layer needs
// into that layer's own options; nothing below app/ reads the environment.
#pragma once

#include <cstdint>
#include <string>

namespace parley::app {

struct Config {
  // listening
  std::string host = "0.0.0.0";
  int port = 5001;     // REST, web client and Socket.IO; 0 picks a free port
  int ws_port = 5002;  // Socket.IO only, as the contract's clients expect; 0 disables
  int threads = 0;     // event loops; 0 = hardware threads

  // storage and files
  std::string data_dir = "./data";
  std::string storage = "sqlite";  // the only engine so far
  int store_read_threads = 2;
  std::string upload_dir;                                    // empty: <data_dir>/uploads
  int file_io_threads = 2;                                   // disk workers of the upload store
  bool upload_sync = true;                                   // fdatasync uploads before publishing
  uint64_t upload_request_bytes = 50 * 1024 * 1024 + 65536;  // whole upload request (413 beyond)
  uint64_t upload_image_bytes = 10 * 1024 * 1024;            // per kind (§5.3)
  uint64_t upload_video_bytes = 50 * 1024 * 1024;
  uint64_t upload_audio_bytes = 20 * 1024 * 1024;
  uint64_t upload_document_bytes = 20 * 1024 * 1024;
  uint64_t profile_image_bytes = 5 * 1024 * 1024;  // §2.2

  // auth
  std::string jwt_secret;  // empty: generated once and kept in data_dir/jwt_secret
  int64_t session_idle_ms = 30 * 60 * 1000;
  int64_t token_ttl_ms = 24 * 60 * 60 * 1000;
  int hash_threads = 2;
  uint64_t password_mem_kib = 19 * 1024;  // argon2id; OWASP minimum is 19 MiB
  uint64_t password_ops = 2;

  // HTTP limits
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 * 1024;
  int64_t header_timeout_ms = 10'000;
  int64_t body_timeout_ms = 30'000;
  int64_t idle_timeout_ms = 65'000;
  int max_connections = 19'000;

  // rate limits (contract §5.1)
  int rooms_rate_limit = 10'000;
  int64_t rooms_rate_window_ms = 30'000;
  int chat_rate_limit = 10'000;
  int64_t chat_rate_window_ms = 60'000;

  // Socket.IO (Engine.IO v4)
  int64_t ping_interval_ms = 25'000;
  int64_t ping_timeout_ms = 60'000;
  int64_t connect_timeout_ms = 45'000;
  uint64_t max_payload = 1'000'000;
  uint64_t outbound_queue_bytes = 4 << 20;  // per connection; beyond it: slow consumer, closed
  std::string conformance;                  // "", "engine.io" or "socket.io"

  // web client
  std::string web_root;  // built web client (web/dist); empty: not served

  // chat rules
  std::string banned_words_file;  // empty: the built-in contract list; "none": no filter

  // AI assistants (§3.7; docs/AI.md)
  std::string ai_base_url;  // OpenAI-compatible endpoint; empty: assistants answer with an error
  std::string ai_api_key;   // empty: no Authorization header
  std::string ai_model = "gpt-4.1-mini";
  std::string ai_assistants_file;  // empty: built-in wayneAI and consultingAI
  int64_t ai_connect_timeout_ms = 5'000;
  int64_t ai_idle_timeout_ms = 30'000;
  int64_t ai_total_timeout_ms = 120'000;
  int ai_max_per_room = 2;  // generations at once
  int ai_max_total = 32;
  uint64_t ai_max_reply_bytes = 64 * 1024;
  int ai_context_messages = 20;  // earlier room messages sent with a question

  // Redis Cluster storage (--storage redis)
  std::string redis_nodes;     // seeds "host:port,host:port"
  std::string redis_password;  // empty: no AUTH
  int64_t redis_timeout_ms = 2'000;
  int64_t redis_connect_timeout_ms = 1'000;
  int redis_wait_replicas = 1;  // WAIT for this many replicas before acknowledging a write
  int64_t redis_wait_ms = 200;
  std::string redis_key_prefix;

  std::string log_level = "info";

  // object storage for uploads and profile images (files/s3_blob_store.h)
  std::string blob_store = "local";  // local (upload_dir) | s3
  std::string s3_endpoint;           // e.g. http://127.0.0.1:4569
  std::string s3_bucket;
  std::string s3_region = "us-east-1";
  bool s3_path_style = true;                 // endpoint/bucket/key (false: bucket.host/key)
  uint64_t s3_part_bytes = 8 * 1024 * 1024;  // multipart part; also the most one upload buffers
  uint64_t s3_read_bytes = 1024 * 1024;      // one ranged GET while streaming a download
  int64_t s3_timeout_ms = 60'000;            // one request, start to end
  int64_t s3_connect_timeout_ms = 5'000;
  int64_t s3_idle_timeout_ms = 15'000;  // no byte moving for this long
  int s3_attempts = 3;                  // tries of an idempotent request (backoff 100 ms, x2)
  bool s3_presign_downloads = false;    // 302 to a presigned GET after the access check
  int s3_presign_seconds = 300;
  // From AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY only: never a flag (argv is world-readable).
  std::string s3_access_key;
  std::string s3_secret_key;
  // observability (docs/DESIGN.md "Metrics")
  int metrics_port = -1;            // a /metrics-only listener; -1: none, 0: any free port
  std::string admin_token;          // /dashboard; empty: no dashboard (404)
  std::string dashboard_nodes;      // comma-separated base URLs for the dashboard; empty: itself
  std::string log_format = "text";  // text | json (one object a line)
  std::string access_log;           // "": none; "-": stdout; else a file
  // Load balancer health (/health/ready): a store ping slower than this is "not ready"; on
  // SIGTERM the server answers 503 there for drain_delay_ms before it stops accepting.
  int64_t ready_timeout_ms = 1'000;
  int64_t drain_delay_ms = 0;
  // hardening (issue 15): brute-force limits, connection and message limits, session ends,
  // single instance
  int64_t login_failures_per_account = 10;  // failed logins per account per window
  int64_t login_account_window_ms = 15 * 60 * 1000;
  int64_t login_failures_per_ip = 10'000;  // failed logins per client IP per window
  int64_t login_ip_window_ms = 60 * 1000;
  int64_t registrations_per_ip = 10'000;  // registration attempts per client IP per window
  int64_t register_ip_window_ms = 60 * 1000;
  bool allow_password_change_without_current = false;
  int64_t max_message_chars = 1'000'000;  // the contract accepts frames of 1 MB (§3.1)
  int64_t max_rooms_per_socket = 100;
  int64_t max_sockets_per_user = 50;
  int64_t max_sockets_per_ip = 10'000;
  int64_t session_end_close_ms = 1'000;  // session_ended, then the close this much later
  int64_t session_check_ms = 60'000;     // sessions behind connected sockets checked this often
  // scale-out (several nodes behind a load balancer; docs/CLUSTER.md)
  std::string node_id;                   // empty: "n<port>", or a random token when the port is 0
  int64_t recovery_window_ms = 120'000;  // Socket.IO connection state recovery
  uint32_t bus_buckets = 64;             // hash-tag buckets of the cluster bus's channels
  uint64_t bus_max_in_flight = 65536;    // SPUBLISH in flight per node
};

// Parses argv and the environment (flags win). On --help or an error, fills `exit_code` and
// returns false after printing.
bool parse_config(int argc, char** argv, Config& out, int& exit_code);

// The Java reference's AI settings as aliases (issue 16): OPENAI_API_KEY and OPENAI_MODEL fill
// the key and model unless --ai-api-key / AI_API_KEY (resp. --ai-model / AI_MODEL) were given;
// a key with no base URL selects kOpenAiBaseUrl. Called by parse_config.
inline constexpr const char* kOpenAiBaseUrl = "https://api.openai.com/v1";
void apply_openai_aliases(Config& c, bool key_given, bool model_given);

}  // namespace parley::app

// Config: every setting of parley-server, each a flag and an environment variable. Parsed once in
// main and passed down by value; nothing below app/ reads the environment.
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
  std::string storage = "sqlite";  // sqlite | redis (scale-out)
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
  std::string banned_words_file;  // empty: no banned words

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

  // scale-out (several nodes behind a load balancer; docs/CLUSTER.md)
  std::string node_id;                   // empty: "n<port>", or a random token when the port is 0
  int64_t recovery_window_ms = 120'000;  // Socket.IO connection state recovery
  uint32_t bus_buckets = 64;             // hash-tag buckets of the cluster bus's channels
  uint64_t bus_max_in_flight = 65536;    // SPUBLISH in flight per node
};

// Parses argv and the environment (flags win). On --help or an error, fills `exit_code` and
// returns false after printing.
bool parse_config(int argc, char** argv, Config& out, int& exit_code);

}  // namespace parley::app

// See telemetry.h. The metric names are the contract with parley-load and dashboards (see
// docs/DESIGN.md "Metrics"); keep them.
#include "app/telemetry.h"

#include "api/rest_handler.h"
#include "app/timed_store.h"
#include "bus/hub.h"
#include "chat/password.h"
#include "core/build_info.h"
#include "eio/server.h"
#include "metrics/process.h"
#include "net/http_server.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::app {

std::vector<std::string> counted_events() {
  return {// client to server (contract §3)
          "chatMessage", "joinRoom", "leaveRoom", "markMessagesAsRead", "fetchPreviousMessages",
          "messageReaction",
          // server to client
          "message", "messageLoadStart", "previousMessagesLoaded", "messagesRead",
          "messageReactionUpdate", "participantsUpdate", "joinRoomSuccess", "joinRoomError",
          "roomCreated", "roomUpdated", "session_ended", "duplicate_login", "error",
          "aiMessageStart", "aiMessageChunk", "aiMessageComplete", "aiMessageError"};
}

Telemetry::Telemetry(size_t n)
    : loops(std::vector<boost::asio::io_context*>(n, nullptr)),
      events_in(counted_events(), loops),
      events_out(counted_events(), loops),
      api(loops, api::RestHandler::route_patterns(), &events_out) {}

void Telemetry::attach_loops(std::vector<boost::asio::io_context*> l) {
  loops = metrics::LoopSet(std::move(l));
}

namespace {

void counter(metrics::Exposition& out, std::string_view name, std::string_view help, double v) {
  out.family(name, "counter", help);
  out.sample(name, v);
}
void gauge(metrics::Exposition& out, std::string_view name, std::string_view help, double v) {
  out.family(name, "gauge", help);
  out.sample(name, v);
}

void named(metrics::Exposition& out, std::string_view name, std::string_view help,
           const metrics::NamedCounters& c) {
  out.family(name, "counter", help);
  c.each([&](std::string_view event, uint64_t n) {
    out.sample(name, static_cast<double>(n), {{"event", event}});
  });
}

}  // namespace

void Telemetry::register_components(const Components& c) {
  registry.add([](metrics::Exposition& out) {
    out.family("parley_build_info", "gauge", "The build: version and git commit; always 1.");
    out.sample("parley_build_info", 1,
               {{"version", build::version()}, {"commit", build::commit()}});
    metrics::collect_process(out);
  });
  if (c.rest) {
    registry.add([rest = c.rest, ws = c.ws](metrics::Exposition& out) {
      out.family("parley_http_connections", "gauge", "Open TCP connections, by listener.");
      out.sample("parley_http_connections", rest->connections(), {{"listener", "rest"}});
      if (ws) out.sample("parley_http_connections", ws->connections(), {{"listener", "ws"}});
      gauge(out, "parley_http_in_flight", "REST requests being handled.",
            rest->in_flight() + (ws ? ws->in_flight() : 0));
    });
  }
  registry.add([this](metrics::Exposition& out) {
    api.http.collect(out);
    named(out, "parley_sio_events_in_total", "Socket.IO events received, by event name.",
          events_in);
    named(out, "parley_sio_events_out_total",
          "Socket.IO events emitted, by event name: a broadcast counts once, a direct emit once.",
          events_out);
    uint64_t streams = 0, chunks = 0, errors = 0;
    auto add = [&](const api::AiCells& a) {
      streams += a.streams.get();
      chunks += a.chunks.get();
      errors += a.errors.get();
    };
    api.ai.each(add);
    counter(out, "parley_ai_streams_total", "AI generations started.", streams);
    counter(out, "parley_ai_chunks_total", "AI reply chunks (aiMessageChunk) sent.", chunks);
    counter(out, "parley_ai_errors_total", "AI generations that ended in an error.", errors);
  });
  if (c.engine) {
    registry.add([engine = c.engine](metrics::Exposition& out) {
      const eio::StatsTotal s = engine->stats();
      out.family("parley_sio_sockets", "gauge", "Open Engine.IO sessions, by transport.");
      out.sample("parley_sio_sockets", static_cast<double>(s.polling), {{"transport", "polling"}});
      out.sample("parley_sio_sockets", static_cast<double>(s.websocket),
                 {{"transport", "websocket"}});
      counter(out, "parley_ws_frames_written_total", "WebSocket frames queued for writing.",
              static_cast<double>(s.frames_written));
      counter(out, "parley_ws_bytes_written_total", "Bytes written to WebSockets.",
              static_cast<double>(s.bytes_written));
      counter(out, "parley_write_passes_total", "Event-loop write passes.",
              static_cast<double>(s.write_passes));
      counter(out, "parley_slow_consumer_closes_total",
              "Sessions closed because their outbound queue passed the cap.",
              static_cast<double>(s.slow_consumer_closes));
      out.family("parley_write_pass_duration_seconds", "histogram",
                 "Time of each write pass (parked broadcasts delivered, sockets flushed).");
      out.histogram("parley_write_pass_duration_seconds", s.pass_duration);
    });
  }
  if (c.hub) {
    registry.add([hub = c.hub](metrics::Exposition& out) {
      gauge(out, "parley_hub_groups",
            "Socket.IO groups (rooms, user channels, room-list) with members, once per loop.",
            static_cast<double>(hub->group_count()));
      out.family("parley_broadcast_delivery_seconds", "histogram",
                 "Broadcast publish to frame queued on the members' connections, per loop.");
      out.histogram("parley_broadcast_delivery_seconds", hub->delivery_delay());
    });
  }
  if (c.store) {
    registry.add([store = c.store](metrics::Exposition& out) { store->collect(out); });
  }
  if (c.sqlite) {
    registry.add([db = c.sqlite](metrics::Exposition& out) {
      const auto s = db->writer_stats();
      gauge(out, "parley_store_queue_depth", "Writes waiting for the SQLite writer's next batch.",
            static_cast<double>(s.queue_depth));
      gauge(out, "parley_store_read_queue_depth", "Reads waiting for a SQLite reader thread.",
            static_cast<double>(db->read_queue_depth()));
      counter(out, "parley_store_batches_total", "Group-commit transactions.",
              static_cast<double>(s.batches));
      out.family("parley_store_batch_size", "histogram", "Writes per group-commit transaction.");
      out.histogram("parley_store_batch_size", s.batch_sizes);
    });
  }
  if (c.hasher) {
    registry.add([hasher = c.hasher](metrics::Exposition& out) {
      const auto& s = hasher->stats();
      const uint64_t submitted = s.submitted.get(), started = s.started.get();
      gauge(out, "parley_hash_queue_depth", "Password hashes waiting for a hashing thread.",
            static_cast<double>(submitted > started ? submitted - started : 0));
      metrics::Snapshot d;
      s.duration.add_to(d);
      out.family("parley_hash_duration_seconds", "histogram",
                 "Password hash or verify, from request to result (queueing included).");
      out.histogram("parley_hash_duration_seconds", d);
    });
  }
}

}  // namespace parley::app

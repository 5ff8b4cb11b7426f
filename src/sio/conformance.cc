// See conformance.h: event loops, the HTTP listener, the mode's handler, and a signal wait.
#include "sio/conformance.h"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "net/http_server.h"
#include "sio/conformance_handlers.h"

namespace parley::sio {

namespace asio = boost::asio;

eio::Options conformance_engine_options() {
  eio::Options o;
  o.ping_interval = std::chrono::milliseconds(300);
  o.ping_timeout = std::chrono::milliseconds(200);
  o.max_payload = 1000000;
  o.cors_any = true;
  return o;
}

int run_conformance(std::string mode, std::string host, uint16_t port, unsigned threads) {
  if (mode != "engine.io" && mode != "socket.io") {
    spdlog::critical("conformance: unknown mode '{}' (engine.io or socket.io)", mode);
    return 2;
  }
  threads = std::max(1u, threads);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::io_context*> loop_ptrs;
  for (unsigned i = 0; i < threads; ++i) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    loop_ptrs.push_back(loops.back().get());
  }

  EchoEngineHandler echo;
  ConformanceSocketHandler sockets;
  NullGroups groups;
  std::unique_ptr<eio::Server> engine;
  std::unique_ptr<Server> io;
  net::HttpHandler* handler = nullptr;
  if (mode == "engine.io") {
    eio::Options options = conformance_engine_options();
    options.path = "/engine.io/";
    engine = std::make_unique<eio::Server>(loop_ptrs, options, echo);
    handler = engine.get();
  } else {
    Options options;
    options.engine = conformance_engine_options();
    options.connect_timeout = std::chrono::milliseconds(1000);
    options.namespaces = {"/", "/custom"};
    io = std::make_unique<Server>(loop_ptrs, sockets, groups, options);
    handler = &io->http();
  }

  net::HttpServer http{loop_ptrs, *handler, net::HttpLimits{}};
  if (auto r = http.listen(host, port); !r) {
    spdlog::critical("conformance: {}", r.error().detail);
    return 1;
  }
  std::vector<std::thread> workers;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& loop : loops) {
    guards.push_back(asio::make_work_guard(*loop));
    workers.emplace_back([l = loop.get()] { l->run(); });
  }
  std::printf("Parley %s conformance server on http://%s:%u/\n", mode.c_str(), host.c_str(),
              http.port());
  std::fflush(stdout);

  asio::io_context control;
  asio::signal_set signals{control, SIGINT, SIGTERM};
  signals.async_wait([](const boost::system::error_code&, int) {});
  control.run();

  http.stop_accepting();
  if (engine) engine->close_all();
  if (io) io->close_all();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let close frames go out
  guards.clear();
  for (auto& loop : loops)
    loop->stop();
  for (auto& t : workers)
    t.join();
  return 0;
}

}  // namespace parley::sio

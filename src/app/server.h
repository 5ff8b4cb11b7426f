// Server: parley-server assembled from its layers: event loops, store, hasher, handlers and
// listeners, plus the orderly shutdown. server_main.cc only parses the config and calls
// run_server().
#pragma once

#include "app/config.h"

namespace parley::app {

// Runs until SIGINT/SIGTERM; returns the process exit code.
int run_server(const Config& config);

}  // namespace parley::app

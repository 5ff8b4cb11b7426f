// parley-server: the chat service (REST API, Socket.IO, web client).
#include "app/config.h"
#include "app/server.h"

int main(int argc, char** argv) {
  parley::app::Config config;
  int exit_code = 0;
  if (!parley::app::parse_config(argc, argv, config, exit_code)) return exit_code;
  return parley::app::run_server(config);
}

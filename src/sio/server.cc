// See server.h.
#include "sio/server.h"

#include <algorithm>

#include "sio/connection.h"

namespace parley::sio {

Server::Server(std::vector<boost::asio::io_context*> loops, SocketHandler& handler, Groups& groups,
               Options options)
    : handler_(handler),
      binary_handler_(dynamic_cast<BinaryEventHandler*>(&handler)),
      groups_(groups),
      options_(std::move(options)),
      engine_(std::move(loops), options_.engine, *this) {}

Server::~Server() = default;

void Server::on_open(const eio::SessionPtr& session) {
  auto connection = std::make_shared<Connection>(*this, session);
  session->set_listener(connection);
  connection->start();
}

bool Server::has_namespace(std::string_view nsp) const {
  return std::find(options_.namespaces.begin(), options_.namespaces.end(), nsp) !=
         options_.namespaces.end();
}

}  // namespace parley::sio

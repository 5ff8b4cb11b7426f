// Dialing helpers shared by parley-load's HTTP and Socket.IO clients: opening a socket bound to
// a source address, the server's endpoint, and turning an error into the reason a report shows.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

#include "load/guard.h"

namespace parley::load {

// "timeout", "<stage>: connection closed", "<stage>: <message>".
std::string describe(const boost::system::error_code& ec, std::string_view stage);

// Opens the socket and binds it to `source` (if any) without taking a port yet: with
// IP_BIND_ADDRESS_NO_PORT the port is chosen at connect() time per destination, so each source
// address offers the whole ephemeral range to every server port.
boost::system::error_code open_bound(boost::asio::ip::tcp::socket& sock,
                                     const boost::asio::ip::tcp::endpoint& peer,
                                     const std::string& source);

boost::asio::ip::tcp::endpoint endpoint_of(const Target& t);

}  // namespace parley::load

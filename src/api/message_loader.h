// Builds Message JSON for a batch of stored messages: one user lookup for all senders and one
// file lookup per referenced file (§1 Message). Used by history loads and joinRoom.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <vector>

#include "api/services.h"
#include "api/views.h"

namespace parley::api {

asio::awaitable<Result<boost::json::array>> load_message_views(
    Services& s, const std::vector<chat::Message>& messages);

}  // namespace parley::api

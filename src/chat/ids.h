// Identifier generation for the domain: Mongo-ObjectId-shaped record ids (the contract's 24
// lowercase hex, which the e2e tests match by URL) and session ids (32 lowercase hex).
// Ids come from many event-loop threads at once, so generation takes no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/model.h"

namespace parley::chat {

// 4-byte big-endian seconds timestamp, 5 random bytes per thread, 3-byte process-wide counter.
// Ids made later in time sort after earlier ones (at one-second granularity), which the store
// relies on for its `_id` tie-break.
Id new_object_id();
// Same, with an explicit timestamp (seconds since the epoch); for tests and backfills.
Id new_object_id(uint32_t epoch_seconds);

// Exactly 24 characters of [0-9a-f]. Upper-case hex is rejected: every id this server issues
// is lower-case and lookups compare strings, so an upper-case id could never be found anyway.
bool is_object_id(std::string_view s);

// The seconds timestamp embedded in an id; 0 when `id` is not an object id.
uint32_t object_id_seconds(std::string_view id);

// 16 random bytes with the UUIDv4 version/variant bits set, as 32 lowercase hex (no dashes).
std::string new_session_id();

// `bytes` random bytes as 2*bytes lowercase hex.
std::string random_hex(size_t bytes);

}  // namespace parley::chat

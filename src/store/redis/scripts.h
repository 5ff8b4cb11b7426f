// Scripts: the Lua scripts the RedisStore runs, each inside one slot (every key it touches
// shares one hash tag), so each is atomic on the master owning that slot. Sources are in
// scripts.cc with a comment per script on its KEYS, ARGV and reply.
#pragma once

#include "redis/cluster.h"

namespace parley::store::redis::scripts {

using parley::redis::Script;

const Script& del_if_equal();      // compare-and-delete of a string key
const Script& persist_if_equal();  // drop the TTL of a reservation that is still ours
const Script& create_user();
const Script& hset_if_exists();
const Script& replace_session();
const Script& touch_session();
const Script& delete_session_if();
const Script& create_room();
const Script& join_room();
const Script& leave_room();
const Script& index_room();
const Script& search_rooms();
const Script& append_message();
const Script& fetch_messages();
const Script& mark_read();
const Script& update_reaction();
const Script& create_file();

}  // namespace parley::store::redis::scripts

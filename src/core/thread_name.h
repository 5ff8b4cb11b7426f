// Names for the threads the server creates (loop-N, sqlite-writer, hash-N, …), so `top -H`,
// perf and /proc/<pid>/task/*/comm show which part of the server a thread is. Linux keeps at
// most 15 bytes of a name; longer names are cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/thread_pool.hpp>

namespace parley {

// Names the calling thread.
void set_thread_name(std::string_view name);
// The calling thread's name ("" if it cannot be read).
const std::string& thread_name();

// Names each of the `threads` threads of `pool` "<prefix>-<i>". Blocks until every one has run
// its naming task: the tasks wait for each other, so no thread can take two of them.
void name_pool_threads(boost::asio::thread_pool& pool, std::size_t threads,
                       std::string_view prefix);

}  // namespace parley

// The process collector: CPU seconds, resident memory, open descriptors, threads and start time
// of this process, read from /proc/self at scrape time (Linux), under the names every
// Prometheus client library uses (process_cpu_seconds_total, process_resident_memory_bytes,
// process_open_fds, process_max_fds, process_threads, process_start_time_seconds).
#pragma once

#include "metrics/exposition.h"

namespace parley::metrics {

void collect_process(Exposition& out);

}  // namespace parley::metrics

// Runs a whole parley-load invocation: one in-process Engine (--procs 1) or N forked worker
// processes, the live status, the merge of every second's samples and the final outputs.
//
// Worker processes exist because one process may hold at most 20,000 descriptors. Each worker
// writes its samples to its own pipe as JSON lines; the parent merges them second by second
// (Aggregator), so counters add up and histograms merge exactly. Workers register their share of
// --prepare-users, report "ready", and start their clocks together when the parent says go.
#pragma once

#include "load/config.h"

namespace parley::load {

// Returns the process exit status: 0 pass, 1 failures observed, 2 could not run.
int run_load(const Config& config);

}  // namespace parley::load

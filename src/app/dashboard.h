// The live dashboard page (GET /dashboard, see front.h): one self-contained HTML page, no CDN,
// charts drawn by hand on canvases. It polls each node's /metrics once a second, keeps the last
// five minutes in a ring buffer per node, and plots connections, messages per second, delivery
// (write pass) and store latencies, CPU and memory, one line per node.
#pragma once

#include <string>
#include <vector>

namespace parley::app {

// `nodes`: base URLs to poll ("http://10.0.0.2:5001", "self" for the page's own origin);
// empty: only the page's own origin.
std::string dashboard_page(const std::vector<std::string>& nodes);

}  // namespace parley::app

// The JWT secret: given by configuration, or generated once and kept in the data directory so
// that tokens survive restarts. Never a literal in the code.
#pragma once

#include <string>

#include "core/result.h"

namespace parley::app {

Result<std::string> load_or_create_secret(const std::string& data_dir);

}  // namespace parley::app

// The one translation unit that compiles Asio's and Beast's implementation (the build defines
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION), which keeps every
// other file's compile time down.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>

// Boost.Asio, its SSL layer and Beast, compiled once for the whole program: their "separate
// compilation" mode (BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION, set
// for every user in CMakeLists.txt), in which the other files see only declarations of the
// libraries' non-template functions. Compiled inline, they cost each file that includes Beast
// tens of seconds; the server's file alone took three minutes at -O3 (docs/BENCHMARKS.md, CI).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

// Replaces cpp-httplib's wait for a kept-alive connection's next request.
// Debian 12's libcpp-httplib (0.11.4) waits in a loop of 10 ms polls, each
// followed by a clock read and a 1 ms sleep: every idle connection of a
// server (the simulator's, kept open by sbrgate's connection pool) woke its
// thread about 90 times a second, 6% of the embedded daemon's CPU and a
// millisecond's delay for a request that arrived during a sleep. The library
// calls this function through its PLT, so this definition in the executable
// takes its place; one blocking poll until a byte or the timeout behaves the
// same. (Where it does not take its place, as in a test linked against
// shared libraries that come first, the library's loop serves as before.)
#include <poll.h>

#include <ctime>

namespace httplib::detail {

bool keep_alive(int sock, time_t keep_alive_timeout_sec) {
  pollfd fd{};
  fd.fd = sock;
  fd.events = POLLIN;
  // Ready with data, a closed peer or an error: the caller's read tells which.
  return ::poll(&fd, 1, static_cast<int>(keep_alive_timeout_sec * 1000)) > 0;
}

}  // namespace httplib::detail

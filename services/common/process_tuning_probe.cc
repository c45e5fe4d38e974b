// For process_tuning_test: says when it starts (before TuneDaemonProcess,
// so a second start shows), then what it runs with.
//
//   process_tuning_probe ARG...  prints "start PID" per start, then
//                                "tuned PID NAME GLIBC_TUNABLES ARG..."
//                                (NAME: the process's, /proc/self/comm)
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "services/common/process_tuning.h"

int main(int argc, char** argv) {
  std::printf("start %d\n", static_cast<int>(::getpid()));
  std::fflush(stdout);
  sbrgate::TuneDaemonProcess(argv);
  const char* tunables = ::getenv("GLIBC_TUNABLES");
  std::ifstream comm("/proc/self/comm");
  std::string name;
  std::getline(comm, name);
  std::printf("tuned %d %s %s", static_cast<int>(::getpid()), name.c_str(),
              tunables == nullptr ? "-" : tunables);
  for (int i = 1; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\n");
  return 0;
}

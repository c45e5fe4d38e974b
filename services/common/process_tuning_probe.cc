// For process_tuning_test: prints the file of the shared object that
// defines the malloc this process calls, after TuneProcess().
#include <dlfcn.h>
#include <stdlib.h>

#include <cstdio>

#include "services/common/process_tuning.h"

int main() {
  sbrgate::TuneProcess();
  Dl_info info;
  if (::dladdr(reinterpret_cast<void*>(&::malloc), &info) == 0 || info.dli_fname == nullptr) {
    std::printf("malloc: unknown\n");
    return 1;
  }
  std::printf("malloc: %s\n", info.dli_fname);
  return 0;
}

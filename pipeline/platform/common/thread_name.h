// NameThisThread: names the calling thread as `top -H`, `ps -L`, perf and gdb
// show it, so that an operator sees which stage's threads use the CPU.
//
//   std::thread([] { NameThisThread("submit"); ... });
//
// Linux keeps 15 bytes of a name; a longer one is cut there.
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_THREAD_NAME_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_THREAD_NAME_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sbrgate {

void NameThisThread(absl::string_view name);

// The calling thread's name.
std::string ThisThreadName();

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_THREAD_NAME_H_

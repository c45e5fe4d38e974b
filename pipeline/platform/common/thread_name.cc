#include "pipeline/platform/common/thread_name.h"

#include <pthread.h>

namespace sbrgate {
namespace {

constexpr size_t kMaxNameBytes = 15;  // the kernel's TASK_COMM_LEN, less the NUL

}  // namespace

void NameThisThread(absl::string_view name) {
  const std::string kept(name.substr(0, kMaxNameBytes));
  pthread_setname_np(pthread_self(), kept.c_str());
}

std::string ThisThreadName() {
  char name[kMaxNameBytes + 1] = "";
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "";
  return name;
}

}  // namespace sbrgate

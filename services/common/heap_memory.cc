#include "services/common/heap_memory.h"

#include <malloc.h>

namespace sbrgate {
namespace {

constexpr int kHeapArenas = 4;
constexpr int kKeptFreedBytesPerArena = 32 << 20;

}  // namespace

void KeepFreedHeapMemory() {
  ::mallopt(M_ARENA_MAX, kHeapArenas);
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  ::mallopt(M_TRIM_THRESHOLD, kKeptFreedBytesPerArena);
}

}  // namespace sbrgate

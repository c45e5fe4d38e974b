#include "services/common/heap_memory.h"

#include <malloc.h>

namespace sbrgate {

void KeepFreedHeapMemory() {
  ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

}  // namespace sbrgate

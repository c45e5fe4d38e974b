// How the process's heap keeps memory it frees, set once at start by every
// sbrgate executable (ParseDashedCommandLine; the CLI's main).
//
// Streams move in messages of hundreds of kilobytes (gRPC upload chunks,
// SBR bodies, blob reads). With glibc's defaults each such buffer, once
// freed, lets the heap shrink past the dynamic trim threshold, so the next
// one faults in fresh zeroed pages: lodging a 409 MiB pay event cost the CLI
// 2.4 s of kernel time in page faults and brk for 0.2 s of its own work.
// Keeping up to 128 MiB of freed memory, and serving blocks below 32 MiB
// from the heap, takes that to nothing; peak memory is unchanged.
//
//   int main(int argc, char** argv) {
//     sbrgate::KeepFreedHeapMemory();
#ifndef SBRGATE_SERVICES_COMMON_HEAP_SETTINGS_H_
#define SBRGATE_SERVICES_COMMON_HEAP_SETTINGS_H_

#include <malloc.h>

namespace sbrgate {

inline void KeepFreedHeapMemory() {
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest on 64-bit
  ::mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_HEAP_SETTINGS_H_

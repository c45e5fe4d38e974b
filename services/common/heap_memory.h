// KeepFreedHeapMemory: glibc malloc settings for processes that move large
// payloads through memory (uploads and pushes of hundreds of megabytes in
// 256 KiB messages). Call first thing in main().
//
//   int main(int argc, char** argv) {
//     sbrgate::KeepFreedHeapMemory();
//     ...
//
// With glibc's defaults, each freed message buffer lets the heap shrink
// past its dynamic trim threshold (or goes back to the kernel as an mmap of
// its own), so the next one faults in fresh zeroed pages: lodging a 409 MiB
// pay event cost the CLI 2.4 s of kernel time in page faults for 0.2 s of
// its own work, and the daemon 60,000 to 80,000 page faults, mostly the
// kernel filling gRPC's freshly allocated receive buffers. Serving blocks
// under 4 MiB from the heap and keeping up to 32 MiB of freed memory per
// arena stops that (a few thousand faults per lodge once warm). What is
// kept is bounded by capping the arenas at four: with glibc's default of
// eight per core, each new thread that uploads or pushes could keep 32 MiB
// more, and a daemon's peak RSS climbed with every lodge.
#ifndef SBRGATE_SERVICES_COMMON_HEAP_MEMORY_H_
#define SBRGATE_SERVICES_COMMON_HEAP_MEMORY_H_

namespace sbrgate {

void KeepFreedHeapMemory();

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_HEAP_MEMORY_H_

// TuneProcess: the settings a daemon or the CLI takes first thing in main(),
// for processes that move large payloads through memory (uploads and pushes
// of hundreds of megabytes in 256 KiB messages) and take many short locks.
//
//   int main(int argc, char** argv) {
//     sbrgate::TuneProcess();
//     ...
//
// glibc malloc: with its defaults, each freed message buffer lets the heap
// shrink past its dynamic trim threshold (or goes back to the kernel as an
// mmap of its own), so the next one faults in fresh zeroed pages: lodging a
// 409 MiB pay event cost the CLI 2.4 s of kernel time in page faults for
// 0.2 s of its own work, and the daemon 60,000 to 80,000 page faults, mostly
// the kernel filling gRPC's freshly allocated receive buffers. Serving blocks
// under 4 MiB from the heap and keeping up to 32 MiB of freed memory per
// arena stops that (a few thousand faults per lodge once warm). What is kept
// is bounded by capping the arenas at four: with glibc's default of eight
// per core, each new thread that uploads or pushes could keep 32 MiB more,
// and a daemon's peak RSS climbed with every lodge.
//
// abseil's Mutex: Debian's build keeps a graph of lock order for deadlock
// detection, updated on many Lock calls (GraphCycles in the daemon's
// profile). Tests keep it; a running process does not need it.
#ifndef SBRGATE_SERVICES_COMMON_PROCESS_TUNING_H_
#define SBRGATE_SERVICES_COMMON_PROCESS_TUNING_H_

namespace sbrgate {

void TuneProcess();

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_PROCESS_TUNING_H_

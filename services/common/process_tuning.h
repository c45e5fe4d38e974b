// TuneProcess: the settings a daemon or the CLI takes first thing in main(),
// for processes that move large payloads through memory (uploads and pushes
// of hundreds of megabytes in 256 KiB messages) and take many short locks.
// A daemon calls TuneDaemonProcess instead, which first runs the process
// again with glibc's malloc tunables (below), then tunes it the same way.
//
//   int main(int argc, char** argv) {
//     sbrgate::TuneDaemonProcess(argv);  // the CLI: sbrgate::TuneProcess();
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
// A daemon's threads hand small blocks to each other (a record built on one,
// freed on another), and glibc's per-thread cache keeps only 7 freed blocks
// of a size: the rest go back to their arena under its lock, into fast bins
// that the next large request then consolidates (malloc_consolidate). A cache
// of kThreadCachedBlocks a size took 7 to 16% off the daemon's CPU per
// lodgment (bench/README.md). glibc reads that setting (a tunable) only from
// the environment when a process starts, hence the second start; a
// GLIBC_TUNABLES that already sets it is kept as it is.
//
// abseil's Mutex: Debian's build keeps a graph of lock order for deadlock
// detection, updated on many Lock calls (GraphCycles in the daemon's
// profile). Tests keep it; a running process does not need it.
#ifndef SBRGATE_SERVICES_COMMON_PROCESS_TUNING_H_
#define SBRGATE_SERVICES_COMMON_PROCESS_TUNING_H_

namespace sbrgate {

// Freed blocks of one size each thread keeps for itself (glibc's default: 7).
inline constexpr int kThreadCachedBlocks = 100;

void TuneProcess();

// Unless GLIBC_TUNABLES sets glibc.malloc.tcache_count, executes this
// program again (the file /proc/self/exe names: same pid, name and
// arguments) with it set to kThreadCachedBlocks, added to any other
// tunables; then TuneProcess(). Should that fail, the process goes on as it
// is. Call it before any thread starts.
void TuneDaemonProcess(char** argv);

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_PROCESS_TUNING_H_

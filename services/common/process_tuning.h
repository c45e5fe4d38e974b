// TuneProcess: what every sbrgate executable (the daemon, the stage services,
// the simulator, the CLI) sets up first thing in main(), before any thread
// starts.
//
//   int main(int argc, char** argv) {
//     sbrgate::TuneProcess();
//     ...
//
// Memory: this library links jemalloc (//third_party:jemalloc), which then
// serves every malloc and free of the process, its libraries' included.
// A daemon's threads hand small blocks to each other (a record built on one,
// freed on another: gRPC messages, libxml2 and xmlsec trees, curl and
// RocksDB buffers). glibc's malloc returns such blocks to their arena under
// its lock once its per-thread cache of a size fills, and even with that
// cache raised from 7 to 100 blocks a size (a tunable glibc reads only from
// the environment, so the daemon used to start itself again to set it),
// jemalloc took about a tenth off the daemon's CPU per lodgment
// (bench/README.md). Uploads and pushes of hundreds of megabytes move in
// 256 KiB messages; jemalloc keeps freed pages a few seconds for the next
// ones, so they do not fault in fresh pages, which glibc needed three mallopt
// settings for.
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

// Child processes for the tests that cross process boundaries: start a
// binary from the test's runfiles, read the JSON line it prints when ready,
// and stop it (politely, or with SIGKILL to simulate a crash).
//
//   auto sim = Process::Start("services/sbr-sim/sbr-sim", {"--cert=...", ...});
//   absl::StatusOr<std::string> ready = sim->ReadLine(absl::Seconds(30));
//   sim->Kill(SIGKILL);
//
// In fixtures: Process* kafka = StartOrFail(binary, args, log);
//              std::string ready = ReadyLineOrFail(kafka, log);
#ifndef SBRGATE_TESTS_PROCESS_H_
#define SBRGATE_TESTS_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sbrgate::testing {

// The path of a binary built by Bazel, from the test's runfiles.
std::string RunfilesPath(const std::string& workspace_relative);

class Process {
 public:
  // Starts `binary` (workspace-relative) with `args`; stderr goes to
  // `log_path` (appending), stdout is read with ReadLine.
  static absl::StatusOr<std::unique_ptr<Process>> Start(const std::string& binary,
                                                        const std::vector<std::string>& args,
                                                        const std::string& log_path);
  ~Process();  // SIGTERM, then SIGKILL after 10 s

  // The next line of the child's stdout.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);
  void Kill(int signal);
  // Waits for the child to exit; returns its exit status (or -signal).
  int Wait();
  pid_t pid() const { return pid_; }

 private:
  Process(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  pid_t pid_;
  int out_fd_;
  std::string buffer_;
  bool exited_ = false;
  int exit_status_ = 0;
};

// For test fixtures: Start, or a test failure (naming the log) and null.
Process* StartOrFail(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& log_path);

// The child's ready line, or a test failure (naming the log) and "".
std::string ReadyLineOrFail(Process* process, const std::string& log_path,
                            absl::Duration timeout = absl::Seconds(60));

// A value "key": "value" from a one-line JSON object (the ready lines).
std::string JsonField(const std::string& line, const std::string& key);

}  // namespace sbrgate::testing

#endif  // SBRGATE_TESTS_PROCESS_H_

#include "tests/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sbrgate::testing {

std::string RunfilesPath(const std::string& workspace_relative) {
  const char* root = std::getenv("TEST_SRCDIR");
  return absl::StrCat(root ? root : ".", "/sbrgate/", workspace_relative);
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(const std::string& binary,
                                                        const std::vector<std::string>& args,
                                                        const std::string& log_path) {
  const std::string path = RunfilesPath(binary);
  int out[2];
  if (::pipe(out) != 0) return absl::ErrnoToStatus(errno, "pipe");
  const pid_t pid = ::fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    const int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::close(out[0]);
    // The test blocks no signals the child should see.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    std::fprintf(stderr, "cannot exec %s: %s\n", path.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(out[1]);
  return std::unique_ptr<Process>(new Process(pid, out[0]));
}

Process::~Process() {
  if (!exited_) {
    Kill(SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        break;
      }
      ::usleep(100 * 1000);
    }
    if (!exited_) {
      Kill(SIGKILL);
      Wait();
    }
  }
  ::close(out_fd_);
}

absl::StatusOr<std::string> Process::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat("no line from pid ", pid_, " within ",
                                                      absl::FormatDuration(timeout)));
    }
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(out_fd_, buf, sizeof buf);
    if (n <= 0) return absl::UnavailableError(absl::StrCat("pid ", pid_, " closed its output"));
    buffer_.append(buf, n);
  }
}

void Process::Kill(int signal) {
  if (!exited_) ::kill(pid_, signal);
}

int Process::Wait() {
  if (exited_) return exit_status_;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exited_ = true;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return exit_status_;
}

std::string JsonField(const std::string& line, const std::string& key) {
  const std::string needle = absl::StrCat("\"", key, "\": \"");
  const size_t at = line.find(needle);
  if (at == std::string::npos) return "";
  const size_t start = at + needle.size();
  return line.substr(start, line.find('"', start) - start);
}

Process* StartOrFail(const std::string& binary, const std::vector<std::string>& args,
                     const std::string& log_path) {
  absl::StatusOr<std::unique_ptr<Process>> p = Process::Start(binary, args, log_path);
  if (!p.ok()) {
    ADD_FAILURE() << binary << ": " << p.status() << "; see " << log_path;
    return nullptr;
  }
  return p->release();
}

std::string ReadyLineOrFail(Process* process, const std::string& log_path,
                            absl::Duration timeout) {
  if (process == nullptr) return "";
  absl::StatusOr<std::string> line = process->ReadLine(timeout);
  if (!line.ok()) {
    ADD_FAILURE() << line.status() << "; see " << log_path;
    return "";
  }
  return *line;
}

}  // namespace sbrgate::testing

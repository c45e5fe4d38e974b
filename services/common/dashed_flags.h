// Lets the service executables take GNU-style dashed flags (--time-scale=60)
// while defining them with Abseil, whose flag names are C identifiers
// (time_scale): the dashes in each flag's name (not its value) become
// underscores before Abseil parses the command line. --help lists every
// flag the executable takes (Abseil's default lists only flags defined in a
// file named after the program, which ours are not), and exits 1 as all of
// Abseil's help flags do.
//
// Every service executable starts here, so this is also where the process
// gets umask 077: what it writes (blobs, spool, the local log, RocksDB's
// files, views, the simulator's and the dev PKI's files) is payroll and tax
// data, readable by the service user alone. Library code passes explicit
// 0600/0700 modes too; the umask covers what third-party code creates.
//
//   int main(int argc, char** argv) {
//     sbrgate::ParseDashedCommandLine(argc, argv);
#ifndef SBRGATE_SERVICES_COMMON_DASHED_FLAGS_H_
#define SBRGATE_SERVICES_COMMON_DASHED_FLAGS_H_

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sbrgate {

// `about` says what the program is, on the first line of --help.
inline std::vector<char*> ParseDashedCommandLine(int argc, char** argv,
                                                 absl::string_view about = "") {
  ::umask(077);
  // Abseil takes the usage settings once per process (tests parse again).
  static absl::once_flag usage_once;
  absl::call_once(usage_once, [&] {
    absl::FlagsUsageConfig usage;
    usage.contains_help_flags = [](absl::string_view file) {
      return absl::StartsWith(file, "services/") || absl::StartsWith(file, "pipeline/");
    };
    usage.contains_helpshort_flags = usage.contains_help_flags;
    absl::SetFlagsUsageConfig(usage);
    const std::string program = argc > 0 ? argv[0] : "sbrgate";
    absl::SetProgramUsageMessage(
        absl::StrCat(about.empty() ? "" : absl::StrCat(about, "\n"), "usage: ",
                     program.substr(program.rfind('/') + 1),
                     " [--flag=value ...] (dashes or underscores)"));
  });
  static std::vector<std::string> storage;
  storage.assign(argv, argv + argc);
  for (size_t i = 1; i < storage.size(); ++i) {
    std::string& a = storage[i];
    if (a == "--") break;
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) continue;
    const size_t end = a.find('=');
    for (size_t j = 2; j < std::min(end, a.size()); ++j) {
      if (a[j] == '-') a[j] = '_';
    }
  }
  static std::vector<char*> args;
  args.clear();
  for (std::string& s : storage) args.push_back(s.data());
  return absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
}

}  // namespace sbrgate

#endif  // SBRGATE_SERVICES_COMMON_DASHED_FLAGS_H_

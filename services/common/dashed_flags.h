// Lets the service executables take GNU-style dashed flags (--time-scale=60)
// while defining them with Abseil, whose flag names are C identifiers
// (time_scale): the dashes in each flag's name (not its value) become
// underscores before Abseil parses the command line.
//
//   int main(int argc, char** argv) {
//     sbrgate::ParseDashedCommandLine(argc, argv);
#ifndef SBRGATE_SERVICES_COMMON_DASHED_FLAGS_H_
#define SBRGATE_SERVICES_COMMON_DASHED_FLAGS_H_

#include <string>
#include <vector>

#include "absl/flags/parse.h"

namespace sbrgate {

inline std::vector<char*> ParseDashedCommandLine(int argc, char** argv) {
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

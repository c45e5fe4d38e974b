// sbrgate: the command-line tool for operators, scripts and tests.
#include <cstdio>
#include <cstring>
#include <string>

#include "services/cli/commands.h"

namespace {

struct Group {
  const char* name;
  int (*run)(const sbrgate::cli::Args&);
  const char* usage;
};

constexpr Group kGroups[] = {
    {"ebms", sbrgate::cli::RunEbms, "ebms inspect FILE [--json]"},
    {"payevnt", sbrgate::cli::RunPayevnt,
     "payevnt generate --employees N [--invalid K] [--invalid-employer] [--seed S] -o FILE\n"
     "  payevnt validate FILE [--json]"},
    {"sbr", sbrgate::cli::RunSbr,
     "sbr push FILE | pull MESSAGE_ID | lodge FILE --endpoint=URL --cert=PEM --key=PEM --ca=PEM"},
};

int Usage(FILE* out) {
  std::fprintf(out, "usage: sbrgate COMMAND ...\n");
  for (const Group& g : kGroups) std::fprintf(out, "  %s\n", g.usage);
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(stderr);
  if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    return Usage(stdout);
  }
  for (const Group& g : kGroups) {
    if (argv[1] == std::string(g.name)) return g.run(sbrgate::cli::Args(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "sbrgate: unknown command '%s'\n", argv[1]);
  return Usage(stderr);
}

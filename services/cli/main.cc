// sbrgate: the command-line tool for operators, scripts and tests.
//
// Global options come before the command: --gateway=HOST:PORT (or
// --gateway HOST:PORT) names the gateway for the commands that talk to it,
// as if given to the command itself (an option given after the command
// wins).
#include <cstdio>
#include <cstring>
#include <string>

#include "services/cli/commands.h"

namespace {

struct Group {
  const char* name;
  int (*run)(const sbrgate::cli::Args&);
  const char* usage;
  bool takes_gateway;
};

constexpr Group kGroups[] = {
    {"ebms", sbrgate::cli::RunEbms, "ebms inspect FILE [--json]", false},
    {"payevnt", sbrgate::cli::RunPayevnt,
     "payevnt generate --employees N [--invalid K] [--invalid-employer] [--seed S] -o FILE\n"
     "  payevnt validate FILE [--json]",
     false},
    {"sbr", sbrgate::cli::RunSbr,
     "sbr push FILE | pull MESSAGE_ID | lodge FILE --endpoint=URL --cert=PEM --key=PEM --ca=PEM",
     false},
    {"lodge", sbrgate::cli::RunLodge,
     "lodge FILE [--corrects=ID] [--update] [--prevalidate=hold|off] "
     "[--json]",
     true},
    {"resubmit", sbrgate::cli::RunResubmit, "resubmit ID FILE [--json]", true},
    {"wait", sbrgate::cli::RunWait, "wait ID [--timeout=SECONDS] [--json]", true},
    {"status", sbrgate::cli::RunStatus, "status ID [--json]", true},
    {"list", sbrgate::cli::RunList,
     "list [--abn=ABN] [--state=STATE] [--after=T] [--before=T] "
     "[--page-size=N] [--json]",
     true},
    {"rejections", sbrgate::cli::RunRejections, "rejections [--abn=ABN] [--lodgment=ID] [--json]",
     true},
    {"replay", sbrgate::cli::RunReplay,
     "replay [ID...] [--state=STATE] [--after=T] [--before=T] [--json]\n"
     "  replay ID... --as-new-lodgment [--json]   (a full-file replacement: new MessageId)",
     true},
    {"deadletters", sbrgate::cli::RunDeadLetters,
     "deadletters list [--all] [--json]\n"
     "  deadletters redrive (--id=ID[,ID...] | --all) [--json]",
     true},
    {"poll-plan", sbrgate::cli::RunPollPlan, "poll-plan --employees N [--count K] [--json]", false},
    {"comms", sbrgate::cli::RunComms,
     "comms list [--bulk] [--client=TYPE:VALUE...] --from=YYYY-MM-DD --to=YYYY-MM-DD\n"
     "        --channel=CHANNEL[,CHANNEL...] [--category=NAME] [--sort=sent-date|client-name]\n"
     "        [--desc]\n"
     "  comms get --client=TYPE:VALUE --document=ID [--refetch] [--output=FILE]\n"
     "  comms get --bulk --documents-from=JOB_ID | --document=TYPE:VALUE:ID... [--refetch]\n"
     "  comms sync [--channel=CHANNEL[,CHANNEL...]]\n"
     "  comms jobs [--abn=ABN] | comms jobs JOB_ID [--wait [--timeout=SECONDS]]\n"
     "        (list, get and sync: --abn=ABN --ran=RAN [--user=USER_ID]; all: [--json])",
     true},
    {"log", sbrgate::cli::RunLog,
     "log topics [--data-dir=DIR] [--json]\n"
     "  log tail TOPIC [--data-dir=DIR] [--partition=N] [--from=OFFSET | --since=RFC3339]\n"
     "        [--follow] [--max=N] [--json]\n"
     "        (sbrgated's local log in DIR/log, beside the daemon; DIR defaults to\n"
     "        /var/lib/sbrgate; values decoded as their topic's message type)",
     false},
};

int Usage(FILE* out) {
  std::fprintf(out, "usage: sbrgate [--gateway=HOST:PORT] COMMAND ...\n");
  for (const Group& g : kGroups) std::fprintf(out, "  %s\n", g.usage);
  std::fprintf(out, "--gateway defaults to $SBRGATE_GATEWAY, else 127.0.0.1:50051.\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string gateway;  // empty: not given
  int at = 1;
  for (; at < argc && std::strncmp(argv[at], "--", 2) == 0; ++at) {
    const std::string option = argv[at];
    if (option == "--help") return Usage(stdout);
    if (option.rfind("--gateway=", 0) == 0) {
      gateway = option.substr(std::strlen("--gateway="));
    } else if (option == "--gateway") {
      if (at + 1 < argc) gateway = argv[++at];
    } else {
      std::fprintf(stderr, "sbrgate: unknown global option '%s'\n", option.c_str());
      return Usage(stderr);
    }
    if (gateway.empty()) {
      std::fprintf(stderr, "sbrgate: --gateway needs HOST:PORT\n");
      return Usage(stderr);
    }
  }
  if (at >= argc) return Usage(stderr);
  if (std::strcmp(argv[at], "help") == 0) return Usage(stdout);
  for (const Group& g : kGroups) {
    if (argv[at] != std::string(g.name)) continue;
    sbrgate::cli::Args args;
    if (!gateway.empty()) {
      if (!g.takes_gateway) {
        std::fprintf(stderr,
                     "sbrgate: '%s' does not talk to the gateway; --gateway does not apply\n",
                     g.name);
        return 2;
      }
      args.push_back("--gateway=" + gateway);
    }
    args.insert(args.end(), argv + at + 1, argv + argc);
    return g.run(args);
  }
  std::fprintf(stderr, "sbrgate: unknown command '%s'\n", argv[at]);
  return Usage(stderr);
}

// sbrgate: the command-line tool for operators, scripts and tests.
//
// Global options come before the command: --gateway=HOST:PORT names the
// gateway for the commands that talk to it, and --tls-cert=PEM --tls-key=PEM
// --tls-ca=PEM the client certificate they present (mutual TLS; or
// $SBRGATE_TLS_CERT, $SBRGATE_TLS_KEY, $SBRGATE_TLS_CA), as if given to the
// command itself (an option given after the command wins).

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "services/cli/commands.h"
#include "services/common/process_tuning.h"

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
    {"rejections", sbrgate::cli::RunRejections,
     "rejections [--abn=ABN] [--lodgment=ID] [--page-size=N] [--page-token=TOKEN] [--json]",
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
     "comms list [--bulk] [--client=TYPE:VALUE[=REF]...] --from=YYYY-MM-DD --to=YYYY-MM-DD\n"
     "        --channel=CHANNEL[,CHANNEL...] [--category=NAME] [--sort=sent-date|client-name]\n"
     "        [--desc]\n"
     "  comms get --client=TYPE:VALUE[=REF] --document=ID [--refetch] [--output=FILE]\n"
     "  comms get --bulk --documents-from=JOB_ID | --document=TYPE:VALUE:ID... [--refetch]\n"
     "  comms sync [--channel=CHANNEL[,CHANNEL...]]\n"
     "  comms jobs [--abn=ABN] | comms jobs JOB_ID [--wait [--timeout=SECONDS]]\n"
     "        (list, get and sync: --abn=ABN --ran=RAN [--user=USER_ID]; all: [--json])",
     true},
    {"clients", sbrgate::cli::RunClients,
     "clients search --client=TYPE:VALUE\n"
     "  clients add|validate|remove|validate-remove --client=TYPE:VALUE\n"
     "        [--level=client|account|role] [--account=IT|AS:NNN] [--role=ROLE]\n"
     "  clients list [--client=TYPE:VALUE]\n"
     "  clients addresses list|submit|validate | associates list | contacts submit|validate\n"
     "        | details get|submit|validate | banking list|submit|validate\n"
     "        --client=TYPE:VALUE [--account=IT|AS:NNN] ... (each alone: its usage)\n"
     "        (all: [--abn=ABN --ran=RAN] [--user=USER_ID] [--json])",
     true},
    {"ics", sbrgate::cli::RunIcs,
     "ics register --type=ind|org|abn [--abn=ABN --ran=RAN] [--user=USER_ID]\n"
     "        ind: --family-name [--given-names]; org: --org-name --country;\n"
     "        ind, org: --address-type --address-line... [--locality --state --postcode];\n"
     "        abn: --client-abn [--cac=N]; all: --contact-name [--contact-purpose]\n"
     "        --contact-address... (1 to 6) --role=ROLE[,ROLE...] [--json]",
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
  std::fprintf(out,
               "usage: sbrgate [--gateway=HOST:PORT] [--tls-cert=PEM --tls-key=PEM --tls-ca=PEM] "
               "COMMAND ...\n");
  for (const Group& g : kGroups) std::fprintf(out, "  %s\n", g.usage);
  std::fprintf(out, "--gateway defaults to $SBRGATE_GATEWAY, else 127.0.0.1:50051.\n");
  std::fprintf(out,
               "--tls-cert/--tls-key/--tls-ca default to $SBRGATE_TLS_CERT/_KEY/_CA; without "
               "them, plain text (a gateway on --grpc-insecure-loopback).\n");
  return out == stdout ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  sbrgate::TuneProcess();
  // Global options, forwarded to the command as if given to it.
  std::vector<std::string> global;
  int at = 1;
  for (; at < argc && std::strncmp(argv[at], "--", 2) == 0; ++at) {
    std::string option = argv[at];
    if (option == "--help") return Usage(stdout);
    bool known = false;
    for (const char* name : {"gateway", "tls-cert", "tls-key", "tls-ca"}) {
      const std::string flag = std::string("--") + name;
      if (option == flag && at + 1 < argc) option = flag + "=" + argv[++at];
      if (option.rfind(flag + "=", 0) != 0) continue;
      known = true;
      if (option.size() == flag.size() + 1) {
        std::fprintf(stderr, "sbrgate: %s needs a value\n", flag.c_str());
        return Usage(stderr);
      }
    }
    if (!known) {
      std::fprintf(stderr, "sbrgate: unknown global option '%s'\n", option.c_str());
      return Usage(stderr);
    }
    global.push_back(option);
  }
  if (at >= argc) return Usage(stderr);
  if (std::strcmp(argv[at], "help") == 0) return Usage(stdout);
  for (const Group& g : kGroups) {
    if (argv[at] != std::string(g.name)) continue;
    if (!global.empty() && !g.takes_gateway) {
      std::fprintf(stderr,
                   "sbrgate: '%s' does not talk to the gateway; %s does not apply\n", g.name,
                   global[0].substr(0, global[0].find('=')).c_str());
      return 2;
    }
    sbrgate::cli::Args args = global;
    args.insert(args.end(), argv + at + 1, argv + argc);
    return g.run(args);
  }
  std::fprintf(stderr, "sbrgate: unknown command '%s'\n", argv[at]);
  return Usage(stderr);
}

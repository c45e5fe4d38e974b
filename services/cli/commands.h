// The sbrgate command line: one function per command group. Each takes the
// arguments after the group name and returns the process exit status.
// Machine-readable output (--json) goes to stdout; errors to stderr as
// {"error": {"code": "...", "message": "..."}} when --json is given.
#ifndef SBRGATE_SERVICES_CLI_COMMANDS_H_
#define SBRGATE_SERVICES_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace sbrgate::cli {

using Args = std::vector<std::string>;

int RunEbms(const Args& args);     // ebms inspect FILE [--json]
int RunPayevnt(const Args& args);  // payevnt generate|validate ...
int RunSbr(const Args& args);      // sbr push|pull|lodge ...

// The lodgment pipeline's gateway (lodgment_command.cc). Each takes
// --gateway=HOST:PORT (main.cc also accepts it before the command).
int RunLodge(const Args& args);       // lodge FILE [--corrects=ID] [--update] ...
int RunResubmit(const Args& args);    // resubmit ID FILE
int RunWait(const Args& args);        // wait ID [--timeout=SECONDS]
int RunStatus(const Args& args);      // status ID
int RunList(const Args& args);        // list [--abn --state --after --before ...]
int RunRejections(const Args& args);  // rejections [--abn --lodgment]
int RunReplay(const Args& args);      // replay [IDS...] [--state --after --before]
int RunDeadLetters(const Args& args); // deadletters list|redrive ...
int RunPollPlan(const Args& args);    // poll-plan --employees N [--count K] (local)

// The gateway's CommunicationService (comms_command.cc), with --gateway too.
int RunComms(const Args& args);  // comms list|get|sync|jobs ...

// The gateway's RelationshipService (clients_command.cc), with --gateway too.
// Its demographics commands (the DemographicsService) too, in clients_demographics.cc.
int RunClients(const Args& args);  // clients search|add|validate|remove|validate-remove|list
                                   // clients details|addresses|associates|contacts|banking ...

// The gateway's ClientRegistrationService (ics_command.cc), with --gateway too.
int RunIcs(const Args& args);  // ics register --type=ind|org|abn ...

// sbrgated's local log, read beside the daemon (log_command.cc).
int RunLog(const Args& args);  // log topics | log tail TOPIC ...

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_COMMANDS_H_

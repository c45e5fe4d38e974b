// The command-line flags that more than one sbrgate executable takes, each
// defined once (name, default, help) and read through these functions, so
// the executables cannot drift apart on what a flag means.
//
//   sbrgate::ParseDashedCommandLine(argc, argv);
//   options.grpc_listen = sbrgate::flags::GrpcListen();
//   TriagePolicy policy{flags::MaxAttempts(), flags::SystemErrorBackoff()};
//
// Each group of flags is defined in its own .cc file and an executable gets
// only the groups whose functions it calls: the linker takes an object file
// from this library only when something in it is used, so `triage` does not
// accept --grpc-listen, nor `kafka-host` --time-scale.
#ifndef SBRGATE_SERVICES_COMMON_FLAGS_H_
#define SBRGATE_SERVICES_COMMON_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace sbrgate::flags {

// --grpc-listen: the gRPC API address (gateway, clntcomm, sbrgated),
// 127.0.0.1:50051 unless the executable sets its own default with
// SetGrpcListenDefault before parsing the command line (clntcomm, which
// may run beside a gateway, listens on 127.0.0.1:50052).
std::string GrpcListen();
void SetGrpcListenDefault(const std::string& address);

// --prevalidate: "hold" or "off", what the gateway does with employee
// records that fail its checks (gateway, sbrgated).
std::string Prevalidate();

// --comms-permissions: the practice users' permissions file (clntcomm,
// sbrgated).
std::string CommsPermissions();

// --max-attempts and --system-error-backoff: the triage stage's policy for
// SystemError answers (triage, sbrgated).
int MaxAttempts();
absl::Duration SystemErrorBackoff();

// --max-upload-bytes, --max-employees, --max-uploads-per-caller and
// --max-watches-per-caller: the gateway's caps (gateway, sbrgated).
struct GatewayLimits {
  int64_t max_upload_bytes;
  int64_t max_employees;
  int max_uploads_per_caller;
  int max_watches_per_caller;
};
GatewayLimits Limits();

// --ready-file: where the ready line is written too (sbrgated, sbr-sim,
// kafka-host).
std::string ReadyFile();

// --time-scale, --clock-epoch and --clock-start: the scaled clock, which
// sbrgate's processes and the simulator share (every pipeline executable,
// sbr-sim).
double TimeScale();
int64_t ClockEpoch();
std::string ClockStart();

}  // namespace sbrgate::flags

#endif  // SBRGATE_SERVICES_COMMON_FLAGS_H_

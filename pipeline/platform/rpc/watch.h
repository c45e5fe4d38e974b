// Watch: the loop of a server-streaming "watch" RPC (WatchLodgment,
// WatchJob). It waits for the watched thing to change, sends each new state,
// and ends once a state is final; meanwhile it notices, every kWatchTick, a
// client that went away (CANCELLED), and a thing that does not appear within
// `appear_timeout` (NOT_FOUND): views are filled asynchronously, so what was
// just created may not be in one yet.
//
//   rpc::Watched<v1::Job> watched;
//   watched.wait_for_change = [&](int64_t seen, absl::Time deadline) {
//     rpc::Snapshot<v1::Job> s;
//     ... block until the job's version passes `seen` or `deadline` ...
//     return s;  // its version (0: unknown) and, when it passed `seen`, the job
//   };
//   watched.is_final = [](const v1::Job& j) { return IsFinal(j.state()); };
//   watched.not_found = "job 'job-1' not found";
//   return rpc::Watch(context, writer, watched);
//
// Times here are real time: the views' waits are.
#ifndef SBRGATE_PIPELINE_RPC_WATCH_H_
#define SBRGATE_PIPELINE_RPC_WATCH_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sbrgate::rpc {

// How often a watch looks at whether its client is still there.
inline constexpr absl::Duration kWatchTick = absl::Milliseconds(250);

template <typename Message>
struct Snapshot {
  int64_t version = 0;             // changes the thing has seen; 0: not known (yet)
  std::optional<Message> message;  // its state, when the version passed the one seen
};

template <typename Message>
struct Watched {
  // Blocks until the thing's version passes `seen` or `deadline` passes.
  std::function<Snapshot<Message>(int64_t seen, absl::Time deadline)> wait_for_change;
  // Whether the state is the last one (the watch ends after sending it).
  std::function<bool(const Message&)> is_final;
  // Completes a state before it is sent (optional); a non-OK status ends
  // the watch with it.
  std::function<grpc::Status(Message&)> complete;
  absl::Duration appear_timeout = absl::Seconds(10);
  std::string not_found;  // NOT_FOUND's message
};

template <typename Message>
grpc::Status Watch(grpc::ServerContext* context, grpc::ServerWriterInterface<Message>* writer,
                   const Watched<Message>& watched) {
  const grpc::Status gone(grpc::StatusCode::CANCELLED, "the client went away");
  const absl::Time appear_by = absl::Now() + watched.appear_timeout;
  int64_t seen = 0;
  for (;;) {
    const absl::Time now = absl::Now();
    Snapshot<Message> s = watched.wait_for_change(
        seen, seen == 0 ? std::min(appear_by, now + kWatchTick) : now + kWatchTick);
    if (context->IsCancelled()) return gone;
    if (s.version == 0) {
      if (absl::Now() >= appear_by) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND, watched.not_found);
      }
      continue;
    }
    if (s.version <= seen) continue;
    seen = s.version;
    if (!s.message.has_value()) continue;
    if (watched.complete) {
      if (grpc::Status c = watched.complete(*s.message); !c.ok()) return c;
    }
    if (!writer->Write(*s.message)) return gone;
    if (watched.is_final(*s.message)) return grpc::Status::OK;
  }
}

}  // namespace sbrgate::rpc

#endif  // SBRGATE_PIPELINE_RPC_WATCH_H_

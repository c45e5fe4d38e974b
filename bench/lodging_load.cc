// lodging_load: the client side of bench/e2e_throughput.sh. Lodges N
// generated pay events into a running gateway over gRPC, --concurrency at a
// time, each as soon as the last answered (as a payroll provider's payday
// batch would), and watches every lodgment to a final state by listing them
// (ListLodgments, every --look-every, from the first page with one not yet
// final) rather than one watch stream each.
// Prints one JSON object: lodgments/s from the first byte of upload to the
// last final state, and per lodgment the wall-clock latency of each step as
// the client saw it (upload answered, receipted, final), percentiles.
//
//   lodging_load --gateway=127.0.0.1:50051 --lodgments=600 --concurrency=16
//                --employees=10 [--timeout=600]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/elapsed.h"
#include "nlohmann/json.hpp"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/stp/payevnt/generator.h"
#include "pipeline/stp/status/status_view.h"
#include "proto/lodgment.grpc.pb.h"

ABSL_FLAG(std::string, gateway, "127.0.0.1:50051", "the gateway's gRPC address");
ABSL_FLAG(int, lodgments, 600, "pay events to lodge");
ABSL_FLAG(int, concurrency, 16, "uploads in flight at once");
ABSL_FLAG(int, employees, 10, "employees per pay event");
ABSL_FLAG(int, seed, 1, "first generator seed (pay event i uses seed + i)");
ABSL_FLAG(absl::Duration, look_every, absl::Milliseconds(100), "between ListLodgments sweeps");
ABSL_FLAG(absl::Duration, timeout, absl::Minutes(10), "give up on lodgments not final by then");

namespace sbrgate::bench {
namespace {

using v1::LodgmentState;

constexpr size_t kChunkBytes = 64 << 10;
constexpr int kSweepPage = 200;  // lodgments per ListLodgments page

// A lodgment a stage could not process (NEEDS_ATTENTION) is not final: the
// run waits for it, and says so when it times out.
using lodgment::IsFinal;

bool IsReceipted(LodgmentState s) {
  return s == v1::RECEIPTED || s == v1::AWAITING_RESPONSE || IsFinal(s);
}

// What the client saw of one lodgment, in seconds since the run started.
struct Seen {
  double upload_started = -1;
  double answered = -1;
  double receipted = -1;
  double final = -1;
  std::string final_state;
};

nlohmann::json Percentiles(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {{"p50", at(0.50)}, {"p90", at(0.90)}, {"p99", at(0.99)}, {"max", v.back()}};
}

int Main() {
  const int n = absl::GetFlag(FLAGS_lodgments);
  const int employees = absl::GetFlag(FLAGS_employees);
  auto channel =
      grpc::CreateChannel(absl::GetFlag(FLAGS_gateway), grpc::InsecureChannelCredentials());
  auto client = v1::LodgmentService::NewStub(channel);

  // Generated before the clock starts: the client's own work is not the
  // gateway's.
  std::vector<std::string> files(n);
  const absl::Time stamp = absl::Now();
  for (int i = 0; i < n; ++i) {
    payevnt::GeneratorOptions o;
    o.employees = employees;
    o.seed = absl::GetFlag(FLAGS_seed) + i;
    o.message_timestamp = stamp;
    StringSink sink;
    if (absl::StatusOr<payevnt::GeneratedLodgment> g = payevnt::GenerateLodgment(o, sink);
        !g.ok()) {
      std::fprintf(stderr, "lodging_load: generating pay event %d: %s\n", i,
                   g.status().ToString().c_str());
      return 1;
    }
    files[i] = sink.data();
  }

  std::mutex mu;
  std::map<std::string, Seen> seen;  // by lodgment id
  std::vector<std::string> errors;
  std::atomic<int> next{0};
  std::atomic<int> answered{0};
  const bench::Steady::time_point start = bench::Steady::now();
  auto lodge = [&] {
    for (int i = next++; i < n; i = next++) {
      Seen s;
      s.upload_started = bench::SecondsSince(start);
      grpc::ClientContext context;
      v1::Lodgment lodgment;
      auto stream = client->SubmitPayEvent(&context, &lodgment);
      v1::SubmitRequest first;
      first.mutable_metadata()->set_file_name(absl::StrCat("pay-", i, ".xml"));
      bool sent = stream->Write(first);
      for (size_t at = 0; sent && at < files[i].size(); at += kChunkBytes) {
        v1::SubmitRequest chunk;
        chunk.set_chunk(files[i].substr(at, kChunkBytes));
        sent = stream->Write(chunk);
      }
      stream->WritesDone();
      const grpc::Status status = stream->Finish();
      std::lock_guard<std::mutex> lock(mu);
      if (!status.ok()) {
        errors.push_back(absl::StrCat("pay event ", i, ": ", status.error_message()));
        continue;
      }
      s.answered = bench::SecondsSince(start);
      seen[lodgment.lodgment_id()] = s;
      ++answered;
    }
  };
  std::vector<std::thread> lodgers;
  for (int w = 0; w < absl::GetFlag(FLAGS_concurrency); ++w) lodgers.emplace_back(lodge);

  // Sweeps the lodgments the gateway lists until all are final. They are
  // listed in the order the gateway learnt of them and become final in
  // roughly that order, so each sweep starts at the first page that still
  // held one not final (by its page token): it reads the lodgments in
  // flight, not every one lodged so far, as a client watching a payday's
  // batch would.
  const absl::Time give_up = absl::Now() + absl::GetFlag(FLAGS_timeout);
  std::string resume_from;  // page token; empty: the first page
  int final_count = 0;
  while (absl::Now() < give_up) {
    absl::SleepFor(absl::GetFlag(FLAGS_look_every));
    v1::ListLodgmentsRequest request;
    request.set_page_size(kSweepPage);
    request.set_page_token(resume_from);
    bool done_so_far = true;  // every page read so far was full, and all final
    do {
      grpc::ClientContext context;
      v1::ListLodgmentsResponse page;
      const grpc::Status status = client->ListLodgments(&context, request, &page);
      if (!status.ok()) {
        std::fprintf(stderr, "lodging_load: ListLodgments: %s\n", status.error_message().c_str());
        break;
      }
      const double now = bench::SecondsSince(start);
      bool page_done = page.lodgments_size() == kSweepPage && !page.next_page_token().empty();
      std::lock_guard<std::mutex> lock(mu);
      for (const v1::Lodgment& l : page.lodgments()) {
        auto it = seen.find(l.lodgment_id());
        // Listed before its upload was answered: read it again next sweep.
        if (it == seen.end()) {
          page_done = false;
          continue;
        }
        Seen& s = it->second;
        if (s.receipted < 0 && IsReceipted(l.state())) s.receipted = now;
        if (s.final < 0 && IsFinal(l.state())) {
          s.final = now;
          s.final_state = v1::LodgmentState_Name(l.state());
          ++final_count;
        }
        if (s.final < 0) page_done = false;
      }
      done_so_far = done_so_far && page_done;
      if (done_so_far) resume_from = page.next_page_token();
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    std::lock_guard<std::mutex> lock(mu);
    if (answered + static_cast<int>(errors.size()) == n && final_count == answered) break;
  }
  for (std::thread& t : lodgers) t.join();

  std::vector<double> upload, to_receipt, to_final, total;
  std::map<std::string, int> states;
  double last_final = 0, last_answer = 0;
  for (const auto& [id, s] : seen) {
    upload.push_back(s.answered - s.upload_started);
    last_answer = std::max(last_answer, s.answered);
    if (s.receipted >= 0) to_receipt.push_back(s.receipted - s.answered);
    if (s.final >= 0) {
      to_final.push_back(s.final - s.receipted);
      total.push_back(s.final - s.upload_started);
      last_final = std::max(last_final, s.final);
      ++states[s.final_state];
    }
  }
  nlohmann::json out = {
      {"lodgments", n},
      {"employees", employees},
      {"concurrency", absl::GetFlag(FLAGS_concurrency)},
      {"accepted_by_gateway", static_cast<int>(seen.size())},
      {"final", final_count},
      {"errors", errors},
      {"final_states", states},
      {"seconds_to_last_final", last_final},
      {"lodgments_per_second_to_final", last_final > 0 ? final_count / last_final : 0.0},
      {"lodgments_per_second_ingest", last_answer > 0 ? seen.size() / last_answer : 0.0},
      {"latency_seconds",
       {{"upload", Percentiles(upload)},
        {"answered_to_receipted", Percentiles(to_receipt)},
        {"receipted_to_final", Percentiles(to_final)},
        {"upload_to_final", Percentiles(total)}}},
  };
  std::printf("%s\n", out.dump(2).c_str());
  return final_count == n ? 0 : 3;
}

}  // namespace
}  // namespace sbrgate::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return sbrgate::bench::Main();
}

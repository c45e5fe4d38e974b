// Small stages for the StageRunner tests and their crash helper, each with
// the small StageSpec it runs (its topology's part).
//
//   MapStage map("map", "in", "out");   // in -> out, "out:" + value, same key
//   map.fail_transiently["k5"] = 3;      // Unavailable three times, then OK
//   map.fail_permanently.insert("k7");   // InvalidArgument: a dead letter
//   auto runner = KafkaStageRunner::Create(config, map.spec(), &map, &clock);
#ifndef SBRGATE_PIPELINE_STAGE_TEST_STAGES_H_
#define SBRGATE_PIPELINE_STAGE_TEST_STAGES_H_

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "pipeline/platform/stage/stage.h"
#include "pipeline/platform/stage/topology.h"

namespace sbrgate::stage::testing {

// Maps each input record to one output record.
class MapStage : public Stage {
 public:
  MapStage(std::string name, std::string input, std::string output)
      : name_(std::move(name)), input_(std::move(input)), output_(std::move(output)) {}
  std::string name() const override { return name_; }
  StageSpec spec() const { return {name_, {input_}, {output_, notes_topic}}; }
  absl::Status Process(const Record& in, Context& ctx) override {
    const int call = ++calls;
    if (call == block_at && on_block) on_block();
    if (auto it = fail_transiently.find(in.key); it != fail_transiently.end() && it->second > 0) {
      --it->second;
      ctx.Notify({notes_topic, in.key, "holding " + in.key});
      return absl::UnavailableError("downstream unavailable for " + in.key);
    }
    if (fail_permanently.count(in.key) > 0) {
      return absl::InvalidArgumentError("cannot map " + in.key);
    }
    ctx.Emit({output_, in.key, "out:" + in.value});
    return absl::OkStatus();
  }

  std::atomic<int> calls{0};
  int block_at = 0;                     // the Process call that runs on_block first
  std::function<void()> on_block;
  std::map<std::string, int> fail_transiently;
  std::set<std::string> fail_permanently;
  std::string notes_topic = "notes";

 private:
  const std::string name_, input_, output_;
};

// Maps "in" to "out" like MapStage, with Process on many threads at once: it
// waits a little in each call (an exchange with SBR), records how many calls
// overlapped and the order each key's values came in, and fails the records
// listed transiently, a given number of times each. The value `slow_value`
// waits until release_slow is notified (a push that takes hours).
class ConcurrentMapStage : public Stage {
 public:
  std::string name() const override { return "concurrent"; }
  static StageSpec Spec() { return {"concurrent", {"in"}, {"out", "notes"}}; }
  bool ProcessesConcurrently() const override { return true; }
  absl::Status Process(const Record& in, Context& ctx) override {
    ++calls;
    const int now = ++running_;
    int seen = most_overlapping.load();
    while (now > seen && !most_overlapping.compare_exchange_weak(seen, now)) {
    }
    absl::SleepFor(absl::Milliseconds(2));
    if (!slow_value.empty() && in.value == slow_value) {
      ++slow_calls;
      // As a push waits for its receipt: until released, or given up.
      while (!release_slow.WaitForNotificationWithTimeout(absl::Milliseconds(10))) {
        if (!ctx.given_up()) continue;
        ++slow_given_up;
        --running_;
        ctx.Notify({"notes", in.key, "given up " + in.value});  // dropped
        return absl::UnavailableError("given up " + in.value);
      }
    }
    --running_;
    absl::MutexLock lock(&mu_);
    if (auto it = fail_transiently.find(in.value); it != fail_transiently.end() && it->second > 0) {
      --it->second;
      ctx.Notify({"notes", in.key, "holding " + in.value});
      return absl::UnavailableError("downstream unavailable for " + in.value);
    }
    values_by_key[in.key].push_back(in.value);
    ctx.Emit({"out", in.key, in.value});
    return absl::OkStatus();
  }

  std::atomic<int> most_overlapping{0};
  std::atomic<int> calls{0};
  std::string slow_value;
  absl::Notification release_slow;
  std::atomic<int> slow_calls{0};
  std::atomic<int> slow_given_up{0};  // slow records that saw Context::given_up
  absl::Mutex mu_;
  std::map<std::string, int> fail_transiently;  // by value
  std::map<std::string, std::vector<std::string>> values_by_key;

 private:
  std::atomic<int> running_{0};
};

// What the concurrency tests lodge: rounds "a" to "d" of keys k0 to k49,
// value <round><i>, round after round.
inline std::vector<std::pair<std::string, std::string>> RoundRecords() {
  std::vector<std::pair<std::string, std::string>> records;
  for (const char* round : {"a", "b", "c", "d"}) {
    for (int i = 0; i < 50; ++i) records.push_back({absl::StrCat("k", i), absl::StrCat(round, i)});
  }
  return records;
}

// The keys of RoundRecords whose values in `by_key` are not their four
// rounds once each, in order (none: every record came out once, in order).
inline std::vector<std::string> KeysNotInRoundOrder(
    const std::map<std::string, std::vector<std::string>>& by_key) {
  std::vector<std::string> wrong;
  for (int i = 0; i < 50; ++i) {
    const std::string key = absl::StrCat("k", i);
    const std::vector<std::string> in_order = {absl::StrCat("a", i), absl::StrCat("b", i),
                                               absl::StrCat("c", i), absl::StrCat("d", i)};
    auto it = by_key.find(key);
    if (it == by_key.end() || it->second != in_order) wrong.push_back(key);
  }
  if (by_key.size() != 50) wrong.push_back(absl::StrCat(by_key.size(), " keys"));
  return wrong;
}

// Counts records per key in store "counts" and emits the new count; the
// value "reset" deletes the key instead. Init emits "init" -> store size.
class CountStage : public Stage {
 public:
  std::string name() const override { return "count"; }
  static StageSpec Spec() { return {"count", {"in"}, {"out"}, {"counts"}}; }
  absl::Status Init(Context& ctx) override {
    ctx.Emit({"out", "init", std::to_string(ctx.store("counts").size())});
    return absl::OkStatus();
  }
  absl::Status Process(const Record& in, Context& ctx) override {
    StateStore& counts = ctx.store("counts");
    if (in.value == "reset") {
      counts.Delete(in.key);
      return absl::OkStatus();
    }
    int n = 0;
    if (std::optional<std::string> v = counts.Get(in.key)) (void)absl::SimpleAtoi(*v, &n);
    counts.Put(in.key, std::to_string(n + 1));
    ctx.Emit({"out", in.key, std::to_string(n + 1)});
    return absl::OkStatus();
  }
};

// Keeps each record in store "pending"; Punctuate releases the pending
// records to "out" (value "released:" + value) and forgets them. Init emits
// "init" -> store size.
class ReleaseStage : public Stage {
 public:
  std::string name() const override { return "release"; }
  static StageSpec Spec() { return {"release", {"in"}, {"out"}, {"pending"}}; }
  absl::Duration punctuate_interval() const override { return absl::Milliseconds(100); }
  absl::Status Init(Context& ctx) override {
    ctx.Emit({"out", "init", std::to_string(ctx.store("pending").size())});
    return absl::OkStatus();
  }
  absl::Status Process(const Record& in, Context& ctx) override {
    ctx.store("pending").Put(in.key, in.value);
    return absl::OkStatus();
  }
  absl::Status Punctuate(absl::Time now, Context& ctx) override {
    std::vector<std::string> keys;
    ctx.store("pending").ForEach([&](const std::string& key, const std::string& value) {
      ctx.Emit({"out", key, "released:" + value});
      keys.push_back(key);
    });
    for (const std::string& key : keys) ctx.store("pending").Delete(key);
    last_now = now;
    return absl::OkStatus();
  }
  absl::Time last_now;
};

// Keeps each record in store "keys" (the value "delete" deletes the key
// instead). A record keyed "scan" emits, keyed "scan", the first three keys
// from its value on (ForEachFrom), joined by commas.
class ScanStage : public Stage {
 public:
  std::string name() const override { return "scan"; }
  static StageSpec Spec() { return {"scan", {"in"}, {"out"}, {"keys"}}; }
  absl::Status Process(const Record& in, Context& ctx) override {
    StateStore& keys = ctx.store("keys");
    if (in.key == "scan") {
      std::vector<std::string> found;
      keys.ForEachFrom(in.value, [&](const std::string& key, const std::string&) {
        found.push_back(key);
        return found.size() < 3;
      });
      ctx.Emit({"out", "scan", absl::StrJoin(found, ",")});
    } else if (in.value == "delete") {
      keys.Delete(in.key);
    } else {
      keys.Put(in.key, in.value);
    }
    return absl::OkStatus();
  }
};

// Keeps each record in store "items"; Punctuate indexes each item not yet
// indexed as "i:" + key in store "index", beside its item (PutBeside).
class IndexStage : public Stage {
 public:
  std::string name() const override { return "index"; }
  static StageSpec Spec() { return {"index", {"in"}, {"out"}, {"items", "index"}}; }
  absl::Duration punctuate_interval() const override { return absl::Milliseconds(50); }
  absl::Status Process(const Record& in, Context& ctx) override {
    ctx.store("items").Put(in.key, in.value);
    return absl::OkStatus();
  }
  absl::Status Punctuate(absl::Time, Context& ctx) override {
    StateStore& index = ctx.store("index");
    ctx.store("items").ForEach([&](const std::string& key, const std::string&) {
      if (!index.Get("i:" + key)) index.PutBeside("items", key, "i:" + key, "");
    });
    return absl::OkStatus();
  }
};

}  // namespace sbrgate::stage::testing

#endif  // SBRGATE_PIPELINE_STAGE_TEST_STAGES_H_

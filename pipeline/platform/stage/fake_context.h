// FakeContext: a Context for unit tests of stages, with in-memory
// stores and the outputs kept for inspection. The same stages run under the
// real StageRunner in tests/ and the daemon.
//
//   FakeContext ctx(&clock);
//   ASSERT_TRUE(stage.Process(record, ctx).ok());
//   std::vector<events::StatusChange> changes = ctx.On<events::StatusChange>(topics::kStatus);
#ifndef SBRGATE_PIPELINE_STAGE_FAKE_CONTEXT_H_
#define SBRGATE_PIPELINE_STAGE_FAKE_CONTEXT_H_

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/platform/stage/stage.h"

namespace sbrgate::stage {

class FakeStore : public StateStore {
 public:
  std::optional<std::string> Get(const std::string& key) const override {
    auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  void Put(const std::string& key, std::string value) override { data_[key] = std::move(value); }
  void Delete(const std::string& key) override { data_.erase(key); }
  void ForEachFrom(const std::string& from,
                   const std::function<bool(const std::string&, const std::string&)>& visit)
      const override {
    for (auto it = data_.lower_bound(from); it != data_.end(); ++it) {
      if (!visit(it->first, it->second)) return;
    }
  }
  size_t size() const override { return data_.size(); }

 private:
  std::map<std::string, std::string> data_;
};

class FakeContext : public Context {
 public:
  explicit FakeContext(const Clock* clock) : clock_(clock) {}
  void Emit(Output output) override { emitted.push_back(std::move(output)); }
  void Notify(Output output) override { notified.push_back(std::move(output)); }
  StateStore& store(const std::string& name) override { return stores[name]; }
  const Clock& clock() const override { return *clock_; }
  const std::atomic<bool>& given_up() const override { return given_up_flag; }

  // The emitted records on `topic`, parsed as T.
  template <typename T>
  std::vector<T> On(const std::string& topic, bool notifications = false) const {
    std::vector<T> out;
    for (const Output& o : notifications ? notified : emitted) {
      if (o.topic != topic) continue;
      T t;
      t.ParseFromString(o.value);
      out.push_back(t);
    }
    return out;
  }
  void Clear() {
    emitted.clear();
    notified.clear();
  }

  std::vector<Output> emitted;
  std::vector<Output> notified;
  std::map<std::string, FakeStore> stores;
  std::atomic<bool> given_up_flag{false};  // what given_up() returns

 private:
  const Clock* clock_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_FAKE_CONTEXT_H_

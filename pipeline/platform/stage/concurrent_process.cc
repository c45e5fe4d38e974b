#include "pipeline/platform/stage/concurrent_process.h"

#include <map>
#include <string>
#include <utility>

#include "pipeline/platform/common/transient.h"
#include "pipeline/platform/stage/runner_context.h"
#include "pipeline/platform/stage/undeclared_store.h"

namespace sbrgate::stage {

std::vector<ConcurrentOutcome> ProcessConcurrently(Stage& stage, const Clock& clock,
                                                   WorkerPool& workers,
                                                   const std::function<void(Output)>& notify,
                                                   const std::vector<const Record*>& records) {
  std::vector<ConcurrentOutcome> outcomes(records.size());
  std::map<std::string, std::vector<size_t>> by_key;
  for (size_t i = 0; i < records.size(); ++i) by_key[records[i]->key].push_back(i);
  std::vector<std::function<void()>> work;
  for (auto& [key, indexes] : by_key) {
    work.push_back([&, indexes = std::move(indexes)] {
      for (size_t i : indexes) {
        std::string violation;
        UndeclaredStore no_store(&violation);
        RunnerContext ctx(notify,
                          [&no_store](const std::string& name) -> StateStore& {
                            no_store.set_name(name);
                            return no_store;
                          },
                          &clock, &violation);
        ConcurrentOutcome& out = outcomes[i];
        out.status = stage.Process(*records[i], ctx);
        if (out.status.ok() && !violation.empty()) out.status = absl::InvalidArgumentError(violation);
        out.emits = ctx.TakeEmits();
        out.processed = true;
        if (IsTransient(out.status)) return;
      }
    });
  }
  workers.RunAll(std::move(work));
  return outcomes;
}

}  // namespace sbrgate::stage

// UndeclaredStore: what a runner's stores give for a store name the stage's
// StageSpec does not declare. Every use records a violation, which fails
// the record, so a typo in a store name cannot quietly lose state.
//
//   UndeclaredStore missing(&violation);
//   missing.set_name(name);
//   return missing;  // as the StateStore& for `name`
#ifndef SBRGATE_PIPELINE_STAGE_UNDECLARED_STORE_H_
#define SBRGATE_PIPELINE_STAGE_UNDECLARED_STORE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/stage/stage.h"

namespace sbrgate::stage {

class UndeclaredStore final : public StateStore {
 public:
  // `violation` receives the first misuse while it is empty.
  explicit UndeclaredStore(std::string* violation) : violation_(violation) {}
  void set_name(const std::string& name) { name_ = name; }

  std::optional<std::string> Get(const std::string&) const override {
    Report();
    return std::nullopt;
  }
  void Put(const std::string&, std::string) override { Report(); }
  void Delete(const std::string&) override { Report(); }
  void ForEachFrom(const std::string&,
                   const std::function<bool(const std::string&, const std::string&)>&)
      const override {
    Report();
  }
  size_t size() const override {
    Report();
    return 0;
  }

 private:
  void Report() const {
    if (violation_->empty()) {
      *violation_ = absl::StrCat("the stage has no store \"", name_,
                                 "\" (declare it in its StageSpec)");
    }
  }
  std::string* const violation_;
  std::string name_;
};

}  // namespace sbrgate::stage

#endif  // SBRGATE_PIPELINE_STAGE_UNDECLARED_STORE_H_

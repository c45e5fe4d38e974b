#include "pipeline/platform/stage/local_stores.h"

#include "absl/strings/str_cat.h"
#include "pipeline/platform/kafka/limits.h"
#include "pipeline/platform/stage/overlay_scan.h"
#include "pipeline/platform/stage/runner.h"

namespace sbrgate::stage {

class LocalStores::LogStore final : public StateStore {
 public:
  LogStore(std::string name, std::string log_store, LocalStores* owner)
      : name_(std::move(name)), log_store_(std::move(log_store)), owner_(owner) {}

  std::optional<std::string> Get(const std::string& key) const override {
    if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
    absl::StatusOr<std::optional<std::string>> value = owner_->log_->Get(log_store_, key);
    if (!value.ok()) {
      Fail(value.status());
      return std::nullopt;
    }
    return *std::move(value);
  }
  void Put(const std::string& key, std::string value) override {
    if (value.size() > kafka::kMaxMessageBytes) {
      if (owner_->violation_->empty()) {
        *owner_->violation_ = OversizeMessage(
            absl::StrCat("value for key ", key, " in store ", name_), value.size());
      }
      return;
    }
    Change(key, std::move(value));
  }
  void Delete(const std::string& key) override { Change(key, std::nullopt); }
  void ForEachFrom(const std::string& from,
                   const std::function<bool(const std::string& key, const std::string& value)>&
                       visit) const override {
    absl::Status s = ScanWithOverlay<std::string>(
        overlay_, from,
        [&](const std::string& start,
            const std::function<bool(const std::string&, const std::string&)>& fn) {
          return owner_->log_->Scan(log_store_, start, "", fn);
        },
        visit);
    if (!s.ok()) Fail(s);
  }
  // Counts by scanning: for tests and tools, not for a stage's hot path.
  size_t size() const override {
    size_t n = 0;
    ForEach([&](const std::string&, const std::string&) { ++n; });
    return n;
  }

  void Restore(const std::string& key, std::optional<std::optional<std::string>> before) {
    if (before) {
      overlay_[key] = *std::move(before);
    } else {
      overlay_.erase(key);
    }
  }
  void AddTo(log::LogTransaction* tx) const {
    for (const auto& [key, value] : overlay_) {
      if (value) {
        tx->Put(log_store_, key, *value);
      } else {
        tx->Delete(log_store_, key);
      }
    }
  }
  void Clear() { overlay_.clear(); }

 private:
  void Change(const std::string& key, std::optional<std::string> value) {
    std::optional<std::optional<std::string>> before;
    if (auto it = overlay_.find(key); it != overlay_.end()) before = it->second;
    owner_->changes_.push_back({this, key, std::move(before)});
    overlay_[key] = std::move(value);
  }
  void Fail(const absl::Status& s) const {
    if (owner_->storage_error_->ok()) {
      *owner_->storage_error_ = absl::UnavailableError(
          absl::StrCat("reading store ", name_, ": ", s.message()));
    }
  }

  const std::string name_;
  const std::string log_store_;
  LocalStores* const owner_;
  // Uncommitted changes by key (nullopt: deleted).
  std::map<std::string, std::optional<std::string>> overlay_;
};

LocalStores::LocalStores(log::LocalLog* log, std::string* violation, absl::Status* storage_error)
    : log_(log),
      violation_(violation),
      storage_error_(storage_error),
      missing_(std::make_unique<UndeclaredStore>(violation)) {}

LocalStores::~LocalStores() = default;

void LocalStores::Add(const std::string& name, std::string log_store) {
  stores_[name] = std::make_unique<LogStore>(name, std::move(log_store), this);
}

StateStore& LocalStores::store(const std::string& name) {
  if (auto it = stores_.find(name); it != stores_.end()) return *it->second;
  missing_->set_name(name);
  return *missing_;
}

void LocalStores::Undo(size_t mark) {
  while (changes_.size() > mark) {
    Change& c = changes_.back();
    c.store->Restore(c.key, std::move(c.before));
    changes_.pop_back();
  }
}

void LocalStores::AddTo(log::LogTransaction* tx) const {
  for (const auto& [name, store] : stores_) store->AddTo(tx);
}

void LocalStores::Committed() {
  for (auto& [name, store] : stores_) store->Clear();
  changes_.clear();
}

}  // namespace sbrgate::stage

#include "pipeline/platform/stage/state_stores.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/stage/undeclared_store.h"

namespace sbrgate::stage {

class StateStores::LoggedStore final : public StateStore {
 public:
  LoggedStore(std::string name, std::string changelog, StateStores* owner)
      : name_(std::move(name)), changelog_(std::move(changelog)), owner_(owner) {}

  std::optional<std::string> Get(const std::string& key) const override {
    auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return it->second.value;
  }
  void Put(const std::string& key, std::string value) override {
    PutIn(std::nullopt, key, std::move(value));
  }
  void PutBeside(const std::string& owner_store, const std::string& owner_key,
                 const std::string& key, std::string value) override {
    std::optional<int32_t> partition;
    if (auto store = owner_->stores_.find(owner_store); store != owner_->stores_.end()) {
      if (std::optional<Entry> owner = store->second->Find(owner_key)) {
        partition = owner->partition;
      }
    }
    PutIn(partition, key, std::move(value));
  }
  void Delete(const std::string& key) override {
    auto it = data_.find(key);
    if (it == data_.end()) return;
    owner_->changes_.push_back({this, key, it->second});
    data_.erase(it);
  }
  void ForEachFrom(const std::string& from,
                   const std::function<bool(const std::string& key, const std::string& value)>&
                       visit) const override {
    for (auto it = data_.lower_bound(from); it != data_.end(); ++it) {
      if (!visit(it->first, it->second.value)) return;
    }
  }
  size_t size() const override { return data_.size(); }

  const std::string& changelog() const { return changelog_; }
  std::optional<Entry> Find(const std::string& key) const {
    auto it = data_.find(key);
    if (it == data_.end()) return std::nullopt;
    return it->second;
  }
  void Revert(const Change& change) {
    if (change.before) {
      data_[change.key] = *change.before;
    } else {
      data_.erase(change.key);
    }
  }
  // Restore from the changelog: no change is logged.
  void Load(const std::string& key, std::string value, int32_t partition) {
    data_[key] = Entry{std::move(value), partition};
  }
  void Erase(const std::string& key) { data_.erase(key); }
  void Clear() { data_.clear(); }

 private:
  // The record's partition in Process; elsewhere `partition` when given,
  // else the entry's own, else the default one.
  void PutIn(std::optional<int32_t> partition, const std::string& key, std::string value) {
    if (value.size() > kafka::kMaxMessageBytes) {
      if (owner_->violation_->empty()) {
        *owner_->violation_ = OversizeMessage(
            absl::StrCat("value for key ", key, " in store ", name_), value.size());
      }
      return;
    }
    auto it = data_.find(key);
    std::optional<Entry> before;
    if (it != data_.end()) before = it->second;
    owner_->changes_.push_back({this, key, before});
    if (owner_->record_partition_ >= 0) {
      partition = owner_->record_partition_;
    } else if (!partition) {
      partition = before ? before->partition : owner_->default_partition_;
    }
    data_[key] = Entry{std::move(value), *partition};
  }

  const std::string name_;
  const std::string changelog_;
  StateStores* const owner_;
  std::map<std::string, Entry> data_;
};

StateStores::StateStores(std::string* violation)
    : violation_(violation), missing_(std::make_unique<UndeclaredStore>(violation)) {}

StateStores::~StateStores() = default;

void StateStores::Add(const std::string& name, const std::string& changelog) {
  stores_[name] = std::make_unique<LoggedStore>(name, changelog, this);
}

StateStore& StateStores::store(const std::string& name) {
  auto it = stores_.find(name);
  if (it != stores_.end()) return *it->second;
  missing_->set_name(name);
  return *missing_;
}

void StateStores::Undo(size_t mark) {
  while (changes_.size() > mark) {
    changes_.back().store->Revert(changes_.back());
    changes_.pop_back();
  }
}

void StateStores::AppendChangelog(std::vector<kafka::OutgoingMessage>* messages) const {
  std::set<std::pair<const LoggedStore*, std::string>> seen;
  for (const Change& c : changes_) {
    // The first change of a key holds its value as of the last commit.
    if (!seen.insert({c.store, c.key}).second) continue;
    const std::optional<Entry> now = c.store->Find(c.key);
    if (now) messages->push_back({c.store->changelog(), now->partition, c.key, now->value});
    if (c.before && (!now || now->partition != c.before->partition)) {
      messages->push_back({c.store->changelog(), c.before->partition, c.key, std::nullopt});
    }
  }
}

void StateStores::Clear() {
  for (auto& [name, store] : stores_) store->Clear();
  changes_.clear();
}

absl::Status StateStores::Restore(kafka::TopicReader& reader,
                                  const std::set<int32_t>& partitions, int64_t* restored) {
  if (stores_.empty()) return absl::OkStatus();
  std::vector<std::pair<std::string, int32_t>> to_read;
  std::map<std::string, LoggedStore*> by_changelog;
  for (auto& [name, store] : stores_) {
    store->Clear();
    by_changelog[store->changelog()] = store.get();
    for (int32_t p : partitions) to_read.emplace_back(store->changelog(), p);
  }
  return reader.ReadPartitions(to_read, [&](const kafka::TopicRecord& r) {
    LoggedStore* store = by_changelog.at(r.topic);
    if (r.tombstone) {
      store->Erase(r.key);
    } else {
      store->Load(r.key, r.value, r.partition);
    }
    ++*restored;
    return absl::OkStatus();
  });
}

}  // namespace sbrgate::stage

// GroupCommit: callers that each must see their item written (and synced)
// before they go on share one write. The first caller to find no write under
// way writes every item added so far, its own included; callers that come
// meanwhile add theirs to the next group, written by the first of them once
// the write before is done. Each caller returns with the outcome of the write
// that carried its item. What one write costs (an fdatasync, a Kafka
// transaction) is paid once per group instead of once per caller.
//
//   GroupCommit<std::string> lines([&](std::vector<std::string>& group) {
//     return WriteAndSync(absl::StrJoin(group, ""));
//   });
//   absl::Status s = lines.Commit(line);  // from any thread
//
// `write` runs on a caller's thread, one group at a time.
#ifndef SBRGATE_PIPELINE_PLATFORM_COMMON_GROUP_COMMIT_H_
#define SBRGATE_PIPELINE_PLATFORM_COMMON_GROUP_COMMIT_H_

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace sbrgate {

template <typename Item>
class GroupCommit {
 public:
  using Write = std::function<absl::Status(std::vector<Item>& group)>;

  explicit GroupCommit(Write write) : write_(std::move(write)) {}
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  absl::Status Commit(Item item) {
    std::shared_ptr<Group> mine;
    {
      absl::MutexLock lock(&mu_);
      if (filling_ == nullptr) filling_ = std::make_shared<Group>();
      filling_->items.push_back(std::move(item));
      mine = filling_;
      auto done_or_idle = [this, &mine]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return mine->done || !writing_;
      };
      mu_.Await(absl::Condition(&done_or_idle));
      if (mine->done) return mine->status;
      // No write under way, so this item's group is still the one filling:
      // this caller writes it, with every item added meanwhile.
      writing_ = true;
      filling_ = nullptr;
    }
    const absl::Status written = write_(mine->items);
    absl::MutexLock lock(&mu_);
    mine->status = written;
    mine->done = true;
    writing_ = false;
    return written;
  }

 private:
  struct Group {
    std::vector<Item> items;
    bool done = false;
    absl::Status status;
  };

  const Write write_;
  absl::Mutex mu_;
  std::shared_ptr<Group> filling_ ABSL_GUARDED_BY(mu_);  // the next group to write
  bool writing_ ABSL_GUARDED_BY(mu_) = false;            // a group is being written
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_PLATFORM_COMMON_GROUP_COMMIT_H_

#include "pipeline/stp/status/status_view.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "pipeline/platform/common/proto_time.h"

namespace sbrgate::lodgment {

bool IsFinal(v1::LodgmentState state) {
  switch (state) {
    case v1::ACCEPTED:
    case v1::PARTIALLY_ACCEPTED:
    case v1::REJECTED:
    case v1::SYSTEM_ERROR:
    case v1::ESCALATED:
    case v1::SUPERSEDED:
    case v1::REFUSED:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<std::vector<v1::RecordProblem>> StatusView::LoadProblems(
    const events::BlobRef& ref) const {
  absl::StatusOr<std::string> bytes = blobs_->ReadString(ref.sha256());
  if (!bytes.ok()) return bytes.status();
  events::RecordProblems problems;
  if (!problems.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("blob ", ref.sha256(), " is not a RecordProblems"));
  }
  return std::vector<v1::RecordProblem>(problems.problems().begin(), problems.problems().end());
}

absl::Status StatusView::Apply(const events::StatusChange& change) {
  // Blobs are read outside the lock.
  std::optional<std::vector<v1::RecordProblem>> held, rejected, sent;
  if (!change.held_back().sha256().empty()) {
    auto p = LoadProblems(change.held_back());
    if (!p.ok()) return p.status();
    held = *std::move(p);
  }
  if (!change.rejected_records().sha256().empty()) {
    auto p = LoadProblems(change.rejected_records());
    if (!p.ok()) return p.status();
    rejected = *std::move(p);
  }
  // The sent records are needed only to name rejected records and, when an
  // update event is accepted, to resolve what it corrected.
  const bool accepted =
      change.state() == v1::ACCEPTED || change.state() == v1::PARTIALLY_ACCEPTED;
  if (rejected || accepted) {
    events::BlobRef ref = change.sent_records();
    if (ref.sha256().empty()) {
      absl::MutexLock lock(&mu_);
      auto it = entries_.find(change.lodgment_id());
      if (it != entries_.end()) ref = it->second.sent_records;
    }
    if (!ref.sha256().empty()) {
      auto p = LoadProblems(ref);
      if (!p.ok()) return p.status();
      sent = *std::move(p);
    }
  }

  absl::MutexLock lock(&mu_);
  if (!change.redriven_dead_letter().empty()) {
    auto d = dead_letters_.find(change.redriven_dead_letter());
    if (d != dead_letters_.end()) d->second.info.set_redriven(true);
    if (change.lodgment_id().empty()) return absl::OkStatus();
  }
  auto [it, inserted] = entries_.try_emplace(change.lodgment_id());
  Entry& e = it->second;
  v1::Lodgment& l = e.lodgment;
  if (inserted) order_.push_back(change.lodgment_id());
  e.open_dead_letters.erase(change.redriven_dead_letter());
  const bool needs_attention = !e.open_dead_letters.empty();
  const v1::Lodgment& update = change.lodgment();
  if (!update.lodgment_errors().empty()) l.clear_lodgment_errors();
  l.MergeFrom(update);
  l.set_lodgment_id(change.lodgment_id());
  if (needs_attention) {
    l.set_state(v1::NEEDS_ATTENTION);
    if (change.state() != v1::STATE_UNSPECIFIED) e.state_before_attention = change.state();
  } else {
    if (change.state() != v1::STATE_UNSPECIFIED) l.set_state(change.state());
    if (!change.detail().empty()) l.set_detail(change.detail());
  }
  if (change.has_at()) {
    *l.mutable_updated_at() = change.at();
    if (!l.has_created_at()) *l.mutable_created_at() = change.at();
  }
  if (held) {
    l.clear_held_back();
    for (auto& p : *held) *l.add_held_back() = std::move(p);
  }
  if (!change.sent_records().sha256().empty()) e.sent_records = change.sent_records();
  if (rejected) {
    // SBR names records by DocumentID; add who they are from what was sent.
    std::map<std::string, const v1::RecordProblem*> by_id;
    if (sent) {
      for (const v1::RecordProblem& s : *sent) by_id[s.document_id()] = &s;
    }
    l.clear_rejected_records();
    for (auto& p : *rejected) {
      auto it = by_id.find(p.document_id());
      if (it != by_id.end()) {
        if (p.payroll_id().empty()) p.set_payroll_id(it->second->payroll_id());
        if (p.family_name().empty()) p.set_family_name(it->second->family_name());
        if (p.tfn_masked().empty()) p.set_tfn_masked(it->second->tfn_masked());
      }
      *l.add_rejected_records() = std::move(p);
    }
  }
  if (change.has_poll()) *l.add_polls() = change.poll();
  if (change.has_submission()) e.submission = change.submission();
  if (!l.abn().empty() && !l.bms_id().empty() && !l.interaction_transaction_id().empty() &&
      l.kind() != "Update") {
    idempotency_.try_emplace({l.abn(), l.bms_id(), l.interaction_transaction_id()},
                             change.lodgment_id());
  }
  if (l.kind() == "Update" &&
      (l.state() == v1::ACCEPTED || l.state() == v1::PARTIALLY_ACCEPTED)) {
    ResolveCorrected(e, sent ? *sent : std::vector<v1::RecordProblem>());
  }
  ++e.version;
  return absl::OkStatus();
}

void StatusView::ApplyDeadLetter(int32_t partition, int64_t offset,
                                 const events::DeadLetter& dead_letter, bool lodgment) {
  const std::string id = absl::StrCat(partition, "-", offset);
  absl::MutexLock lock(&mu_);
  auto [d, added] = dead_letters_.try_emplace(id);
  if (!added) return;  // read again after a restart of the view
  dead_letter_order_.push_back(id);
  v1::DeadLetterInfo& info = d->second.info;
  info.set_id(id);
  info.set_stage(dead_letter.stage());
  info.set_topic(dead_letter.topic());
  info.set_partition(dead_letter.partition());
  info.set_offset(dead_letter.offset());
  info.set_error(dead_letter.error());
  info.set_error_code(dead_letter.error_code());
  info.set_attempts(dead_letter.attempts());
  *info.mutable_at() = dead_letter.at();
  info.set_redrivable(!dead_letter.value().empty());
  d->second.record = dead_letter;
  if (!lodgment || dead_letter.key().empty()) return;
  info.set_lodgment_id(dead_letter.key());
  auto [it, inserted] = entries_.try_emplace(dead_letter.key());
  Entry& e = it->second;
  if (inserted) order_.push_back(dead_letter.key());
  if (e.open_dead_letters.empty()) e.state_before_attention = e.lodgment.state();
  e.open_dead_letters.insert(id);
  e.lodgment.set_lodgment_id(dead_letter.key());
  e.lodgment.set_state(v1::NEEDS_ATTENTION);
  e.lodgment.set_detail(absl::StrCat(
      "stage ", dead_letter.stage(), " could not process its record from ", dead_letter.topic(),
      " (", dead_letter.error(), "): fix the cause, then redrive dead letter ", id,
      " (sbrgate deadletters redrive --id=", id, ")"));
  if (dead_letter.has_at()) *e.lodgment.mutable_updated_at() = dead_letter.at();
  ++e.version;
}

std::vector<v1::DeadLetterInfo> StatusView::DeadLetters(bool include_redriven) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::DeadLetterInfo> out;
  for (const std::string& id : dead_letter_order_) {
    const v1::DeadLetterInfo& info = dead_letters_.at(id).info;
    if (include_redriven || !info.redriven()) out.push_back(info);
  }
  return out;
}

std::optional<StatusView::HeldDeadLetter> StatusView::DeadLetter(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto d = dead_letters_.find(id);
  if (d == dead_letters_.end()) return std::nullopt;
  HeldDeadLetter held{d->second.info, d->second.record};
  if (auto e = entries_.find(d->second.info.lodgment_id()); e != entries_.end()) {
    held.resume_state = e->second.state_before_attention;
  }
  return held;
}

void StatusView::ResolveCorrected(const Entry& update,
                                  const std::vector<v1::RecordProblem>& sent) {
  auto original = entries_.find(update.lodgment.corrects_lodgment_id());
  if (original == entries_.end()) return;
  std::set<std::string> still_rejected;
  for (const v1::RecordProblem& p : update.lodgment.rejected_records()) {
    still_rejected.insert(p.payroll_id());
  }
  std::set<std::string> corrected;
  for (const v1::RecordProblem& p : sent) {
    if (still_rejected.count(p.payroll_id()) == 0) corrected.insert(p.payroll_id());
  }
  Entry& o = original->second;
  for (const auto* list : {&o.lodgment.rejected_records(), &o.lodgment.held_back()}) {
    for (const v1::RecordProblem& p : *list) {
      if (corrected.count(p.payroll_id()) > 0) o.resolved.insert(p.document_id());
    }
  }
  ++o.version;
}

std::optional<v1::Lodgment> StatusView::Get(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.lodgment;
}

bool StatusView::Matches(const v1::Lodgment& l, const ListFilter& f) {
  if (!f.abn.empty() && l.abn() != f.abn) return false;
  if (f.state != v1::STATE_UNSPECIFIED && l.state() != f.state) return false;
  const absl::Time created = FromProto(l.created_at());
  return created >= f.created_after && created < f.created_before;
}

std::vector<std::string> StatusView::Matching(const ListFilter& filter) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const std::string& id : order_) {
    if (Matches(entries_.at(id).lodgment, filter)) out.push_back(id);
  }
  return out;
}

std::vector<v1::Lodgment> StatusView::List(const ListFilter& filter, int page_size,
                                           const std::string& page_token,
                                           std::string* next_page_token) const {
  size_t start = 0;
  if (!page_token.empty() && !absl::SimpleAtoi(page_token, &start)) start = order_.size();
  page_size = page_size <= 0 ? 50 : std::min(page_size, 1000);
  absl::MutexLock lock(&mu_);
  std::vector<v1::Lodgment> out;
  next_page_token->clear();
  for (size_t i = start; i < order_.size(); ++i) {
    const v1::Lodgment& l = entries_.at(order_[i]).lodgment;
    if (!Matches(l, filter)) continue;
    if (static_cast<int>(out.size()) == page_size) {
      *next_page_token = absl::StrCat(i);
      break;
    }
    out.push_back(l);
  }
  return out;
}

std::optional<std::string> StatusView::FindByIdempotencyKey(const std::string& abn,
                                                            const std::string& bms_id,
                                                            const std::string& transaction_id) const {
  absl::MutexLock lock(&mu_);
  auto it = idempotency_.find({abn, bms_id, transaction_id});
  if (it == idempotency_.end()) return std::nullopt;
  return it->second;
}

std::vector<v1::RejectedRecord> StatusView::Rejected(const std::string& abn,
                                                     const std::string& lodgment_id) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::RejectedRecord> out;
  for (const std::string& id : order_) {
    const Entry& e = entries_.at(id);
    const v1::Lodgment& l = e.lodgment;
    if ((!abn.empty() && l.abn() != abn) || (!lodgment_id.empty() && id != lodgment_id)) continue;
    if (l.state() == v1::SUPERSEDED) continue;
    auto add = [&](const v1::RecordProblem& p, bool held) {
      if (e.resolved.count(p.document_id()) > 0) return;
      v1::RejectedRecord r;
      r.set_lodgment_id(id);
      r.set_abn(l.abn());
      *r.mutable_problem() = p;
      r.set_held_back(held);
      out.push_back(std::move(r));
    };
    for (const v1::RecordProblem& p : l.held_back()) add(p, true);
    for (const v1::RecordProblem& p : l.rejected_records()) add(p, false);
  }
  return out;
}

std::optional<events::LodgmentToSubmit> StatusView::Submission(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.submission.lodgment_id().empty()) return std::nullopt;
  return it->second.submission;
}

int64_t StatusView::Version(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(id);
  return it == entries_.end() ? 0 : it->second.version;
}

int64_t StatusView::WaitForChange(const std::string& id, int64_t seen, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    auto it = entries_.find(id);
    return it != entries_.end() && it->second.version > seen;
  };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  auto it = entries_.find(id);
  return it == entries_.end() ? 0 : it->second.version;
}

}  // namespace sbrgate::lodgment

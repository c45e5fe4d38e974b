// FakeClntcommExchange: a ClntcommExchange for unit tests, over an in-memory list of
// communications. Bulk responses are real response documents (written with
// clntcomm/wire.h) in a directory, ready after a set number of pulls; every
// push and pull is recorded. The real SbrClntcommExchange against the simulator is
// covered in tests/comms_e2e_test.cc.
//
//   FakeClntcommExchange sbr(dir);
//   sbr.AddItems(ClientTfn(), 150);
//   sbr.set_unavailable(true);       // pushes and pulls fail as a transport would
#ifndef SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_FAKE_EXCHANGE_H_
#define SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_FAKE_EXCHANGE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/clntcomm/exchange/exchange.h"

namespace sbrgate::comms {

class FakeClntcommExchange : public ClntcommExchange {
 public:
  explicit FakeClntcommExchange(std::string dir) : dir_(std::move(dir)) {}
  // As the real one: later pushes and pulls are Unavailable.
  void CancelExchanges() const override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }

  // `count` communications of `client`, sent one a minute from `first_sent`.
  void AddItems(const v1::ClientId& client, int count, absl::Time first_sent) {
    absl::MutexLock lock(&mu_);
    for (int i = 0; i < count; ++i) {
      clntcomm::Document d;
      d.item.set_document_id(absl::StrCat("CC", client.value(), "-", docs_.size()));
      *d.item.mutable_client() = client;
      d.item.set_client_name("Alex Citizen");
      d.item.set_channel(v1::PAPER);
      d.item.set_category(v1::NOTIFY);
      d.item.set_title("Notice of assessment");
      d.item.mutable_sent_at()->set_seconds(absl::ToUnixSeconds(first_sent + absl::Minutes(i)));
      d.mime_type = "application/pdf";
      d.content = absl::StrCat("%PDF-1.4 document ", d.item.document_id());
      docs_.push_back(std::move(d));
    }
  }
  void set_unavailable(bool unavailable) {
    absl::MutexLock lock(&mu_);
    unavailable_ = unavailable;
  }
  void set_pulls_before_ready(int n) {
    absl::MutexLock lock(&mu_);
    pulls_before_ready_ = n;
  }

  absl::StatusOr<v1::ListCommunicationsResponse> QuickList(
      const v1::ListCommunicationsRequest&) const override {
    absl::MutexLock lock(&mu_);
    ++quick_lists_;
    v1::ListCommunicationsResponse page;
    for (const clntcomm::Document& d : docs_) {
      if (page.items_size() == 100) {
        page.set_more_results(true);
        break;
      }
      *page.add_items() = d.item;
    }
    return page;
  }

  absl::StatusOr<clntcomm::ResponseEntry> GetOne(
      const v1::GetCommunicationRequest& request) const override {
    absl::MutexLock lock(&mu_);
    ++single_gets_;
    for (const clntcomm::Document& d : docs_) {
      if (d.item.document_id() == request.document_id()) return clntcomm::ResponseEntry{d, "", {}};
    }
    return absl::NotFoundError(absl::StrCat("no document ", request.document_id()));
  }

  absl::Status PushBulk(const BulkPush& push) const override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return absl::UnavailableError("connection refused");
    if (cancelled_) return absl::UnavailableError("not sent: the process is stopping");
    pushes_.push_back(push);
    return absl::OkStatus();
  }

  absl::StatusOr<BulkPull> PullBulk(const std::string& message_id) const override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return absl::UnavailableError("connection refused");
    if (cancelled_) return absl::UnavailableError("not sent: the process is stopping");
    const BulkPush* push = nullptr;
    for (const BulkPush& p : pushes_) {
      if (p.message_id == message_id) push = &p;
    }
    if (push == nullptr) return absl::FailedPreconditionError("EBMS:0004 unknown message");
    if (++pulls_[message_id] <= pulls_before_ready_) return BulkPull{};
    const std::string path = absl::StrCat(dir_, "/", message_id, ".xml");
    absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
    if (!sink.ok()) return sink.status();
    if (push->kind == BulkKind::kList) {
      v1::ListCommunicationsResponse page;
      for (const clntcomm::Document& d : docs_) *page.add_items() = d.item;
      if (absl::Status s = clntcomm::WriteListResponse(page, **sink); !s.ok()) return s;
    } else {
      absl::StatusOr<v1::BulkGetRequest> get = clntcomm::ReadGetRequest(push->request_xml);
      if (!get.ok()) return get.status();
      clntcomm::GetResponseWriter writer(**sink);
      for (const v1::GetCommunicationRequest& r : get->documents()) {
        for (const clntcomm::Document& d : docs_) {
          if (d.item.document_id() != r.document_id()) continue;
          if (absl::Status s = writer.AddDocument(d); !s.ok()) return s;
          ++documents_sent_;
        }
      }
      if (absl::Status s = writer.Finish(); !s.ok()) return s;
    }
    if (absl::Status s = (*sink)->Close(); !s.ok()) return s;
    return BulkPull{true, StoredBytes::File(path)};
  }

  std::vector<BulkPush> pushes() const {
    absl::MutexLock lock(&mu_);
    return pushes_;
  }
  int documents_sent() const {
    absl::MutexLock lock(&mu_);
    return documents_sent_;
  }
  int single_gets() const {
    absl::MutexLock lock(&mu_);
    return single_gets_;
  }
  std::vector<clntcomm::Document> docs() const {
    absl::MutexLock lock(&mu_);
    return docs_;
  }

 private:
  const std::string dir_;
  mutable absl::Mutex mu_;
  std::vector<clntcomm::Document> docs_ ABSL_GUARDED_BY(mu_);
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  mutable bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  int pulls_before_ready_ ABSL_GUARDED_BY(mu_) = 1;
  mutable std::vector<BulkPush> pushes_ ABSL_GUARDED_BY(mu_);
  mutable std::map<std::string, int> pulls_ ABSL_GUARDED_BY(mu_);
  mutable int documents_sent_ ABSL_GUARDED_BY(mu_) = 0;
  mutable int quick_lists_ ABSL_GUARDED_BY(mu_) = 0;
  mutable int single_gets_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_CLNTCOMM_EXCHANGE_FAKE_EXCHANGE_H_

#include "pipeline/sim/simulator/sim_state_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "proto/communications.pb.h"

namespace sbrgate::sim {
namespace {

class SimStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_EQ(std::system(absl::StrCat("rm -rf ", dir_).c_str()), 0);
  }

  std::unique_ptr<SimStateStore> Open() {
    absl::StatusOr<std::unique_ptr<SimStateStore>> store = SimStateStore::Open(dir_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string dir_;
};

state::Message MessageRecord(const std::string& id, int64_t arrival) {
  state::Message m;
  m.set_message_id(id);
  m.set_arrival(arrival);
  m.set_receipt_xml(absl::StrCat("<receipt for ", id, "/>"));
  m.set_receipts_sent(1);
  return m;
}

state::ClntcommSeed SeedRecord(uint64_t seed) {
  state::ClntcommSeed s;
  s.set_agent_abn("51824753556");
  s.set_ran("12345678");
  s.set_seed(seed);
  s.set_from("2020-07-01");
  s.set_to("2024-06-30");
  return s;
}

std::vector<std::string> MessageIds(const SimStateStore::Saved& saved) {
  std::vector<std::string> ids;
  for (const state::Message& m : saved.messages) ids.push_back(m.message_id());
  return ids;
}

TEST_F(SimStateStoreTest, NewStoreHoldsNothing) {
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->counters.pushes(), 0);
  EXPECT_TRUE(saved->messages.empty());
  EXPECT_TRUE(saved->clntcomm_changes.empty());
}

TEST_F(SimStateStoreTest, ReopenedStoreHasTheLatestOfEveryMessageInArrivalOrder) {
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    state::Counters counters;
    counters.set_pushes(1);
    // Saved out of arrival order: the second arrival is saved first.
    ASSERT_TRUE(store->Save(counters, MessageRecord("zz-second", 1)).ok());
    counters.set_pushes(2);
    ASSERT_TRUE(store->Save(counters, MessageRecord("aa-first", 0)).ok());
    state::Message processed = MessageRecord("zz-second", 1);
    processed.set_processed(true);
    processed.set_maximum_severity("Partial");
    processed.add_rejected_document_ids("1.3");
    ASSERT_TRUE(store->Save(counters, processed).ok());
    counters.set_pulls(5);
    ASSERT_TRUE(store->Save(counters).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->counters.pushes(), 2);
  EXPECT_EQ(saved->counters.pulls(), 5);
  ASSERT_EQ(MessageIds(*saved), (std::vector<std::string>{"aa-first", "zz-second"}));
  EXPECT_FALSE(saved->messages[0].processed());
  EXPECT_EQ(saved->messages[0].receipt_xml(), "<receipt for aa-first/>");
  EXPECT_TRUE(saved->messages[1].processed());
  EXPECT_EQ(saved->messages[1].maximum_severity(), "Partial");
  EXPECT_EQ(saved->messages[1].rejected_document_ids_size(), 1);
}

TEST_F(SimStateStoreTest, ConcurrentWritesReachTheDiskInTheOrderQueued) {
  constexpr int kThreads = 8;
  constexpr int kWritesEach = 40;
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    // As AgencyState does: queued under one lock in the order of the
    // changes, waited for outside it in whatever order the threads run.
    absl::Mutex mu;
    int64_t version = 0;
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kWritesEach; ++i) {
          SimStateStore::Ticket ticket;
          {
            absl::MutexLock lock(&mu);
            ++version;
            state::Counters counters;
            counters.set_pushes(version);
            state::Message m = MessageRecord("the-message", 0);
            m.set_receipts_sent(static_cast<int32_t>(version));
            ticket = store->Queue(counters, m);
          }
          if (!store->Wait(ticket).ok()) ++failed;
        }
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failed.load(), 0);
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->counters.pushes(), kThreads * kWritesEach);
  ASSERT_EQ(saved->messages.size(), 1u);
  EXPECT_EQ(saved->messages[0].receipts_sent(), kThreads * kWritesEach) << "a stale write won";
}

// As AgencyState saves a message: its receipt and payload with the push, its
// response once processed, and each later save (a pull) without them.
TEST_F(SimStateStoreTest, PartsSavedOnceStayWhenLaterSavesLeaveThemOut) {
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    state::Counters counters;
    state::Message pushed = MessageRecord("the-message", 0);
    pushed.set_payload_gzip("payload bytes");
    ASSERT_TRUE(store->Save(counters, pushed).ok());
    state::Message started = MessageRecord("the-message", 0);
    started.clear_receipt_xml();
    started.set_process_count(1);
    ASSERT_TRUE(store->Save(counters, started).ok());
    state::Message processed = started;
    processed.set_processed(true);
    processed.set_response_gzip("response bytes");
    ASSERT_TRUE(store->Save(counters, processed).ok());
    state::Message pulled = started;
    pulled.set_processed(true);
    pulled.add_pulls()->set_result("response");
    ASSERT_TRUE(store->Save(counters, pulled).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  ASSERT_EQ(saved->messages.size(), 1u);
  const state::Message& m = saved->messages[0];
  EXPECT_EQ(m.receipt_xml(), "<receipt for the-message/>");
  EXPECT_EQ(m.payload_gzip(), "payload bytes");
  EXPECT_EQ(m.response_gzip(), "response bytes");
  EXPECT_EQ(m.process_count(), 1);
  EXPECT_TRUE(m.processed());
  EXPECT_EQ(m.pulls_size(), 1);
}

// A payload or response kept as a file is no part of the record.
TEST_F(SimStateStoreTest, MessageWithoutPartsLoadsWithoutThem) {
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    state::Message m = MessageRecord("in-files", 0);
    m.set_processed(true);
    ASSERT_TRUE(store->Save(state::Counters(), m).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  ASSERT_EQ(saved->messages.size(), 1u);
  EXPECT_FALSE(saved->messages[0].has_payload_gzip());
  EXPECT_FALSE(saved->messages[0].has_response_gzip());
}

// Written without an fsync, as a processing start is: the database's
// closing (as the process's death) keeps it.
TEST_F(SimStateStoreTest, WrittenSaveComesBackWithoutASyncedOneAfter) {
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    state::Counters counters;
    counters.set_pushes(1);
    state::Message started = MessageRecord("started", 0);
    started.set_process_count(1);
    ASSERT_TRUE(
        store->Wait(store->Queue(counters, started, SimStateStore::Durability::kWritten)).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->counters.pushes(), 1);
  ASSERT_EQ(saved->messages.size(), 1u);
  EXPECT_EQ(saved->messages[0].process_count(), 1);
}

TEST_F(SimStateStoreTest, DefaultTicketStandsForNoWrite) {
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Wait(SimStateStore::Ticket()).ok());
}

TEST_F(SimStateStoreTest, SeedsComeBackInTheOrderAddedAcrossReopens) {
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    // More than 255, so that the numbering's higher bytes matter.
    for (uint64_t i = 0; i < 300; ++i) ASSERT_TRUE(store->AddClntcommSeed(SeedRecord(i)).ok());
  }
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AddClntcommSeed(SeedRecord(300)).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  ASSERT_EQ(saved->clntcomm_changes.size(), 301u);
  for (uint64_t i = 0; i < 301; ++i) EXPECT_EQ(saved->clntcomm_changes[i].seed().seed(), i);
  EXPECT_EQ(saved->clntcomm_changes[0].seed().to(), "2024-06-30");
}

TEST_F(SimStateStoreTest, SeedsAndCorrespondenceComeBackInOneOrderAcrossReopens) {
  auto correspondence = [](const std::string& id) {
    state::ClntcommCorrespondence c;
    c.set_document_id(id);
    c.mutable_client()->set_type(v1::ABN);
    c.mutable_client()->set_value("51824753556");
    c.set_title("Payroll event: TFN matching failures");
    c.mutable_sent_at()->set_seconds(1720000000);
    c.add_lines("1.3 | E1000002 | Smith | ******782");
    return c;
  };
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AddClntcommSeed(SeedRecord(0)).ok());
    ASSERT_TRUE(store->AddClntcommCorrespondence(correspondence("MF-A")).ok());
    ASSERT_TRUE(store->AddClntcommSeed(SeedRecord(1)).ok());
  }
  {
    // Numbering goes on after the last change of either kind.
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AddClntcommCorrespondence(correspondence("MF-B")).ok());
    ASSERT_TRUE(store->AddClntcommSeed(SeedRecord(2)).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  std::vector<std::string> order;
  for (const state::ClntcommChange& c : saved->clntcomm_changes) {
    order.push_back(c.has_correspondence() ? c.correspondence().document_id()
                                           : absl::StrCat("seed ", c.seed().seed()));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"seed 0", "MF-A", "seed 1", "MF-B", "seed 2"}));
  const state::ClntcommCorrespondence& kept = saved->clntcomm_changes[1].correspondence();
  EXPECT_EQ(kept.client().value(), "51824753556");
  EXPECT_EQ(kept.sent_at().seconds(), 1720000000);
  ASSERT_EQ(kept.lines_size(), 1);
  EXPECT_EQ(kept.lines(0), "1.3 | E1000002 | Smith | ******782");
}

TEST_F(SimStateStoreTest, IcsRecordsComeBackTheLatestOfEachKey) {
  {
    std::unique_ptr<SimStateStore> store = Open();
    state::IcsChange first;
    first.add_abns()->set_abn("53004085616");
    v1::IcsClient* c = first.add_clients();
    c->set_client_id("CC000000001");
    c->set_name("Mei Nguyen");
    first.add_registrants()->set_agent_abn("51824753556");
    first.set_next_ccid(2);
    ASSERT_TRUE(store->SaveIcs(first).ok());
    state::IcsChange second;
    c = second.add_clients();
    c->set_client_id("CC000000001");
    c->set_name("Mei Lin Nguyen");
    second.add_clients()->set_client_id("CC000000002");
    second.set_next_ccid(3);
    ASSERT_TRUE(store->SaveIcs(second).ok());
    ASSERT_TRUE(store->SaveIcs(state::IcsChange()).ok());  // next_ccid 0: unchanged
  }
  std::unique_ptr<SimStateStore> store = Open();
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->ics.abns_size(), 1);
  ASSERT_EQ(saved->ics.clients_size(), 2);
  EXPECT_EQ(saved->ics.clients(0).name(), "Mei Lin Nguyen");
  EXPECT_EQ(saved->ics.registrants_size(), 1);
  EXPECT_EQ(saved->ics.next_ccid(), 3);
}

TEST_F(SimStateStoreTest, EachClientsLastDemographicsComeBack) {
  auto demographics = [](v1::ClientIdType type, const std::string& value,
                         const std::string& locality) {
    state::ClientDemographics c;
    c.mutable_client()->set_type(type);
    c.mutable_client()->set_value(value);
    state::DemographicsLevel* level = c.add_levels();
    level->set_account("AS:001");
    level->mutable_records()->add_addresses()->set_locality(locality);
    return c;
  };
  {
    std::unique_ptr<SimStateStore> store = Open();
    ASSERT_TRUE(store->SaveDemographics(demographics(v1::ABN, "53004085616", "Sydney")).ok());
    ASSERT_TRUE(store->SaveDemographics(demographics(v1::TFN, "53004085616", "Perth")).ok());
    ASSERT_TRUE(store->SaveDemographics(demographics(v1::ABN, "53004085616", "Hobart")).ok());
  }
  std::unique_ptr<SimStateStore> store = Open();
  absl::StatusOr<SimStateStore::Saved> saved = store->Load();
  ASSERT_TRUE(saved.ok()) << saved.status();
  ASSERT_EQ(saved->demographics.size(), 2u);
  EXPECT_EQ(saved->demographics[0].client().type(), v1::ABN);
  EXPECT_EQ(saved->demographics[0].levels(0).records().addresses(0).locality(), "Hobart");
  EXPECT_EQ(saved->demographics[1].levels(0).records().addresses(0).locality(), "Perth");
}

TEST_F(SimStateStoreTest, SecondSimulatorOnTheSameStateIsRefused) {
  std::unique_ptr<SimStateStore> first = Open();
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<SimStateStore>> second = SimStateStore::Open(dir_);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

}  // namespace
}  // namespace sbrgate::sim

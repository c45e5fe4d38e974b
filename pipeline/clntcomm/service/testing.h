// What the comms tests share: Sydney times, a client, the fields of a
// google.rpc.BadRequest, and a test bed of a blob store, a ledger, a
// DocumentKeeper and a FakeClntcommExchange in the test's own directory.
//
//   TestBed bed = TestBed::ForCurrentTest();
//   bed.sbr->AddItems(TestTfn(), 150, SydneyTime(2026, 3, 1, 9));
//   JobStage stage(bed.sbr.get(), bed.keeper.get(), {});
#ifndef SBRGATE_PIPELINE_COMMS_TESTING_H_
#define SBRGATE_PIPELINE_COMMS_TESTING_H_

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pipeline/platform/blob/blob_store.h"
#include "pipeline/clntcomm/documents/ledger.h"
#include "pipeline/clntcomm/rules/sydney.h"
#include "pipeline/clntcomm/documents/document_keeper.h"
#include "pipeline/clntcomm/exchange/fake_exchange.h"
#include "proto/communications.pb.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::comms {

inline absl::Time SydneyTime(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), clntcomm::SydneyTimeZone());
}

// A client with a valid TFN.
inline v1::ClientId TestTfn() {
  v1::ClientId c;
  c.set_type(v1::TFN);
  c.set_value("123456782");
  return c;
}

// The fields a status's google.rpc.BadRequest details name.
inline std::vector<std::string> BadRequestFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status rich;
  if (!rich.ParseFromString(s.error_details())) return fields;
  for (const google::protobuf::Any& any : rich.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

struct TestBed {
  std::string dir;
  std::unique_ptr<blob::BlobStore> blobs;
  std::unique_ptr<clntcomm::RetrievalLedger> ledger;
  std::unique_ptr<DocumentKeeper> keeper;
  std::unique_ptr<FakeClntcommExchange> sbr;

  // In $TEST_TMPDIR/<the running test's name>.
  static TestBed ForCurrentTest() {
    TestBed bed;
    bed.dir = std::string(std::getenv("TEST_TMPDIR")) + "/" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(bed.dir + "/sbr");
    bed.blobs = *blob::BlobStore::Create(bed.dir + "/blobs");
    bed.ledger = *clntcomm::RetrievalLedger::Open(bed.dir + "/ledger");
    bed.keeper = std::make_unique<DocumentKeeper>(bed.blobs.get(), bed.ledger.get());
    bed.sbr = std::make_unique<FakeClntcommExchange>(bed.dir + "/sbr");
    return bed;
  }
};

}  // namespace sbrgate::comms

#endif  // SBRGATE_PIPELINE_COMMS_TESTING_H_

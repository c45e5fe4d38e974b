// `sbrgate comms ...` (comms_command.cc) run as a separate process against a
// scripted CommunicationService served from this test: what each command
// sends, what it prints, and how it reports the gateway's errors. The real
// service's behaviour is tests/comms_e2e_test.cc's concern.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/testing/run_program.h"
#include "proto/communications.grpc.pb.h"
#include "proto/google/rpc/error_details.pb.h"
#include "proto/google/rpc/status.pb.h"

namespace sbrgate::cli {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

constexpr char kDocument[] = "the notice of assessment, as a PDF would be";

v1::CommunicationItem Item(const std::string& id) {
  v1::CommunicationItem item;
  item.set_document_id(id);
  item.mutable_client()->set_type(v1::TFN);
  item.mutable_client()->set_value("123456782");
  item.set_client_name("Jane Citizen");
  item.set_channel(v1::PAPER);
  item.set_category(v1::NOTIFY);
  item.set_title("Notice of assessment");
  item.mutable_sent_at()->set_seconds(1721005323);
  return item;
}

v1::Job MakeJob(const std::string& id, const std::string& kind, v1::JobState state) {
  v1::Job job;
  job.set_job_id(id);
  job.set_kind(kind);
  job.set_state(state);
  job.mutable_created_at()->set_seconds(1721005300);
  return job;
}

// Answers from a script and keeps the last request of each kind.
class ScriptedComms final : public v1::CommunicationService::Service {
 public:
  grpc::Status QuickList(grpc::ServerContext*, const v1::ListCommunicationsRequest* request,
                         v1::ListCommunicationsResponse* response) override {
    absl::MutexLock lock(&mu_);
    list_ = *request;
    if (request->categories_size() > 1) {
      google::rpc::BadRequest bad;
      auto* v = bad.add_field_violations();
      v->set_field("categories");
      v->set_description("at most one category");
      google::rpc::Status rich;
      rich.set_code(grpc::StatusCode::INVALID_ARGUMENT);
      rich.set_message("categories: at most one category");
      rich.add_details()->PackFrom(bad);
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, rich.message(),
                          rich.SerializeAsString());
    }
    *response->add_items() = Item("D-1");
    response->set_more_results(true);
    return grpc::Status::OK;
  }
  grpc::Status StartBulkList(grpc::ServerContext*, const v1::ListCommunicationsRequest* request,
                             v1::Job* job) override {
    absl::MutexLock lock(&mu_);
    list_ = *request;
    *job = MakeJob("bl-1", "bulk-list", v1::SCHEDULED);
    job->mutable_not_before()->set_seconds(1721050000);
    return grpc::Status::OK;
  }
  grpc::Status GetCommunication(grpc::ServerContext*, const v1::GetCommunicationRequest* request,
                                v1::Communication* response) override {
    absl::MutexLock lock(&mu_);
    get_ = *request;
    *response->mutable_item() = Item(request->document_id());
    response->set_sha256(Sha256Hex(kDocument));
    response->set_size(sizeof kDocument - 1);
    return grpc::Status::OK;
  }
  grpc::Status StartBulkGet(grpc::ServerContext*, const v1::BulkGetRequest* request,
                            v1::Job* job) override {
    absl::MutexLock lock(&mu_);
    bulk_get_ = *request;
    *job = MakeJob("bg-1", "bulk-get", v1::SCHEDULED);
    return grpc::Status::OK;
  }
  grpc::Status GetJob(grpc::ServerContext*, const v1::GetJobRequest* request,
                      v1::Job* job) override {
    if (request->job_id() == "listed") {
      // Two pages, as the service pages a job's results.
      *job = MakeJob("listed", "bulk-list", v1::DONE);
      job->set_item_count(2);
      if (request->page_token().empty()) {
        *job->add_items() = Item("D-1");
        job->set_next_page_token("p2");
      } else if (request->page_token() == "p2") {
        *job->add_items() = Item("D-2");
      } else {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad page token");
      }
      return grpc::Status::OK;
    }
    if (request->job_id() == "running") {
      *job = MakeJob("running", "bulk-list", v1::RUNNING);
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no job " + request->job_id());
  }
  grpc::Status ListJobs(grpc::ServerContext*, const v1::ListJobsRequest* request,
                        v1::ListJobsResponse* response) override {
    *response->add_jobs() = MakeJob("j-" + request->agent_abn(), "daily-sync", v1::DONE);
    return grpc::Status::OK;
  }
  // "done-soon" is RUNNING then DONE; any other job stays RUNNING.
  grpc::Status WatchJob(grpc::ServerContext* context, const v1::GetJobRequest* request,
                        grpc::ServerWriter<v1::Job>* writer) override {
    writer->Write(MakeJob(request->job_id(), "bulk-get", v1::RUNNING));
    if (request->job_id() == "done-soon") {
      v1::Job done = MakeJob(request->job_id(), "bulk-get", v1::DONE);
      done.mutable_finished_at()->set_seconds(1721005400);
      done.set_document_count(1);
      writer->Write(done);
      return grpc::Status::OK;
    }
    while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return grpc::Status::CANCELLED;
  }
  // The bytes of kDocument in two chunks; "tampered" gets other bytes.
  grpc::Status DownloadDocument(grpc::ServerContext*, const v1::DownloadDocumentRequest* request,
                                grpc::ServerWriter<v1::DocumentChunk>* writer) override {
    const std::string bytes = request->document_id() == "tampered" ? "other bytes" : kDocument;
    v1::DocumentChunk chunk;
    chunk.set_data(bytes.substr(0, 5));
    writer->Write(chunk);
    chunk.set_data(bytes.substr(5));
    writer->Write(chunk);
    return grpc::Status::OK;
  }
  grpc::Status StartDailySync(grpc::ServerContext*, const v1::DailySyncRequest* request,
                              v1::Job* job) override {
    absl::MutexLock lock(&mu_);
    sync_ = *request;
    *job = MakeJob("ds-1", "daily-sync", v1::SCHEDULED);
    return grpc::Status::OK;
  }

  v1::ListCommunicationsRequest list() {
    absl::MutexLock lock(&mu_);
    return list_;
  }
  v1::GetCommunicationRequest get() {
    absl::MutexLock lock(&mu_);
    return get_;
  }
  v1::BulkGetRequest bulk_get() {
    absl::MutexLock lock(&mu_);
    return bulk_get_;
  }
  v1::DailySyncRequest sync() {
    absl::MutexLock lock(&mu_);
    return sync_;
  }

 private:
  absl::Mutex mu_;
  v1::ListCommunicationsRequest list_ ABSL_GUARDED_BY(mu_);
  v1::GetCommunicationRequest get_ ABSL_GUARDED_BY(mu_);
  v1::BulkGetRequest bulk_get_ ABSL_GUARDED_BY(mu_);
  v1::DailySyncRequest sync_ ABSL_GUARDED_BY(mu_);
};

using Result = ::sbrgate::testing::ProgramResult;
using ::sbrgate::testing::ReadFileOrEmpty;
using ::sbrgate::testing::TestTempDir;

class CommsCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  // `sbrgate --gateway=... comms ARGS`, without $USER.
  Result Comms(std::vector<std::string> args) {
    args.insert(args.begin(), {absl::StrCat("--gateway=127.0.0.1:", port_), "comms"});
    return ::sbrgate::testing::RunProgram(::sbrgate::testing::SbrgateBinary(), args,
                                          "env -u USER -u SBRGATE_GATEWAY");
  }

  ScriptedComms service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

const std::vector<std::string> kAgent = {"--abn=51824753556", "--ran=12345678", "--user=alice"};

std::vector<std::string> With(std::vector<std::string> args) {
  args.insert(args.end(), kAgent.begin(), kAgent.end());
  return args;
}

TEST_F(CommsCommandTest, QuickListSendsEveryFlagAndPrintsTheItems) {
  const Result r = Comms(
      With({"list", "--client=TFN:123456782", "--client", "abn:51824753556", "--from=2016-01-01",
            "--to=2026-12-01", "--channel=paper,mygov,sms,email,agent-digital,ato-online",
            "--category=notify", "--sort=client-name", "--desc", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const v1::ListCommunicationsRequest sent = service_.list();
  EXPECT_EQ(sent.agent().agent_abn(), "51824753556");
  EXPECT_EQ(sent.agent().ran(), "12345678");
  EXPECT_EQ(sent.agent().user_id(), "alice");
  ASSERT_EQ(sent.clients_size(), 2);
  EXPECT_EQ(sent.clients(1).type(), v1::ABN);
  EXPECT_EQ(sent.from_date(), "2016-01-01");
  EXPECT_EQ(sent.to_date(), "2026-12-01");
  EXPECT_EQ(sent.channels_size(), 6);
  EXPECT_EQ(sent.channels(4), v1::AGENT_DIGITAL);
  ASSERT_EQ(sent.categories_size(), 1);
  EXPECT_EQ(sent.sort(), v1::SORT_CLIENT_NAME);
  EXPECT_TRUE(sent.descending());

  const Json out = Json::parse(r.out);
  EXPECT_EQ(out["count"], 1);
  EXPECT_EQ(out["more_results"], true);
  EXPECT_EQ(out["items"][0]["document_id"], "D-1");
  EXPECT_EQ(out["items"][0]["channel"], "PAPER");
  EXPECT_EQ(out["items"][0]["sent_at"], "2024-07-15T01:02:03Z");
}

TEST_F(CommsCommandTest, TheGatewaysFieldViolationsAreShown) {
  const Result r = Comms(With({"list", "--from=2024-01-01", "--to=2024-01-02", "--channel=paper",
                               "--category=notify", "--category=demand", "--json"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(service_.list().categories_size(), 2);
  const Json err = Json::parse(r.err)["error"];
  EXPECT_EQ(err["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(err["details"][0]["field"], "categories");

  const Result text = Comms(With({"list", "--from=2024-01-01", "--to=2024-01-02", "--channel=paper",
                                  "--category=notify", "--category=demand"}));
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_THAT(text.err, HasSubstr("  categories: at most one category"));
}

TEST_F(CommsCommandTest, BadFlagsAreUsageErrorsNamingTheFlag) {
  for (const auto& [args, flag] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {With({"list", "--from=a", "--to=b", "--channel=fax"}), "--channel"},
           {With({"list", "--client=123", "--from=a", "--to=b", "--channel=sms"}), "--client"},
           {{"list", "--ran=1", "--user=u", "--from=a", "--to=b", "--channel=sms"}, "--abn"},
           {{"sync", "--abn=1", "--ran=2"}, "--user"},
           {With({"get", "--bulk", "--document=TFN:1"}), "--document"},
           {{"jobs", "--timeout=5"}, "--timeout"},
           {{"jobs", "--bulk"}, "--bulk"}}) {
    std::vector<std::string> json_args = args;
    json_args.push_back("--json");
    const Result r = Comms(json_args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << flag;
    const Json err = Json::parse(r.err)["error"];
    EXPECT_EQ(err["code"], "INVALID_ARGUMENT");
    EXPECT_THAT(err["message"].get<std::string>(), HasSubstr(flag));
  }
}

TEST_F(CommsCommandTest, BulkListPrintsTheJob) {
  const Result r = Comms(With(
      {"list", "--bulk", "--from=2024-01-01", "--to=2024-01-07", "--channel=email", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.list().clients_size(), 0);
  const Json job = Json::parse(r.out);
  EXPECT_EQ(job["job_id"], "bl-1");
  EXPECT_EQ(job["state"], "SCHEDULED");
  EXPECT_EQ(job["not_before"], "2024-07-15T13:26:40Z");
  EXPECT_TRUE(job["finished_at"].is_null());
}

TEST_F(CommsCommandTest, GetDownloadsTheDocumentIntoOutput) {
  const std::string path = TestTempDir() + "/notice.pdf";
  const Result r = Comms(With({"get", "--client=TFN:123456782", "--document=D-7", "--refetch",
                               "--output=" + path, "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.get().document_id(), "D-7");
  EXPECT_TRUE(service_.get().refetch());
  EXPECT_EQ(service_.get().agent().user_id(), "alice");
  EXPECT_EQ(ReadFileOrEmpty(path), kDocument);
  const Json c = Json::parse(r.out);
  EXPECT_EQ(c["item"]["document_id"], "D-7");
  EXPECT_EQ(c["sha256"], Sha256Hex(kDocument));
  EXPECT_EQ(c["served_from_store"], false);
}

TEST_F(CommsCommandTest, ADownloadThatDoesNotMatchItsDigestIsNotKept) {
  const std::string path = TestTempDir() + "/tampered.pdf";
  const Result r = Comms(
      With({"get", "--client=TFN:123456782", "--document=tampered", "--output=" + path, "--json"}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Json::parse(r.err)["error"]["code"], "DATA_LOSS");
  EXPECT_FALSE(std::ifstream(path).good());
  EXPECT_FALSE(std::ifstream(path + ".tmp").good());
}

TEST_F(CommsCommandTest, BulkGetTakesAFinishedListsItemsAndDocumentFlags) {
  const Result r = Comms(With({"get", "--bulk", "--documents-from=listed",
                               "--document=ABN:51824753556:D-9", "--refetch", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const v1::BulkGetRequest sent = service_.bulk_get();
  EXPECT_TRUE(sent.refetch());
  EXPECT_EQ(sent.agent().agent_abn(), "51824753556");
  ASSERT_EQ(sent.documents_size(), 3);
  EXPECT_EQ(sent.documents(0).client().type(), v1::ABN);
  EXPECT_EQ(sent.documents(0).document_id(), "D-9");
  EXPECT_EQ(sent.documents(1).document_id(), "D-1");
  EXPECT_EQ(sent.documents(2).client().value(), "123456782");
  EXPECT_EQ(Json::parse(r.out)["kind"], "bulk-get");

  const Result unfinished = Comms(With({"get", "--bulk", "--documents-from=running", "--json"}));
  EXPECT_EQ(unfinished.exit_code, 1);
  EXPECT_EQ(Json::parse(unfinished.err)["error"]["code"], "FAILED_PRECONDITION");
  const Result missing = Comms(With({"get", "--bulk", "--documents-from=nope", "--json"}));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(Json::parse(missing.err)["error"]["code"], "NOT_FOUND");
}

TEST_F(CommsCommandTest, SyncAndJobs) {
  Result r = Comms(With({"sync", "--channel=paper", "--channel=sms", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(service_.sync().channels_size(), 2);
  EXPECT_EQ(Json::parse(r.out)["job_id"], "ds-1");

  r = Comms({"jobs", "--abn=51824753556", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["jobs"][0]["job_id"], "j-51824753556");

  r = Comms({"jobs", "listed", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["items"].size(), 2u);

  r = Comms({"jobs", "listed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("job listed (bulk-list): DONE"));
}

TEST_F(CommsCommandTest, WaitPrintsTheFinalJobOrTimesOut) {
  Result r = Comms({"jobs", "done-soon", "--wait", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json job = Json::parse(r.out);
  EXPECT_EQ(job["state"], "DONE");
  EXPECT_EQ(job["finished_at"], "2024-07-15T01:03:20Z");

  r = Comms({"jobs", "stuck", "--wait", "--timeout=0.5", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  const Json err = Json::parse(r.err)["error"];
  EXPECT_EQ(err["code"], "DEADLINE_EXCEEDED");
  EXPECT_THAT(err["message"].get<std::string>(), HasSubstr("still RUNNING"));
}

}  // namespace
}  // namespace sbrgate::cli

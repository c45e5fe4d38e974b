#include "pipeline/platform/rpc/watch.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace sbrgate::rpc {
namespace {

// What a client of the watch receives.
class RecordingWriter : public grpc::ServerWriterInterface<std::string> {
 public:
  void SendInitialMetadata() override {}
  bool Write(const std::string& message, grpc::WriteOptions) override {
    written.push_back(message);
    return !gone;
  }
  std::vector<std::string> written;
  bool gone = false;
};

// A watched thing whose states are "v1", "v2", ... with "final" last.
class Thing {
 public:
  void Change(std::string state) {
    absl::MutexLock lock(&mu_);
    state_ = std::move(state);
    ++version_;
  }

  Watched<std::string> Watching() {
    rpc::Watched<std::string> w;
    w.wait_for_change = [this](int64_t seen, absl::Time deadline) {
      absl::MutexLock lock(&mu_);
      auto passed = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return version_ > seen; };
      mu_.AwaitWithDeadline(absl::Condition(&passed), deadline);
      Snapshot<std::string> s;
      s.version = version_;
      if (version_ > seen) s.message = state_;
      return s;
    };
    w.is_final = [](const std::string& s) { return s == "final"; };
    w.appear_timeout = absl::Seconds(5);
    w.not_found = "thing not found";
    return w;
  }

 private:
  absl::Mutex mu_;
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  std::string state_ ABSL_GUARDED_BY(mu_);
};

TEST(WatchTest, SendsEachNewStateUntilTheFinalOne) {
  Thing thing;
  thing.Change("v1");
  grpc::ServerContext context;
  RecordingWriter writer;
  std::thread changer([&] {
    absl::SleepFor(absl::Milliseconds(20));
    thing.Change("v2");
    absl::SleepFor(absl::Milliseconds(20));
    thing.Change("final");
  });
  const grpc::Status s = Watch(&context, &writer, thing.Watching());
  changer.join();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(writer.written, (std::vector<std::string>{"v1", "v2", "final"}));
}

TEST(WatchTest, WaitsForAThingThatAppearsLate) {
  Thing thing;
  grpc::ServerContext context;
  RecordingWriter writer;
  std::thread changer([&] {
    absl::SleepFor(absl::Milliseconds(300));
    thing.Change("final");
  });
  const grpc::Status s = Watch(&context, &writer, thing.Watching());
  changer.join();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(writer.written, std::vector<std::string>{"final"});
}

TEST(WatchTest, NotFoundWhenTheThingNeverAppears) {
  Thing thing;
  Watched<std::string> watched = thing.Watching();
  watched.appear_timeout = absl::Milliseconds(50);
  grpc::ServerContext context;
  RecordingWriter writer;
  const absl::Time start = absl::Now();
  const grpc::Status s = Watch(&context, &writer, watched);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "thing not found");
  EXPECT_LT(absl::Now() - start, kWatchTick);
  EXPECT_TRUE(writer.written.empty());
}

TEST(WatchTest, CancelledWhenTheClientIsGone) {
  Thing thing;
  thing.Change("v1");
  grpc::ServerContext context;
  RecordingWriter writer;
  writer.gone = true;
  const grpc::Status s = Watch(&context, &writer, thing.Watching());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(writer.written, std::vector<std::string>{"v1"});
}

TEST(WatchTest, CompletesEachStateBeforeSendingIt) {
  Thing thing;
  thing.Change("final");
  Watched<std::string> watched = thing.Watching();
  watched.complete = [](std::string& state) {
    state += " (complete)";
    return grpc::Status::OK;
  };
  watched.is_final = [](const std::string& s) { return s == "final (complete)"; };
  grpc::ServerContext context;
  RecordingWriter writer;
  EXPECT_TRUE(Watch(&context, &writer, watched).ok());
  EXPECT_EQ(writer.written, std::vector<std::string>{"final (complete)"});
}

TEST(WatchTest, AFailedCompletionEndsTheWatch) {
  Thing thing;
  thing.Change("v1");
  Watched<std::string> watched = thing.Watching();
  watched.complete = [](std::string&) {
    return grpc::Status(grpc::StatusCode::DATA_LOSS, "results do not parse");
  };
  grpc::ServerContext context;
  RecordingWriter writer;
  const grpc::Status s = Watch(&context, &writer, watched);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_TRUE(writer.written.empty());
}

}  // namespace
}  // namespace sbrgate::rpc

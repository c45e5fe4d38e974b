// sbrgate log topics|tail: reads sbrgated's durable local log
// (pipeline/platform/log/local_log.h, in DATA_DIR/log) beside the running
// daemon, as kcat reads Kafka. Each record's value is decoded as the message
// its topic declares (TopicSpec::value_type, pipeline/topology/topology.cc).
//
//   log topics [--data-dir=DIR] [--json]
//     every topic of the log: partitions, retention, consumer groups, value
//     type, and each partition's low watermark (first offset held) and high
//     watermark (next offset)
//   log tail TOPIC [--data-dir=DIR] [--partition=N] [--from=OFFSET | --since=RFC3339]
//            [--follow] [--max=N] [--json]
//     the records held (or those from OFFSET, or stamped at or after the
//     time), partition by partition; --follow then prints new records as
//     they are committed until SIGINT or SIGTERM (exit 0). --json: one
//     object a line {"topic", "partition", "offset", "timestamp", "key",
//     "headers", "value_type", "value"} with the value in protobuf's JSON mapping; a
//     value that cannot be decoded comes as "value_base64" with a
//     "value_note" saying why (keys and header values that are not UTF-8
//     likewise as "key_base64" and "value_base64").
//
// Exit status: 0; 1 when the log cannot be read; 2 for usage errors (a
// missing log, an unknown topic or partition, trimmed offsets).
#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "pipeline/platform/log/local_log.h"
#include "pipeline/topology/topology.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace sbrgate::cli {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kUsage[] =
    "usage: sbrgate log topics [--data-dir=DIR] [--json]\n"
    "       sbrgate log tail TOPIC [--data-dir=DIR] [--partition=N]\n"
    "                        [--from=OFFSET | --since=RFC3339] [--follow] [--max=N] [--json]\n"
    "--data-dir is sbrgated's (default /var/lib/sbrgate); the log is DIR/log.\n";

// sbrgated's --data-dir default (services/common/pipeline.cc).
constexpr char kDefaultDataDir[] = "/var/lib/sbrgate";
constexpr int kExitUnreadable = 1;
constexpr int kExitUsage = 2;
// How often --follow looks for new commits: the reader is another process,
// so it cannot wait on the writer's commits.
constexpr absl::Duration kFollowPoll = absl::Milliseconds(200);
constexpr int kReadBatch = 512;

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void RequestStop(int) { stop_requested = 1; }

// Errors: exit 2 for what the user asked wrong (usage, with the usage text;
// a missing log, topic or partition; trimmed offsets), 1 when the log
// cannot be read.
int Fail(bool json, const absl::Status& status) {
  const bool usage = status.code() == absl::StatusCode::kInvalidArgument;
  const bool not_there = status.code() == absl::StatusCode::kNotFound ||
                         status.code() == absl::StatusCode::kOutOfRange;
  if (json) {
    std::cerr << Json{{"error",
                       {{"code", absl::StatusCodeToString(status.code())},
                        {"message", std::string(status.message())}}}}
                     .dump(-1, ' ', false, Json::error_handler_t::replace)
              << "\n";
  } else {
    std::cerr << "sbrgate log: " << status.message() << "\n";
    if (usage) std::cerr << kUsage;
  }
  return usage || not_there ? kExitUsage : kExitUnreadable;
}

int UsageError(bool json, const std::string& message) {
  return Fail(json, absl::InvalidArgumentError(message));
}

// Whether `s` is well-formed UTF-8, as JSON strings must be.
bool IsUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int more = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      more = 1;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      more = 2;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      more = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + more >= s.size()) return false;  // cut short
    for (int k = 1; k <= more; ++k) {
      const unsigned char next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    static constexpr uint32_t kLeast[] = {0, 0x80, 0x800, 0x10000};
    if (code < kLeast[more] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
      return false;
    }
    i += more + 1;
  }
  return true;
}

// Bytes for a reader: text as it is (control characters escaped),
// anything else as \x escapes.
std::string Readable(absl::string_view bytes) {
  return IsUtf8(bytes) ? absl::Utf8SafeCEscape(bytes) : absl::CHexEscape(bytes);
}

// Sets `field` to the bytes when they are text, else `field`_base64.
void PutBytes(Json& object, const std::string& field, const std::string& bytes) {
  if (IsUtf8(bytes)) {
    object[field] = bytes;
  } else {
    object[field + "_base64"] = absl::Base64Escape(bytes);
  }
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

// A topic's values as the messages its TopicSpec names.
class ValueDecoder {
 public:
  explicit ValueDecoder(const std::string& topic) {
    const stage::TopicSpec* spec = topology::Sbrgate().FindTopic(topic);
    if (spec == nullptr) {
      why_not_ = absl::StrCat(topic, " is not in sbrgate's topology");
      return;
    }
    type_name_ = spec->value_type;
    if (type_name_.empty()) {
      why_not_ = absl::StrCat(topic, " declares no value type");
      return;
    }
    const google::protobuf::Descriptor* type =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name_);
    if (type == nullptr) {
      why_not_ = absl::StrCat(type_name_, " is not a message type sbrgate knows");
      return;
    }
    prototype_ = google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  }

  // The topic's declared type, or "".
  const std::string& type_name() const { return type_name_; }

  // The value as a message, or why it cannot be one.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Decode(
      const std::string& value) const {
    if (prototype_ == nullptr) return absl::FailedPreconditionError(why_not_);
    std::unique_ptr<google::protobuf::Message> message(prototype_->New());
    if (!message->ParseFromString(value)) {
      return absl::DataLossError(absl::StrCat("not a valid ", type_name_));
    }
    return message;
  }

 private:
  std::string type_name_;
  std::string why_not_;
  const google::protobuf::Message* prototype_ = nullptr;
};

void PrintRecordJson(const log::LogRecord& r, const ValueDecoder& decoder) {
  Json line;
  line["topic"] = r.topic;
  line["partition"] = r.partition;
  line["offset"] = r.offset;
  line["timestamp"] = TimeText(r.timestamp);
  PutBytes(line, "key", r.key);
  line["headers"] = Json::array();
  for (const auto& [name, value] : r.headers) {
    Json header;
    header["name"] = name;
    PutBytes(header, "value", value);
    line["headers"].push_back(header);
  }
  if (!decoder.type_name().empty()) line["value_type"] = decoder.type_name();
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message = decoder.Decode(r.value);
  std::string value_json;
  if (message.ok()) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    const auto printed =
        google::protobuf::util::MessageToJsonString(**message, &value_json, options);
    if (!printed.ok()) {
      message = absl::InternalError(absl::StrCat("no JSON for it: ", printed.ToString()));
    }
  }
  if (message.ok()) {
    line["value"] = Json::parse(value_json);
  } else {
    line["value_base64"] = absl::Base64Escape(r.value);
    line["value_note"] = std::string(message.status().message());
  }
  std::cout << line.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
}

void PrintRecordText(const log::LogRecord& r, const ValueDecoder& decoder) {
  std::cout << "partition " << r.partition << " offset " << r.offset << " time "
            << TimeText(r.timestamp) << " key " << Readable(r.key) << "\n";
  for (const auto& [name, value] : r.headers) {
    std::cout << "  header " << Readable(name) << ": " << Readable(value) << "\n";
  }
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message = decoder.Decode(r.value);
  if (!message.ok()) {
    std::cout << "  value (" << r.value.size() << " bytes, not decoded: "
              << message.status().message() << ") \"" << absl::CHexEscape(r.value) << "\"\n";
    return;
  }
  std::string fields;
  google::protobuf::TextFormat::Printer printer;
  printer.SetInitialIndentLevel(2);
  printer.PrintToString(**message, &fields);
  if (fields.empty()) {
    std::cout << "  value " << decoder.type_name() << " {}\n";
  } else {
    std::cout << "  value " << decoder.type_name() << " {\n" << fields << "  }\n";
  }
}

// A directory of the reader's own RocksDB files, removed with it.
class ScratchDir {
 public:
  static absl::StatusOr<std::unique_ptr<ScratchDir>> Create() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp",
                                       "/sbrgate-log-reader-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) {
      return absl::UnavailableError(absl::StrCat("cannot make a scratch directory like ",
                                                 pattern, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(pattern));
  }
  ~ScratchDir() {
    std::error_code ignored;  // a leftover in the temporary directory harms nothing
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// The log opened read-only, with the scratch directory it needs (declared
// first, so removed after the log closes).
struct OpenedLog {
  std::string dir;
  std::unique_ptr<ScratchDir> scratch;
  std::unique_ptr<log::LocalLog> log;
};

absl::StatusOr<OpenedLog> OpenLog(const Flags& flags) {
  OpenedLog opened;
  opened.dir = absl::StrCat(flags.Get("data-dir", kDefaultDataDir), "/log");
  std::error_code ignored;
  if (!std::filesystem::exists(opened.dir + "/CURRENT", ignored)) {
    return absl::NotFoundError(
        absl::StrCat("no sbrgate log at ", opened.dir, " (is --data-dir right?)"));
  }
  absl::StatusOr<std::unique_ptr<ScratchDir>> scratch = ScratchDir::Create();
  if (!scratch.ok()) return scratch.status();
  opened.scratch = *std::move(scratch);
  absl::StatusOr<std::unique_ptr<log::LocalLog>> log =
      log::LocalLog::OpenReadOnly(opened.dir, opened.scratch->path());
  if (!log.ok()) return log.status();
  opened.log = *std::move(log);
  return opened;
}

// SIGINT and SIGTERM end a tail (--follow's only way out) with exit 0, and
// a closed output (`| head`) ends it quietly: either way the reader closes
// the log and removes its scratch directory.
void StopOnSignals() {
  struct sigaction stop = {};
  stop.sa_handler = RequestStop;
  sigemptyset(&stop.sa_mask);
  sigaction(SIGINT, &stop, nullptr);
  sigaction(SIGTERM, &stop, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int64_t RetentionMs(const log::LogTopic& t) {
  return t.retention == absl::InfiniteDuration() ? -1 : absl::ToInt64Milliseconds(t.retention);
}

// How the log keeps a topic's records (LocalLog::Trim).
std::string RetentionText(const log::LogTopic& t) {
  if (t.retention == absl::InfiniteDuration()) return "kept for ever";
  if (t.consumer_groups.empty()) return "kept for ever (no consumer group reads it)";
  return absl::StrCat("kept ", absl::FormatDuration(t.retention), " after consumer group",
                      t.consumer_groups.size() > 1 ? "s " : " ",
                      absl::StrJoin(t.consumer_groups, ", "), " passed");
}

int Topics(const Args& args) {
  Flags flags({"json"}, {"data-dir"});
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    return UsageError(false, std::string(s.message()));
  }
  const bool json = flags.Has("json");
  if (!flags.positional().empty()) {
    return UsageError(json, absl::StrCat("unexpected argument '", flags.positional()[0], "'"));
  }
  absl::StatusOr<OpenedLog> opened = OpenLog(flags);
  if (!opened.ok()) return Fail(json, opened.status());
  const log::LocalLog& log = *opened->log;
  Json doc;
  doc["log"] = opened->dir;
  doc["topics"] = Json::array();
  for (const log::LogTopic& t : log.topics()) {
    const std::string value_type = ValueDecoder(t.name).type_name();
    Json topic;
    topic["name"] = t.name;
    topic["partitions"] = t.partitions;
    topic["retention_ms"] = RetentionMs(t);
    topic["consumer_groups"] = t.consumer_groups;
    if (!value_type.empty()) topic["value_type"] = value_type;
    topic["watermarks"] = Json::array();
    if (!json) {
      std::cout << t.name << ": " << t.partitions << " partition"
                << (t.partitions > 1 ? "s" : "") << ", " << RetentionText(t) << ", values "
                << (value_type.empty() ? "undeclared" : value_type) << "\n";
    }
    for (int32_t p = 0; p < t.partitions; ++p) {
      const log::PartitionInfo w = log.Partition({t.name, p});
      topic["watermarks"].push_back(
          {{"partition", p}, {"low", w.low}, {"high", w.high}, {"records", w.high - w.low}});
      if (!json) {
        std::cout << "  partition " << p << ": low " << w.low << ", high " << w.high
                  << ", held " << w.high - w.low << "\n";
      }
    }
    doc["topics"].push_back(topic);
  }
  if (json) std::cout << doc.dump(2) << "\n";
  return 0;
}

// Where tail reads next in one partition.
struct Cursor {
  int32_t partition = 0;
  int64_t next = 0;
  // --since: whether a record at or after the time has been reached.
  bool reached = true;
};

struct TailOptions {
  std::string topic;
  std::optional<absl::Time> since;
  std::optional<int64_t> max;
  bool follow = false;
  bool json = false;
};

// Tail's progress: the records still to print and what reads them.
class Tail {
 public:
  Tail(const log::LocalLog* log, TailOptions options, std::vector<Cursor> cursors)
      : log_(log),
        options_(std::move(options)),
        decoder_(options_.topic),
        cursors_(std::move(cursors)) {}

  // Prints what each partition holds past its cursor, partition by
  // partition. False when tail is done: --max records printed, a stop
  // signal, or the output closed.
  absl::StatusOr<bool> PrintNew() {
    for (Cursor& c : cursors_) {
      const log::TopicPartition tp{options_.topic, c.partition};
      while (c.next < log_->Partition(tp).high) {
        absl::StatusOr<std::vector<log::LogRecord>> records = log_->Read(tp, c.next, kReadBatch);
        if (!records.ok()) return Unread(c, records.status());
        for (const log::LogRecord& r : *records) {
          if (stop_requested) return Flushed(false);
          c.next = r.offset + 1;
          if (!c.reached && r.timestamp < *options_.since) continue;
          c.reached = true;
          if (options_.json) {
            PrintRecordJson(r, decoder_);
          } else {
            PrintRecordText(r, decoder_);
          }
          if (!std::cout) return Closed();
          if (options_.max && ++printed_ >= *options_.max) return Flushed(false);
        }
      }
    }
    return Flushed(!stop_requested);
  }

 private:
  absl::StatusOr<bool> Flushed(bool more) {
    std::cout.flush();
    if (!std::cout) return Closed();
    return more;
  }

  // Output to a reader that went away (`| head`) ends tail quietly; any
  // other write error is reported.
  absl::StatusOr<bool> Closed() const {
    if (errno == EPIPE) return false;
    return absl::UnavailableError(
        absl::StrCat("cannot write to standard output: ", std::strerror(errno)));
  }

  absl::Status Unread(const Cursor& c, const absl::Status& error) const {
    const int64_t low = log_->Partition({options_.topic, c.partition}).low;
    if (error.code() != absl::StatusCode::kOutOfRange || c.next >= low) return error;
    return absl::OutOfRangeError(absl::StrCat("records of ", options_.topic, " partition ",
                                              c.partition, " from offset ", c.next,
                                              " were trimmed while reading; the log now "
                                              "starts at offset ",
                                              low));
  }

  const log::LocalLog* log_;
  const TailOptions options_;
  const ValueDecoder decoder_;
  std::vector<Cursor> cursors_;
  int64_t printed_ = 0;
};

// The parsed options of `log tail`, or a usage error.
absl::StatusOr<TailOptions> ParseTail(const Flags& flags, std::optional<int32_t>* partition,
                                      std::optional<int64_t>* from) {
  TailOptions options;
  options.json = flags.Has("json");
  options.follow = flags.Has("follow");
  if (flags.positional().size() != 1) {
    return absl::InvalidArgumentError(
        flags.positional().empty()
            ? "log tail needs a TOPIC (sbrgate log topics lists them)"
            : absl::StrCat("unexpected argument '", flags.positional()[1], "'"));
  }
  options.topic = flags.positional()[0];
  if (flags.Has("from") && flags.Has("since")) {
    return absl::InvalidArgumentError("give --from or --since, not both");
  }
  if (flags.Has("partition")) {
    int32_t p;
    if (!absl::SimpleAtoi(flags.Get("partition"), &p) || p < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--partition '", flags.Get("partition"), "' is not a partition number"));
    }
    *partition = p;
  }
  if (flags.Has("from")) {
    int64_t offset;
    if (!absl::SimpleAtoi(flags.Get("from"), &offset) || offset < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--from '", flags.Get("from"), "' is not an offset"));
    }
    *from = offset;
  }
  if (flags.Has("since")) {
    absl::Time t;
    if (!absl::ParseTime(absl::RFC3339_full, flags.Get("since"), &t, nullptr)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--since '", flags.Get("since"), "' is not an RFC 3339 time (2025-07-01T09:00:00Z)"));
    }
    options.since = t;
  }
  if (flags.Has("max")) {
    int64_t max;
    if (!absl::SimpleAtoi(flags.Get("max"), &max) || max < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--max '", flags.Get("max"), "' is not a count"));
    }
    options.max = max;
  }
  return options;
}

// A cursor on each partition read (all, or --partition), at its low
// watermark or at --from; NotFound or OutOfRange when the log lacks them.
absl::StatusOr<std::vector<Cursor>> Place(const OpenedLog& log, const TailOptions& options,
                                          std::optional<int32_t> partition,
                                          std::optional<int64_t> from) {
  std::optional<log::LogTopic> topic;
  std::vector<std::string> names;
  for (const log::LogTopic& t : log.log->topics()) {
    names.push_back(t.name);
    if (t.name == options.topic) topic = t;
  }
  if (!topic) {
    return absl::NotFoundError(absl::StrCat("no topic '", options.topic, "' in the log at ",
                                            log.dir, "; its topics: ",
                                            absl::StrJoin(names, ", ")));
  }
  if (partition && *partition >= topic->partitions) {
    return absl::NotFoundError(absl::StrCat(options.topic, " has no partition ", *partition,
                                            " (it has ", topic->partitions, ": 0 to ",
                                            topic->partitions - 1, ")"));
  }
  std::vector<Cursor> cursors;
  for (int32_t p = 0; p < topic->partitions; ++p) {
    if (partition && p != *partition) continue;
    const int64_t low = log.log->Partition({options.topic, p}).low;
    if (from && *from < low) {
      return absl::OutOfRangeError(absl::StrCat("--from=", *from, ": the records of ",
                                                options.topic, " partition ", p,
                                                " before offset ", low,
                                                " were trimmed; the log starts at offset ", low));
    }
    cursors.push_back({p, from.value_or(low), !options.since.has_value()});
  }
  return cursors;
}

int RunTail(const Args& args) {
  Flags flags({"json", "follow"}, {"data-dir", "partition", "from", "since", "max"});
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    return UsageError(false, std::string(s.message()));
  }
  const bool json = flags.Has("json");
  std::optional<int32_t> partition;
  std::optional<int64_t> from;
  absl::StatusOr<TailOptions> options = ParseTail(flags, &partition, &from);
  if (!options.ok()) return Fail(json, options.status());
  absl::StatusOr<OpenedLog> log = OpenLog(flags);
  if (!log.ok()) return Fail(json, log.status());
  absl::StatusOr<std::vector<Cursor>> cursors = Place(*log, *options, partition, from);
  if (!cursors.ok()) return Fail(json, cursors.status());

  StopOnSignals();
  const bool follow = options->follow;
  Tail tail(log->log.get(), *std::move(options), *std::move(cursors));
  for (;;) {
    absl::StatusOr<bool> more = tail.PrintNew();
    if (!more.ok()) return Fail(json, more.status());
    if (!*more || !follow) return 0;
    absl::SleepFor(kFollowPoll);
    if (absl::Status s = log->log->CatchUp(); !s.ok()) return Fail(json, s);
  }
}

}  // namespace

int RunLog(const Args& args) {
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const Args rest(args.begin() + 1, args.end());
  if (args[0] == "topics") return Topics(rest);
  if (args[0] == "tail") return RunTail(rest);
  if (args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "sbrgate log: unknown command '" << args[0] << "'\n" << kUsage;
  return kExitUsage;
}

}  // namespace sbrgate::cli

// The reader's pipeline: documents come from the delimiter state machine
// (lodgment_structure.h) over the framed file (framed_source.h), get their
// business checks (record_checks.h) on this thread and their schema check
// on the checkers', and are returned in file order.
#include "pipeline/stp/payevnt/lodgment_reader.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/stp/payevnt/error_catalogue.h"
#include "pipeline/stp/payevnt/lodgment_structure.h"
#include "pipeline/stp/payevnt/record_checks.h"

namespace sbrgate::payevnt {

// A document between its parsing and Next(): parsed on the reader's thread,
// checked on a checker's (the first kCheckedHere on the reader's).
struct LodgmentReader::Job {
  Record record;                    // all but the schema errors, which Validate adds
  xml::NodePtr root;                // freed on the reader's thread (see xml::RecordReader)
  bool record_count_known = false;  // employer: InteractionRecordCt was read
  uint64_t seq = 0;                 // in the checkers' order; 0: checked where it was parsed
  bool validated = false;           // (checkers) its schema errors are in
};

// Checks documents on kThreads threads of their own, each with its own
// validation contexts: the schema checks run side by side, and what follows
// them (on_checked) one at a time in the order the documents were given.
class LodgmentReader::Checker {
 public:
  // Fails when libxml2 cannot allocate the threads' validation contexts.
  static absl::StatusOr<std::unique_ptr<Checker>> Start(const LodgmentReader& reader) {
    std::unique_ptr<Checker> checker(new Checker(reader));
    for (ValidCtxts& ctxts : checker->ctxts_) {
      absl::StatusOr<ValidCtxts> taken = reader.TakeValidCtxts();
      if (!taken.ok()) return taken.status();
      ctxts = *std::move(taken);
    }
    for (ValidCtxts& ctxts : checker->ctxts_) {
      checker->threads_.emplace_back([c = checker.get(), &ctxts] { c->Run(ctxts); });
    }
    return checker;
  }
  ~Checker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  void Submit(Job* job) {
    std::lock_guard<std::mutex> lock(mu_);
    job->seq = ++submitted_;
    queue_.push_back(job);
    order_.push_back(job);
    if (idle_ > 0 && queue_.size() >= kBatch) work_.notify_one();
  }

  // Returns once `job` is checked. When it has to wait, it waits for the
  // next kBatch jobs too, so that the threads do not wake each other for
  // every record.
  void Wait(const Job& job) {
    std::unique_lock<std::mutex> lock(mu_);
    if (checked_ >= job.seq) return;
    if (idle_ > 0) work_.notify_all();
    wake_at_ = std::min(job.seq + kBatch, submitted_);
    waiting_ = true;
    done_.wait(lock, [this] { return checked_ >= wake_at_; });
    waiting_ = false;
  }

 private:
  // The schema checks of a large file cost more than its parse (about 1.2
  // times, bench/README.md), so one checker held the reader back; two keep
  // up with it.
  static constexpr int kThreads = 2;
  static constexpr uint64_t kBatch = 8;

  explicit Checker(const LodgmentReader& reader) : reader_(reader) {}

  void Run(const ValidCtxts& ctxts) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        ++idle_;
        work_.wait(lock);
        --idle_;
        continue;
      }
      Job* job = queue_.front();
      queue_.pop_front();
      lock.unlock();
      reader_.Validate(*job, ctxts);
      lock.lock();
      job->validated = true;
      // Whichever thread finds the oldest job validated finishes it, and
      // those after it that are validated too; the other goes on checking.
      while (!stop_ && !finishing_ && !order_.empty() && order_.front()->validated) {
        Job* next = order_.front();
        order_.pop_front();
        finishing_ = true;
        lock.unlock();
        reader_.Checked(*next);
        lock.lock();
        finishing_ = false;
        checked_ = next->seq;
        if (waiting_ && checked_ >= wake_at_) done_.notify_one();
      }
    }
  }

  const LodgmentReader& reader_;
  std::array<ValidCtxts, kThreads> ctxts_;
  std::mutex mu_;
  std::condition_variable work_;  // for the checkers: jobs, or stop
  std::condition_variable done_;  // for the reader: jobs checked
  std::deque<Job*> queue_;        // to validate
  std::deque<Job*> order_;        // given, not yet finished, in order
  uint64_t submitted_ = 0;
  uint64_t checked_ = 0;  // every job up to this one is finished
  uint64_t wake_at_ = 0;
  int idle_ = 0;
  bool finishing_ = false;
  bool waiting_ = false;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

namespace {

absl::StatusOr<LodgmentSchemas> CompileLodgmentSchemas() {
  LodgmentSchemas schemas;
  for (auto [name, slot] : {std::make_pair("payevnt", &schemas.payevnt),
                            std::make_pair("payevntemp", &schemas.payevntemp)}) {
    absl::StatusOr<std::string> path =
        ResourcePath(absl::StrCat("pipeline/stp/payevnt/schemas/", name, ".xsd"));
    if (!path.ok()) return path.status();
    absl::StatusOr<std::shared_ptr<const xml::Schema>> schema = xml::Schema::Load(*path);
    if (!schema.ok()) return schema.status();
    *slot = *std::move(schema);
  }
  return schemas;
}

}  // namespace

absl::StatusOr<LodgmentSchemas> LoadLodgmentSchemas() {
  // Compiled once: every reader of the process (the gateway's uploads, the
  // simulator's processing) validates against the same read-only schemas,
  // each with its own validation contexts. A failed load is not kept, as
  // for the envelope schema.
  ABSL_CONST_INIT static absl::Mutex mu(absl::kConstInit);
  static const LodgmentSchemas* compiled = nullptr;
  absl::MutexLock lock(&mu);
  if (compiled != nullptr) return *compiled;
  absl::StatusOr<LodgmentSchemas> schemas = CompileLodgmentSchemas();
  if (!schemas.ok()) return schemas.status();
  compiled = new LodgmentSchemas(*std::move(schemas));
  return *compiled;
}

LodgmentReader::LodgmentReader() = default;

absl::StatusOr<std::unique_ptr<LodgmentReader>> LodgmentReader::Open(
    std::unique_ptr<ByteSource> source, absl::string_view name, LodgmentReaderOptions options) {
  if (options.schemas.payevnt == nullptr || options.schemas.payevntemp == nullptr) {
    absl::StatusOr<LodgmentSchemas> loaded = LoadLodgmentSchemas();
    if (!loaded.ok()) return loaded.status();
    if (options.schemas.payevnt == nullptr) options.schemas.payevnt = loaded->payevnt;
    if (options.schemas.payevntemp == nullptr) options.schemas.payevntemp = loaded->payevntemp;
  }
  std::unique_ptr<LodgmentReader> r(new LodgmentReader());
  r->options_ = std::move(options);
  absl::StatusOr<ValidCtxts> ctxts = r->TakeValidCtxts();
  if (!ctxts.ok()) return ctxts.status();
  r->ctxts_ = *std::move(ctxts);
  absl::StatusOr<std::unique_ptr<LodgmentStructure>> structure =
      LodgmentStructure::Open(std::move(source), name, r->options_);
  if (!structure.ok()) return structure.status();
  r->structure_ = *std::move(structure);
  r->summary_.bare_sequence = r->structure_->bare();
  return r;
}

absl::StatusOr<LodgmentReader::ValidCtxts> LodgmentReader::TakeValidCtxts() const {
  ValidCtxts ctxts{options_.schemas.payevnt->TakeValidCtxt(),
                   options_.schemas.payevntemp->TakeValidCtxt()};
  if (ctxts.payevnt == nullptr || ctxts.payevntemp == nullptr) {
    return absl::ResourceExhaustedError("cannot allocate schema validation contexts");
  }
  return ctxts;
}

LodgmentReader::~LodgmentReader() {
  checker_.reset();  // its threads are done with the documents
  items_.clear();    // the documents, freed before structure_
}

absl::StatusOr<std::optional<Record>> LodgmentReader::Next() {
  if (done_) {
    if (!fatal_status_.ok()) return fatal_status_;
    return std::nullopt;
  }
  // The first record alone (a caller may stop after the employer's); then
  // a few dozen in flight, checked on the checker's thread while this one
  // parses those after them.
  const size_t in_flight = taken_ == 0 ? 1 : kInFlight;
  while (!parse_done_ && items_.size() < in_flight) ParseItem();
  Item item = std::move(items_.front());
  items_.pop_front();
  ++taken_;
  return Take(std::move(item));
}

absl::StatusOr<std::optional<Record>> LodgmentReader::Take(Item item) {
  if (item.job != nullptr) {
    Job& job = *item.job;
    if (job.seq != 0) checker_->Wait(job);
    structure_->Recycle(std::move(job.root));
    Record rec = std::move(job.record);
    if (rec.kind == Record::Kind::kEmployer) {
      record_count_known_ = job.record_count_known;
      summary_.has_employer = true;
      summary_.employer = rec.employer;
      summary_.employer_has_errors = !rec.errors.empty();
    } else {
      ++summary_.employees;
      if (!rec.errors.empty()) ++summary_.employees_with_errors;
    }
    return std::optional<Record>(std::move(rec));
  }
  done_ = true;
  summary_.bytes_read = item.bytes_read;
  if (!item.status.ok()) {
    summary_.fatal = std::move(item.fatal);
    fatal_status_ = item.status;
    return fatal_status_;
  }
  if (absl::Status s = Finish(); !s.ok()) return s;
  return std::nullopt;
}

absl::Status LodgmentReader::Finish() {
  if (!summary_.has_employer) {
    LodgmentStructure::Step step = structure_->Fatal(
        MakeFieldError(codes::kRecordStructure, "", "",
                       {{"Reason", "the lodgment holds no PAYEVNT (employer) document"},
                        {"Line", structure_->LineText()}}));
    summary_.fatal = std::move(step.fatal);
    fatal_status_ = step.status;
    return fatal_status_;
  }
  if (record_count_known_ && summary_.employer.interaction_record_count != summary_.employees) {
    summary_.final_errors.push_back(
        MakeFieldError(codes::kRecordCountMismatch, structure_->parent_id(),
                       "/tns:PAYEVNT/tns:Rp/tns:Payroll/tns:InteractionRecordCt",
                       {{"Declared", absl::StrCat(summary_.employer.interaction_record_count)},
                        {"Actual", absl::StrCat(summary_.employees)}}));
    summary_.employer_has_errors = true;
  }
  summary_.finished = true;
  return absl::OkStatus();
}

void LodgmentReader::ParseItem() {
  LodgmentStructure::Step step = structure_->Next();
  if (!step.document.has_value()) {  // the end, or a structural error
    Item last;
    last.status = std::move(step.status);
    last.fatal = std::move(step.fatal);
    last.bytes_read = step.bytes_read;
    items_.push_back(std::move(last));
    parse_done_ = true;
    return;
  }
  LodgmentStructure::Document& d = *step.document;
  auto job = std::make_unique<Job>();
  Record& rec = job->record;
  rec.kind =
      d.delimiter.document_name == "PAYEVNT" ? Record::Kind::kEmployer : Record::Kind::kEmployee;
  rec.document_id = d.delimiter.document_id;
  rec.related_document_id = d.delimiter.related_document_id;
  rec.line = d.delimiter.line;
  rec.text = std::move(d.text);
  job->root = std::move(d.root);
  // The business rules read a few fields: cheapest here, while the DOM just
  // built is in this thread's cache. The schema follows on the checker's.
  if (rec.kind == Record::Kind::kEmployer) {
    job->record_count_known = CheckEmployer(job->root.get(), options_.max_payment_days_ahead, rec);
  } else {
    CheckEmployee(job->root.get(), rec);
  }
  // A small file is checked on this thread as it is parsed: a thread of its
  // own would cost more than it saves.
  if (checker_ == nullptr && parsed_ < kCheckedHere) {
    Validate(*job, ctxts_);
    Checked(*job);
  } else {
    if (checker_ == nullptr) {
      absl::StatusOr<std::unique_ptr<Checker>> checker = Checker::Start(*this);
      if (!checker.ok()) {
        Item last;
        last.status = checker.status();
        items_.push_back(std::move(last));
        parse_done_ = true;
        return;
      }
      checker_ = *std::move(checker);
    }
    checker_->Submit(job.get());
  }
  ++parsed_;
  Item item;
  item.job = std::move(job);
  items_.push_back(std::move(item));
}

void LodgmentReader::Validate(Job& job, const ValidCtxts& ctxts) const {
  Record& rec = job.record;
  const bool employer = rec.kind == Record::Kind::kEmployer;
  // Schema errors first, then those of the business rules (see EndDocument).
  std::vector<FieldError> errors =
      SchemaErrors(employer ? ctxts.payevnt.get() : ctxts.payevntemp.get(), job.root.get(),
                   rec.document_id, employer ? kPayevntNamespace : kPayevntempNamespace);
  if (!errors.empty()) {
    errors.insert(errors.end(), std::make_move_iterator(rec.errors.begin()),
                  std::make_move_iterator(rec.errors.end()));
    rec.errors = std::move(errors);
  }
}

void LodgmentReader::Checked(Job& job) const {
  if (options_.on_checked) options_.on_checked(job.record);
}

}  // namespace sbrgate::payevnt

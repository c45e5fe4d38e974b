#include "pipeline/platform/common/mask.h"
#include "pipeline/stp/ingest/ingest.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "pipeline/platform/common/raw_deflate.h"
#include "pipeline/stp/payevnt/error_catalogue.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::ingest {
namespace {

// Problems named in a refusal's status message (all are in the payload).
constexpr size_t kProblemsInMessage = 3;

bool IsError(const payevnt::FieldError& e) { return e.severity == "Error"; }

// The compressed employee documents until the payload is written: in
// memory up to kBufferBytes, which holds a pay event of several hundred
// employees, and past that in an unlinked temporary file, so nothing is
// left behind even by a crash. A small pay event makes no file at all.
class Spool {
 public:
  explicit Spool(std::string dir) : dir_(std::move(dir)) {
    if (dir_.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      dir_ = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
  }
  ~Spool() {
    if (fd_ >= 0) ::close(fd_);
  }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  absl::Status Append(absl::string_view bytes) {
    buffer_.append(bytes.data(), bytes.size());
    return buffer_.size() >= kBufferBytes ? Flush() : absl::OkStatus();
  }

  // Writes everything appended to `out`.
  absl::Status WriteTo(ByteSink& out) const {
    // A buffer to read the file back through, only when there is a file.
    std::string scratch(static_cast<size_t>(std::min<uint64_t>(kBufferBytes, size_)), '\0');
    for (uint64_t at = 0; at < size_;) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(scratch.size(), size_ - at));
      const ssize_t got = ::pread(fd_, scratch.data(), want, static_cast<off_t>(at));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path_));
      if (got == 0) return absl::DataLossError("the spooled payload ended early");
      if (absl::Status s = out.Write(absl::string_view(scratch.data(), static_cast<size_t>(got)));
          !s.ok()) {
        return s;
      }
      at += static_cast<uint64_t>(got);
    }
    return out.Write(buffer_);
  }

 private:
  static constexpr size_t kBufferBytes = 256 << 10;

  absl::Status Flush() {
    if (fd_ < 0) {
      path_ = absl::StrCat(dir_, "/sbrgate-payload-XXXXXX");
      fd_ = ::mkstemp(path_.data());
      if (fd_ < 0)
        return absl::ErrnoToStatus(errno, absl::StrCat("cannot create a file in ", dir_));
      ::unlink(path_.c_str());
    }
    size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::pwrite(fd_, buffer_.data() + done, buffer_.size() - done, size_ + done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path_));
      done += static_cast<size_t>(n);
    }
    size_ += done;
    buffer_.clear();
    return absl::OkStatus();
  }

  std::string dir_;
  int fd_ = -1;       // none until the buffer first fills
  std::string path_;  // for messages only: the file is already unlinked
  std::string buffer_;
  uint64_t size_ = 0;  // in the file
};

// What came through the upload: errors on either side of the ingest are
// the client's or the gateway's, not problems in the content, and are
// reported as such.
struct UploadState {
  absl::Status error;
  uint64_t bytes = 0;
};

class CountingSource : public ByteSource {
 public:
  CountingSource(ByteSource& upload, UploadState& state) : upload_(upload), state_(state) {}

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    absl::StatusOr<size_t> got = upload_.Read(buf, n);
    if (!got.ok()) {
      state_.error = got.status();
      return got.status();
    }
    state_.bytes += *got;
    return got;
  }

 private:
  ByteSource& upload_;
  UploadState& state_;
};

// The payload as it is built, in one gzip member (RFC 1952). The employee
// documents are compressed as they come into a raw deflate stream spooled
// (Spool), by RawDeflater (ISA-L: the bulk of a large pay event, where zlib
// took a sixth of the ingest's CPU). The employer's document, whose
// InteractionRecordCt is known only at the end, is compressed at the end on
// its own with zlib and goes in front: its deflate data ends on a byte
// boundary without a final block (Z_SYNC_FLUSH), so the employees' data
// follows it as is, and the two CRCs combine (crc32_combine).
// The employer's document is a few KiB, compressed on its own: a window and
// a hash table sized to it compress it as well as zlib's largest, without
// setting up (and clearing) 64 KiB of each per lodgment.
int HeadWindowBits(size_t bytes) {
  int bits = 9;  // the smallest raw deflate window zlib takes
  while (bits < MAX_WBITS && (size_t{1} << bits) < bytes) ++bits;
  return bits;
}
int HeadMemLevel(size_t bytes) { return std::max(1, HeadWindowBits(bytes) - 7); }

class PayloadWriter {
 public:
  explicit PayloadWriter(const std::string& temp_dir)
      : spool_(temp_dir),
        deflater_([this](absl::string_view bytes) { return spool_.Append(bytes); }) {}
  PayloadWriter(const PayloadWriter&) = delete;
  PayloadWriter& operator=(const PayloadWriter&) = delete;

  // Appends to the employees' part.
  absl::Status Add(absl::string_view text) {
    crc_ = crc32(crc_, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
    length_ += text.size();
    return deflater_.Add(text);
  }

  // Writes the whole member to `out`: `first` (the employer's part), then
  // what was added.
  absl::Status Finish(absl::string_view first, ByteSink& out) {
    if (absl::Status s = deflater_.Finish(); !s.ok()) return s;

    z_stream head{};
    if (deflateInit2(&head, kEmployerGzipLevel, Z_DEFLATED, -HeadWindowBits(first.size()),
                     HeadMemLevel(first.size()), Z_DEFAULT_STRATEGY) != Z_OK) {
      return absl::ResourceExhaustedError("cannot start compressing the payload");
    }
    std::string deflated(deflateBound(&head, first.size()) + 16, '\0');
    head.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(first.data()));
    head.avail_in = static_cast<uInt>(first.size());
    head.next_out = reinterpret_cast<Bytef*>(deflated.data());
    head.avail_out = static_cast<uInt>(deflated.size());
    const int rc = deflate(&head, Z_SYNC_FLUSH);
    deflated.resize(deflated.size() - head.avail_out);
    const bool complete = rc == Z_OK && head.avail_in == 0 && head.avail_out > 0;
    deflateEnd(&head);
    if (!complete) return absl::InternalError("cannot compress the payload's PAYEVNT");

    if (absl::Status s = out.Write(kGzipHeader); !s.ok()) return s;
    if (absl::Status s = out.Write(deflated); !s.ok()) return s;
    if (absl::Status s = spool_.WriteTo(out); !s.ok()) return s;
    const uLong first_crc =
        crc32(0, reinterpret_cast<const Bytef*>(first.data()), static_cast<uInt>(first.size()));
    const uint32_t crc = static_cast<uint32_t>(
        crc32_combine(first_crc, crc_, static_cast<z_off_t>(length_)));
    return out.Write(GzipTrailer(crc, first.size() + length_));
  }

 private:
  Spool spool_;
  RawDeflater deflater_;  // into spool_
  uLong crc_ = crc32(0, nullptr, 0);
  uint64_t length_ = 0;
};

std::string DelimiterXml(const payevnt::Record& rec) {
  const bool employer = rec.kind == payevnt::Record::Kind::kEmployer;
  return absl::StrCat("<Record_Delimiter DocumentID=\"", xml::Escape(rec.document_id),
                      "\" DocumentName=\"", employer ? "PAYEVNT" : "PAYEVNTEMP",
                      "\" DocumentType=\"", employer ? "PARENT" : "CHILD",
                      "\" RelatedDocumentID=\"", xml::Escape(rec.related_document_id), "\"/>\n");
}

// The employer's document with its InteractionRecordCt set to `count`: as
// it came when it already says so (every employee is sent), rewritten when
// some were held back.
absl::StatusOr<std::string> WithRecordCount(const payevnt::Record& employer, int64_t count,
                                            const xml::Limits& limits) {
  if (employer.employer.interaction_record_count == count) return employer.text.ToString();
  absl::StatusOr<xml::Document> doc =
      xml::ParseDocument(employer.text.ToString(), "the PAYEVNT", limits);
  if (!doc.ok()) return doc.status();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  xmlNode* ct = xml::FirstChild(xml::FirstChild(xml::FirstChild(root, "Rp"), "Payroll"),
                                "InteractionRecordCt");
  if (ct == nullptr) {
    return absl::InternalError("the PAYEVNT has no Rp/Payroll/InteractionRecordCt to rewrite");
  }
  xmlNodeSetContent(ct, reinterpret_cast<const xmlChar*>(absl::StrCat(count).c_str()));
  std::string text = xml::NodeXml(root);
  if (text.empty()) return absl::InternalError("cannot serialise the PAYEVNT");
  return text;
}

UploadProblem ProblemFrom(const payevnt::FieldError& e, int line) {
  UploadProblem p;
  p.set_document_id(e.document_id);
  p.set_path(e.path);
  p.set_line(line);
  p.set_code(e.code);
  p.set_description(payevnt::Substitute(e));
  p.set_severity(e.severity);
  return p;
}

// The line a reader status names: "<name>:<line>: ...".
int LineOf(const absl::Status& status, const std::string& name) {
  absl::string_view rest = status.message();
  int line = 0;
  if (absl::ConsumePrefix(&rest, absl::StrCat(name, ":")) &&
      absl::SimpleAtoi(rest.substr(0, rest.find(':')), &line)) {
    return line;
  }
  return 0;
}

std::string Describe(const UploadProblem& p) {
  return absl::StrCat(ProblemLocation(p), ": ", p.code(), " ", p.description());
}

absl::Status Refuse(const std::string& name, const std::vector<UploadProblem>& problems) {
  std::string message = absl::StrCat(name, ": refused: ");
  for (size_t i = 0; i < problems.size() && i < kProblemsInMessage; ++i) {
    absl::StrAppend(&message, i == 0 ? "" : "; ", Describe(problems[i]));
  }
  if (problems.size() > kProblemsInMessage) {
    absl::StrAppend(&message, "; and ", problems.size() - kProblemsInMessage, " more");
  }
  UploadProblems all;
  for (const UploadProblem& p : problems) *all.add_problems() = p;
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUploadProblemsTypeUrl, absl::Cord(all.SerializeAsString()));
  return status;
}

v1::RecordProblem HeldBack(const payevnt::Record& rec) {
  v1::RecordProblem p;
  p.set_document_id(rec.document_id);
  for (const payevnt::FieldError& e : rec.errors) {
    v1::RecordError* out = p.add_errors();
    out->set_code(e.code);
    out->set_path(e.path);
    out->set_description(payevnt::Substitute(e));
    out->set_severity(e.severity);
  }
  if (!rec.employee.tfn.empty()) p.set_tfn_masked(MaskIdentifier(rec.employee.tfn));
  p.set_family_name(rec.employee.family_name);
  p.set_payroll_id(rec.employee.payroll_id);
  return p;
}

}  // namespace

std::string ProblemLocation(const UploadProblem& p) {
  if (!p.document_id().empty()) {
    return absl::StrCat("record ", p.document_id(), p.path().empty() ? "" : " ", p.path());
  }
  if (p.line() > 0) return absl::StrCat("line ", p.line());
  return "the upload";
}

std::vector<UploadProblem> UploadProblemsOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kUploadProblemsTypeUrl);
  UploadProblems problems;
  if (!payload.has_value() || !problems.ParseFromString(std::string(*payload))) return {};
  return std::vector<UploadProblem>(problems.problems().begin(), problems.problems().end());
}

absl::StatusOr<IngestResult> Ingest(ByteSource& upload, const IngestOptions& options,
                                    blob::BlobStore& blobs) {
  const bool hold = options.prevalidate == PrevalidateMode::kHold;
  auto held = [hold](const payevnt::Record& rec) {
    return hold && std::any_of(rec.errors.begin(), rec.errors.end(), IsError);
  };
  auto writing_failed = [&options](const absl::Status& s) {
    return absl::Status(s.code(),
                        absl::StrCat("writing the payload of ", options.name, ": ", s.message()));
  };
  // Each employee document sent is compressed, and handed to on_sent, on
  // the thread that checks it as soon as it is checked (see
  // LodgmentReaderOptions::on_checked): past the first few dozen, the
  // reader's checker, in parallel with the parsing; these three are that
  // thread's until the reader is gone.
  std::unique_ptr<PayloadWriter> payload;
  absl::Status payload_status;
  absl::Status sent_status;
  UploadState upload_state;
  payevnt::LodgmentReaderOptions reader_options = options.reader;
  reader_options.keep_document_text = true;
  reader_options.on_checked = [&](payevnt::Record& rec) {
    if (rec.kind == payevnt::Record::Kind::kEmployer || held(rec) || !payload_status.ok()) return;
    if (payload == nullptr) payload = std::make_unique<PayloadWriter>(options.temp_dir);
    if (rec.text.empty()) {
      payload_status =
          absl::InternalError(absl::StrCat("cannot serialise DocumentID ", rec.document_id));
      return;
    }
    payload_status = payload->Add(DelimiterXml(rec));
    for (absl::string_view piece : rec.text.pieces()) {
      if (payload_status.ok()) payload_status = payload->Add(piece);
    }
    if (payload_status.ok()) payload_status = payload->Add("\n");
    rec.text = xml::SharedText();
    if (options.on_sent && sent_status.ok()) {
      sent_status = options.on_sent(
          {rec.document_id, rec.employee.payroll_id, rec.employee.family_name,
           rec.employee.tfn.empty() ? std::string() : MaskIdentifier(rec.employee.tfn)});
    }
  };
  absl::StatusOr<std::unique_ptr<payevnt::LodgmentReader>> reader = payevnt::LodgmentReader::Open(
      std::make_unique<CountingSource>(upload, upload_state), options.name, reader_options);
  // A failure of the upload stream comes before what the reader made of it.
  if (!reader.ok()) return upload_state.error.ok() ? reader.status() : upload_state.error;

  IngestResult result;
  payevnt::Record employer;  // its text is written last, once the count is known
  for (;;) {
    absl::StatusOr<std::optional<payevnt::Record>> next = (*reader)->Next();
    if (!next.ok()) {
      if (!upload_state.error.ok()) return upload_state.error;
      const std::optional<payevnt::FieldError>& fatal = (*reader)->summary().fatal;
      const int line = LineOf(next.status(), options.name);
      if (fatal.has_value()) return Refuse(options.name, {ProblemFrom(*fatal, line)});
      UploadProblem p;
      p.set_line(line);
      p.set_code(payevnt::codes::kNotWellFormed);
      p.set_description(std::string(next.status().message()));
      p.set_severity("Error");
      return Refuse(options.name, {p});
    }
    if (!next->has_value()) break;
    payevnt::Record& rec = **next;
    if (rec.kind == payevnt::Record::Kind::kEmployer) {
      result.employer = rec.employer;
      if (options.on_employer) {
        if (absl::Status s = options.on_employer(rec.employer); !s.ok()) return s;
      }
      std::vector<UploadProblem> problems;
      for (const payevnt::FieldError& e : rec.errors) {
        if (IsError(e)) problems.push_back(ProblemFrom(e, rec.line));
      }
      if (!problems.empty()) return Refuse(options.name, problems);
      employer = std::move(rec);
      continue;
    }
    if (++result.employees > options.max_employees) {
      return absl::ResourceExhaustedError(absl::StrCat(
          options.name, ":", rec.line, ": more than ", options.max_employees,
          " employee records (the cap on records per lodgment)"));
    }
    if (held(rec)) {
      result.held_back.push_back(HeldBack(rec));
      continue;
    }
    ++result.employees_sent;
  }
  const payevnt::LodgmentSummary summary = (*reader)->summary();
  reader->reset();  // the checker's thread is done: payload is this thread's
  if (!sent_status.ok()) return sent_status;
  result.bytes_received = upload_state.bytes;

  std::vector<UploadProblem> problems;
  for (const payevnt::FieldError& e : summary.final_errors) {
    if (IsError(e)) problems.push_back(ProblemFrom(e, 0));
  }
  if (!problems.empty()) return Refuse(options.name, problems);
  if (result.employees == 0) {
    return Refuse(
        options.name,
        {ProblemFrom(payevnt::MakeFieldError(
                         payevnt::codes::kRecordStructure, result.employer.document_id, "",
                         {{"Reason", "the lodgment holds no PAYEVNTEMP (employee) record"},
                          {"Line", "end of file"}}),
                     0)});
  }

  if (result.employees_sent == 0) return result;
  if (!payload_status.ok()) return writing_failed(payload_status);
  if (payload == nullptr) return writing_failed(absl::InternalError("no employee document was written"));

  absl::StatusOr<std::string> employer_xml =
      WithRecordCount(employer, result.employees_sent, options.reader.limits);
  if (!employer_xml.ok()) return writing_failed(employer_xml.status());
  absl::StatusOr<std::unique_ptr<blob::BlobStore::Writer>> writer =
      blobs.NewWriter(blob::BlobStore::Placement::kInlineIfSmall);
  if (!writer.ok()) return writer.status();
  if (absl::Status s =
          payload->Finish(absl::StrCat(DelimiterXml(employer), *employer_xml, "\n"), **writer);
      !s.ok()) {
    return writing_failed(s);
  }
  absl::StatusOr<blob::BlobId> id = (*writer)->Commit();
  if (!id.ok()) return id.status();
  result.payload = *std::move(id);
  return result;
}

}  // namespace sbrgate::ingest

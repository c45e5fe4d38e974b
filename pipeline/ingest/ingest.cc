#include "pipeline/ingest/ingest.h"

#include <fcntl.h>
#include <libxml/tree.h>
#include <libxml/xmlIO.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "pipeline/common/gzip.h"
#include "pipeline/payevnt/error_catalogue.h"
#include "pipeline/xml/hardened.h"

namespace sbrgate::ingest {
namespace {

constexpr char kDelimiterName[] = "Record_Delimiter";
// The wrapper put around a bare upload for the second pass: the same prefix
// and namespace LodgmentReader uses, so both passes resolve names alike.
constexpr char kBareWrapperOpen[] =
    "<sbrgateLodgment:PayEventLodgment xmlns:sbrgateLodgment=\"http://sbrgate.dev/ns/lodgment\">";
constexpr char kBareWrapperClose[] = "</sbrgateLodgment:PayEventLodgment>";
// How far into the upload an XML declaration is looked for.
constexpr size_t kHeadLimit = 64 << 10;
// Problems named in a refusal's status message (all are in the payload).
constexpr size_t kProblemsInMessage = 3;

bool IsError(const payevnt::FieldError& e) { return e.severity == "Error"; }

// The upload as it arrives, in an unlinked temporary file: appended to
// during the first pass, read back by offset in the second.
class Spool {
 public:
  static absl::StatusOr<std::unique_ptr<Spool>> Create(std::string dir) {
    if (dir.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string path = absl::StrCat(dir, "/sbrgate-upload-XXXXXX");
    const int fd = ::mkstemp(path.data());
    if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot create a file in ", dir));
    ::unlink(path.c_str());
    return std::unique_ptr<Spool>(new Spool(fd, std::move(path)));
  }
  ~Spool() { ::close(fd_); }
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  absl::Status Append(absl::string_view bytes) {
    buffer_.append(bytes.data(), bytes.size());
    return buffer_.size() >= kBufferBytes ? Flush() : absl::OkStatus();
  }

  absl::Status Flush() {
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

  // Bytes flushed so far.
  uint64_t size() const { return size_; }

  absl::StatusOr<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const {
    for (;;) {
      const ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot read ", path_));
      return static_cast<size_t>(got);
    }
  }

 private:
  static constexpr size_t kBufferBytes = 256 << 10;
  Spool(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;  // for messages only: the file is already unlinked
  std::string buffer_;
  uint64_t size_ = 0;
};

// What the tee saw: errors on either side are the gateway's or the
// client's, not problems in the content, and are reported as such.
struct TeeState {
  absl::Status upload_error;
  absl::Status spool_error;
  uint64_t bytes = 0;
};

class TeeSource : public ByteSource {
 public:
  TeeSource(ByteSource& upload, Spool& spool, TeeState& state)
      : upload_(upload), spool_(spool), state_(state) {}

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    absl::StatusOr<size_t> got = upload_.Read(buf, n);
    if (!got.ok()) {
      state_.upload_error = got.status();
      return got.status();
    }
    if (absl::Status s = spool_.Append(absl::string_view(buf, *got)); !s.ok()) {
      state_.spool_error = s;
      return s;
    }
    state_.bytes += *got;
    return got;
  }

 private:
  ByteSource& upload_;
  Spool& spool_;
  TeeState& state_;
};

// The spooled upload for the second pass: bytes [0, split), then `insert`,
// then bytes [split, end), then `tail`.
class SpoolSource : public ByteSource {
 public:
  SpoolSource(const Spool& spool, uint64_t split, std::string insert, std::string tail)
      : spool_(spool), split_(split), insert_(std::move(insert)), tail_(std::move(tail)) {}

  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    while (part_ < 4) {
      if (part_ == 0 || part_ == 2) {
        const uint64_t end = part_ == 0 ? split_ : spool_.size();
        if (offset_ < end) {
          absl::StatusOr<size_t> got = spool_.ReadAt(
              offset_, buf, static_cast<size_t>(std::min<uint64_t>(n, end - offset_)));
          if (!got.ok()) return got.status();
          if (*got == 0) return absl::DataLossError("the spooled upload ended early");
          offset_ += *got;
          return got;
        }
      } else {
        const std::string& text = part_ == 1 ? insert_ : tail_;
        if (text_pos_ < text.size()) {
          const size_t got = std::min(n, text.size() - text_pos_);
          std::copy_n(text.data() + text_pos_, got, buf);
          text_pos_ += got;
          return got;
        }
        text_pos_ = 0;
      }
      ++part_;
    }
    return 0;
  }

 private:
  const Spool& spool_;
  const uint64_t split_;
  const std::string insert_;
  const std::string tail_;
  int part_ = 0;
  uint64_t offset_ = 0;
  size_t text_pos_ = 0;
};

// Where the wrapper goes in a bare upload: after a byte order mark and the
// XML declaration, which must stay first.
absl::StatusOr<uint64_t> BareWrapperOffset(const Spool& spool) {
  std::string head(static_cast<size_t>(std::min<uint64_t>(kHeadLimit, spool.size())), '\0');
  size_t filled = 0;
  while (filled < head.size()) {
    absl::StatusOr<size_t> got = spool.ReadAt(filled, head.data() + filled, head.size() - filled);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    filled += *got;
  }
  head.resize(filled);
  size_t pos = absl::StartsWith(head, "\xEF\xBB\xBF") ? 3 : 0;
  const absl::string_view rest = absl::string_view(head).substr(pos);
  if (absl::StartsWith(rest, "<?xml") && rest.size() > 5 &&
      absl::ascii_isspace(static_cast<unsigned char>(rest[5]))) {
    const size_t end = rest.find("?>");
    if (end == absl::string_view::npos) {
      return absl::InternalError("the upload's XML declaration does not end in its first 64 KiB");
    }
    pos += end + 2;
  }
  return pos;
}

// Streams libxml2's serialisation into a ByteSink.
class XmlOut {
 public:
  explicit XmlOut(ByteSink& sink) : sink_(sink) {
    buffer_ = xmlOutputBufferCreateIO(&XmlOut::WriteCallback, nullptr, this, nullptr);
  }
  ~XmlOut() {
    if (buffer_ != nullptr) xmlOutputBufferClose(buffer_);
  }
  XmlOut(const XmlOut&) = delete;
  XmlOut& operator=(const XmlOut&) = delete;

  void Text(absl::string_view text) {
    if (buffer_ != nullptr)
      xmlOutputBufferWrite(buffer_, static_cast<int>(text.size()), text.data());
  }
  // The element and its subtree, in UTF-8.
  void Node(xmlDoc* doc, xmlNode* node) {
    if (buffer_ != nullptr) xmlNodeDumpOutput(buffer_, doc, node, 0, 0, "UTF-8");
  }
  absl::Status Finish() {
    if (buffer_ == nullptr)
      return absl::ResourceExhaustedError("cannot allocate an XML output buffer");
    const int rc = xmlOutputBufferClose(buffer_);
    buffer_ = nullptr;
    if (!status_.ok()) return status_;
    if (rc < 0) return absl::InternalError("cannot serialise the payload");
    return absl::OkStatus();
  }

 private:
  static int WriteCallback(void* context, const char* bytes, int len) {
    auto* self = static_cast<XmlOut*>(context);
    if (!self->status_.ok()) return -1;
    self->status_ = self->sink_.Write(absl::string_view(bytes, static_cast<size_t>(len)));
    return self->status_.ok() ? len : -1;
  }
  ByteSink& sink_;
  xmlOutputBuffer* buffer_ = nullptr;
  absl::Status status_;
};

struct NodeFree {
  void operator()(xmlNode* n) const { xmlFreeNode(n); }
};

struct Delimiter {
  std::string document_id, document_name, document_type, related_document_id;
};

std::string DelimiterXml(const Delimiter& d) {
  return absl::StrCat("<Record_Delimiter DocumentID=\"", xml::Escape(d.document_id),
                      "\" DocumentName=\"", xml::Escape(d.document_name), "\" DocumentType=\"",
                      xml::Escape(d.document_type), "\" RelatedDocumentID=\"",
                      xml::Escape(d.related_document_id), "\"/>\n");
}

// The second pass: every document not in `held`, each after its delimiter,
// with the PAYEVNT's InteractionRecordCt set to `employees_sent`. Returns the
// number of PAYEVNTEMP documents written.
absl::StatusOr<int64_t> WritePayload(const Spool& spool, bool bare, const std::string& name,
                                     const xml::Limits& limits, const std::set<std::string>& held,
                                     int64_t employees_sent, ByteSink& out) {
  std::unique_ptr<ByteSource> source;
  if (bare) {
    absl::StatusOr<uint64_t> split = BareWrapperOffset(spool);
    if (!split.ok()) return split.status();
    source = std::make_unique<SpoolSource>(spool, *split, kBareWrapperOpen, kBareWrapperClose);
  } else {
    source = std::make_unique<SpoolSource>(spool, spool.size(), "", "");
  }
  absl::StatusOr<std::unique_ptr<xml::StreamReader>> reader =
      xml::StreamReader::Open(std::move(source), name, limits);
  if (!reader.ok()) return reader.status();
  xml::StreamReader& r = **reader;
  XmlOut xml_out(out);
  const std::string count = absl::StrCat(employees_sent);
  Delimiter pending;
  int64_t written = 0;
  bool positioned = false;  // r already sits on the next node
  for (;;) {
    if (!positioned) {
      absl::StatusOr<bool> more = r.Next();
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
    positioned = false;
    if (r.type() != XML_READER_TYPE_ELEMENT || r.depth() != 1) continue;
    if (r.local_name() == kDelimiterName &&
        (r.namespace_uri().empty() || r.namespace_uri() == payevnt::kLodgmentNamespace)) {
      pending = Delimiter();
      r.attribute("DocumentID", &pending.document_id);
      r.attribute("DocumentName", &pending.document_name);
      r.attribute("DocumentType", &pending.document_type);
      r.attribute("RelatedDocumentID", &pending.related_document_id);
      if (r.is_empty_element()) continue;
    } else if (held.count(pending.document_id) == 0) {
      absl::StatusOr<xmlNode*> node = r.ExpandCurrent();
      if (!node.ok()) return node.status();
      // A copy declares every namespace it uses on itself (the wrapper's
      // declarations do not travel with it), and can be edited.
      std::unique_ptr<xmlNode, NodeFree> copy(xmlDocCopyNode(*node, (*node)->doc, 1));
      if (copy == nullptr) return absl::ResourceExhaustedError("cannot copy a document");
      const bool employer = r.local_name() == "PAYEVNT";
      if (employer) {
        xmlNode* ct = xml::FirstChild(xml::FirstChild(xml::FirstChild(copy.get(), "Rp"), "Payroll"),
                                      "InteractionRecordCt");
        if (ct == nullptr) {
          return absl::InternalError(
              "the PAYEVNT has no Rp/Payroll/InteractionRecordCt to rewrite");
        }
        xmlNodeSetContent(ct, reinterpret_cast<const xmlChar*>(count.c_str()));
      } else {
        ++written;
      }
      xml_out.Text(DelimiterXml(pending));
      xml_out.Node((*node)->doc, copy.get());
      xml_out.Text("\n");
    }
    absl::StatusOr<bool> more = r.SkipSubtree();
    if (!more.ok()) return more.status();
    if (!*more) break;
    positioned = true;
  }
  if (absl::Status s = xml_out.Finish(); !s.ok()) return s;
  return written;
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
  if (!rec.employee.tfn.empty()) p.set_tfn_masked(payevnt::MaskIdentifier(rec.employee.tfn));
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
  absl::StatusOr<std::unique_ptr<Spool>> spool = Spool::Create(options.temp_dir);
  if (!spool.ok()) return spool.status();
  TeeState tee;
  absl::StatusOr<std::unique_ptr<payevnt::LodgmentReader>> reader = payevnt::LodgmentReader::Open(
      std::make_unique<TeeSource>(upload, **spool, tee), options.name, options.reader);
  // Failures of the upload stream or the spool come before what the reader
  // made of them.
  auto stream_error = [&tee]() {
    return tee.upload_error.ok() ? tee.spool_error : tee.upload_error;
  };
  if (!reader.ok()) return stream_error().ok() ? reader.status() : stream_error();

  IngestResult result;
  std::set<std::string> held;
  for (;;) {
    absl::StatusOr<std::optional<payevnt::Record>> next = (*reader)->Next();
    if (!next.ok()) {
      if (!stream_error().ok()) return stream_error();
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
      continue;
    }
    ++result.employees;
    if (options.prevalidate == PrevalidateMode::kHold &&
        std::any_of(rec.errors.begin(), rec.errors.end(), IsError)) {
      result.held_back.push_back(HeldBack(rec));
      held.insert(rec.document_id);
    } else {
      result.sent.push_back({rec.document_id, rec.employee.payroll_id});
    }
  }
  const payevnt::LodgmentSummary summary = (*reader)->summary();
  reader->reset();
  result.bytes_received = tee.bytes;

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

  result.employees_sent = static_cast<int64_t>(result.sent.size());
  if (result.employees_sent == 0) return result;

  if (absl::Status s = (*spool)->Flush(); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<blob::BlobStore::Writer>> writer = blobs.NewWriter();
  if (!writer.ok()) return writer.status();
  GzipSink gzip(**writer);
  absl::StatusOr<int64_t> written =
      WritePayload(**spool, summary.bare_sequence, options.name, options.reader.limits, held,
                   result.employees_sent, gzip);
  if (!written.ok()) {
    return absl::InternalError(
        absl::StrCat("writing the payload of ", options.name, ": ", written.status().message()));
  }
  if (*written != result.employees_sent) {
    return absl::InternalError(absl::StrCat("the payload of ", options.name, " holds ", *written,
                                            " employee records, expected ", result.employees_sent));
  }
  if (absl::Status s = gzip.Close(); !s.ok()) return s;
  absl::StatusOr<blob::BlobId> id = (*writer)->Commit();
  if (!id.ok()) return id.status();
  result.payload = *std::move(id);
  return result;
}

}  // namespace sbrgate::ingest

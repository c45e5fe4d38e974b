#include "pipeline/sim/simulator/lodgment_processor.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/mask.h"
#include "pipeline/stp/payevnt/abn_register.h"
#include "pipeline/stp/payevnt/error_catalogue.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/sender.h"
#include "pipeline/stp/payevnt/tfn_register.h"

namespace sbrgate::sim {
namespace {

event02::EventItem ToItem(const payevnt::FieldError& e) {
  event02::EventItem item;
  item.error_code = e.code;
  item.severity = e.severity;
  item.short_description = e.short_description;
  item.detailed_description = e.detailed_description;
  for (const auto& [id, text] : e.parameters) item.parameters.push_back({id, text});
  item.locations.push_back({e.document_id, e.path});
  return item;
}

bool HasError(const std::vector<payevnt::FieldError>& errors) {
  for (const payevnt::FieldError& e : errors) {
    if (e.severity == "Error") return true;
  }
  return false;
}

// Items are spooled as they are found, because the maximum severity (which
// the response states first) is known only at the end. The file is made with
// the first item: most pay events have none.
class ItemSpool {
 public:
  explicit ItemSpool(std::string path) : path_(std::move(path)) {}
  ~ItemSpool() {
    if (sink_ != nullptr) std::remove(path_.c_str());
  }

  absl::Status Add(const payevnt::FieldError& e) {
    if (sink_ == nullptr) {
      auto sink = FileSink::Create(path_, FileDurability::kScratch);
      if (!sink.ok()) return sink.status();
      sink_ = *std::move(sink);
      writer_ = std::make_unique<event02::ResponseWriter>(*sink_);
      if (absl::Status s = writer_->Begin(event02::Severity::kInformation); !s.ok()) return s;
    }
    ++count_;
    return writer_->Add(ToItem(e));
  }
  absl::Status Close() {
    if (sink_ == nullptr) return absl::OkStatus();
    if (absl::Status s = writer_->Finish(); !s.ok()) return s;
    return sink_->Close();
  }
  const std::string& path() const { return path_; }
  int64_t count() const { return count_; }

 private:
  std::string path_;
  std::unique_ptr<FileSink> sink_;
  std::unique_ptr<event02::ResponseWriter> writer_;
  int64_t count_ = 0;
};

// Writes the final response: the maximum severity, then every spooled item.
absl::Status WriteResponse(event02::Severity maximum, const ItemSpool& spool, ByteSink& response) {
  event02::ResponseWriter writer(response);
  if (absl::Status s = writer.Begin(maximum); !s.ok()) return s;
  if (spool.count() == 0) return writer.Finish();
  auto source = FileSource::Open(spool.path());
  if (!source.ok()) return source.status();
  auto reader =
      event02::ResponseReader::Open(std::unique_ptr<ByteSource>(std::move(*source)), "item spool");
  if (!reader.ok()) return reader.status();
  for (;;) {
    absl::StatusOr<std::optional<event02::EventItem>> item = (*reader)->Next();
    if (!item.ok()) return item.status();
    if (!item->has_value()) break;
    if (absl::Status s = writer.Add(**item); !s.ok()) return s;
  }
  return writer.Finish();
}

absl::Status WriteSingleItem(event02::Severity maximum, const payevnt::FieldError& error,
                             ByteSink& response) {
  event02::ResponseWriter writer(response);
  if (absl::Status s = writer.Begin(maximum); !s.ok()) return s;
  if (absl::Status s = writer.Add(ToItem(error)); !s.ok()) return s;
  return writer.Finish();
}

}  // namespace

absl::StatusOr<ProcessingOutcome> ProcessPayEvent(const StoredBytes& payload_gzip,
                                                  ByteSink& response,
                                                  const std::string& item_spool_path,
                                                  const ProcessingOptions& options) {
  ProcessingOutcome outcome;
  if (options.system_error) {
    outcome.maximum = event02::Severity::kSystemError;
    outcome.items = 1;
    payevnt::FieldError e;
    e.code = "SBR.GEN.FAULT.SYSTEMERROR";
    e.short_description = "A system error occurred while processing the lodgment";
    e.detailed_description =
        "The lodgment could not be processed because of an agency system error. Resubmit "
        "it later with a new MessageId.";
    if (absl::Status s = WriteSingleItem(outcome.maximum, e, response); !s.ok()) return s;
    return outcome;
  }

  auto payload = payload_gzip.Open();
  if (!payload.ok()) return payload.status();
  auto plain = std::make_unique<GunzipSource>(*std::move(payload),
                                              GunzipOptions{options.max_uncompressed_bytes});
  auto reader = payevnt::LodgmentReader::Open(std::move(plain), "payload");
  if (!reader.ok()) return reader.status();

  ItemSpool spool(item_spool_path);
  int64_t valid_employees = 0;
  // The outcome's only if the lodgment is not rejected in the end.
  std::vector<MatchingFailure> matching_failures;
  for (;;) {
    absl::StatusOr<std::optional<payevnt::Record>> record = (*reader)->Next();
    if (!record.ok()) {
      // Structural: the whole lodgment is rejected with that one error.
      const auto& fatal = (*reader)->summary().fatal;
      payevnt::FieldError e =
          fatal.has_value()
              ? *fatal
              : payevnt::MakeFieldError(payevnt::codes::kNotWellFormed, "", "",
                                        {{"Message", std::string(record.status().message())}});
      outcome.maximum = event02::Severity::kError;
      outcome.employer_rejected = true;
      outcome.items = 1;
      if (absl::Status s = WriteSingleItem(outcome.maximum, e, response); !s.ok()) return s;
      return outcome;
    }
    if (!record->has_value()) break;
    payevnt::Record& r = **record;
    if (r.kind == payevnt::Record::Kind::kEmployee) {
      ++outcome.employees;
      if (options.employees_seen != nullptr) options.employees_seen->fetch_add(1);
      if (HasError(r.errors)) {
        ++outcome.rejected_employees;
        outcome.rejected_document_ids.push_back(r.document_id);
      } else {
        ++valid_employees;
        if (payevnt::CheckTfnRegister(r.employee).has_value()) {
          matching_failures.push_back({r.document_id, r.employee.payroll_id, r.employee.family_name,
                                       MaskIdentifier(r.employee.tfn)});
        }
      }
    } else {
      if (std::optional<payevnt::FieldError> backend = payevnt::CheckAbnRegister(r.employer)) {
        r.errors.push_back(*std::move(backend));
      }
      if (options.sender.has_value() && !payevnt::MaySend(*options.sender, r.employer)) {
        r.errors.push_back(payevnt::MakeFieldError(
            payevnt::codes::kSenderNotPayerOrIntermediary, r.document_id, "/tns:PAYEVNT",
            {{"Sender", absl::StrCat(options.sender->id, " (", options.sender->type, ", ",
                                     options.sender->role, ")")}}));
      }
      if (HasError(r.errors)) outcome.employer_rejected = true;
      if (!r.employer.abn.empty()) {
        outcome.payer.set_type(v1::ABN);
        outcome.payer.set_value(r.employer.abn);
      } else {
        outcome.payer.set_type(v1::WPN);
        // As CLNTCOMM names a WPN client: the 9 digits, without the field's padding.
        outcome.payer.set_value(payevnt::UnpaddedWpn(r.employer.wpn));
      }
      outcome.payer_name = r.employer.organisation_name;
    }
    for (const payevnt::FieldError& e : r.errors) {
      if (absl::Status s = spool.Add(e); !s.ok()) return s;
    }
  }
  for (const payevnt::FieldError& e : (*reader)->summary().final_errors) {
    if (e.severity == "Error") outcome.employer_rejected = true;
    if (absl::Status s = spool.Add(e); !s.ok()) return s;
  }
  if (absl::Status s = spool.Close(); !s.ok()) return s;
  outcome.items = spool.count();

  if (outcome.employer_rejected || valid_employees == 0) {
    outcome.maximum = event02::Severity::kError;
  } else if (outcome.rejected_employees > 0) {
    outcome.maximum = event02::Severity::kPartial;
  } else if (outcome.items > 0) {
    outcome.maximum = event02::Severity::kWarning;
  } else {
    outcome.maximum = event02::Severity::kInformation;
  }
  if (outcome.maximum != event02::Severity::kError) {
    outcome.matching_failures = std::move(matching_failures);
  }
  if (absl::Status s = WriteResponse(outcome.maximum, spool, response); !s.ok()) return s;
  return outcome;
}

std::string MatchingFailureDocumentId(absl::string_view message_id) {
  return absl::StrCat(
      "MF", absl::AsciiStrToUpper(Sha256Hex(absl::StrCat("matching|", message_id)).substr(0, 16)));
}

Correspondence MatchingFailureNotice(absl::string_view message_id, const ProcessingOutcome& outcome,
                                     absl::Time processed_at) {
  Correspondence c;
  c.document_id = MatchingFailureDocumentId(message_id);
  c.client = outcome.payer;
  c.client_name = outcome.payer_name;
  c.channel = v1::PAPER;
  c.category = v1::REQUEST;
  c.title = "Payroll event: TFN matching failures";
  c.sent_at = processed_at;
  c.lines = {
      absl::StrCat("Payroll event message: ", message_id),
      "",
      absl::StrCat("Payees whose tax file number does not match the name we hold: ",
                   outcome.matching_failures.size()),
      "The payroll event was processed. Check each payee's TFN and name and report",
      "the correct details in your next pay event.",
      "",
      "DocumentID | payroll id | family name | TFN",
  };
  for (const MatchingFailure& f : outcome.matching_failures) {
    c.lines.push_back(absl::StrCat(f.document_id, " | ", f.payroll_id, " | ", f.family_name, " | ",
                                   f.tfn_masked));
  }
  return c;
}

}  // namespace sbrgate::sim

// GenerateLodgment: writes a realistic, deterministic STP pay-event lodgment
// (one employer, N employees) to a ByteSink, streaming: memory does not grow
// with N. For tests, demos and load runs of the pipeline and the simulator.
//
//   GeneratorOptions opt;
//   opt.employees = 200000;
//   opt.invalid_tfns = 3;        // 3 payees with a bad TFN check digit
//   opt.name_mismatches = 2;     // 2 payees only the TFN register catches
//   opt.seed = 7;
//   opt.message_timestamp = clock.Now();
//   auto sink = FileSink::Create("pay.xml");
//   absl::StatusOr<GeneratedLodgment> g = GenerateLodgment(opt, **sink);
//   (*sink)->Close();            // GenerateLodgment does not close the sink
//   g->invalid_document_ids;     // e.g. {"1.7", "1.1042", "1.90311"}
//
// The file is in lodgment_reader.h's format (wrapper, then Record_Delimiter +
// document pairs; DocumentIDs 1.1 for the employer, 1.2 .. 1.(N+1) for the
// employees). Data varies with the seed: names (including apostrophes,
// hyphens and non-ASCII letters), addresses in every state and territory,
// full-time, part-time and casual pay, several income streams, overtime,
// bonuses, leave, allowances, salary sacrifice, deductions, super, some
// terminations with lump sums and ETPs. Amounts are year-to-date per payee;
// the employer's totals are this pay run's. Everything not deliberately
// broken passes the schemas and the DSP-side rules. The same options give
// the same bytes.
#ifndef SBRGATE_PIPELINE_PAYEVNT_GENERATOR_H_
#define SBRGATE_PIPELINE_PAYEVNT_GENERATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::payevnt {

struct GeneratorOptions {
  int64_t employees = 1;
  // Employees whose TFN has a wrong check digit, chosen from the seed.
  int64_t invalid_tfns = 0;
  // The employer's ABN gets a wrong check digit.
  bool invalid_employer = false;
  // Employees with a TFN from the register (tfn_register.h) but another
  // family name: valid for the schema and the check digits, caught only by
  // the backend check. Disjoint from the invalid TFNs.
  int64_t name_mismatches = 0;
  uint64_t seed = 1;
  std::string payer_abn;                       // empty: derived from the seed
  // A payer with no ABN: this 9-digit WPN (TFN check digit), written
  // zero-padded to the field's 11 digits. Excludes payer_abn.
  std::string payer_wpn;
  // An intermediary lodging for the payer (the Int element): its ABN and,
  // for a tax agent, its 8-digit TAN. Empty ABN: no intermediary.
  std::string intermediary_abn;
  std::string intermediary_tan;
  // The payer's ABN is one the ABN register lists as cancelled
  // (abn_register.h): valid for every check a DSP can run, refused by SBR.
  bool cancelled_employer = false;
  std::string bms_id;                          // empty: derived from the seed
  std::optional<absl::CivilDay> payment_date;  // empty: the timestamp's day (UTC)
  // MessageTimestampGenerationDt; must be set (no clock is read here).
  absl::Time message_timestamp = absl::InfinitePast();
  // Write SBR's bare Record_Delimiter sequence instead of the wrapped file.
  bool bare_sequence = false;
};

struct GeneratedLodgment {
  int64_t employees = 0;
  // In document order; "1.1" first when the employer is invalid.
  std::vector<std::string> invalid_document_ids;
  std::vector<std::string> name_mismatch_document_ids;
  uint64_t bytes = 0;
  std::string payer_abn;  // empty for a WPN payer
};

absl::StatusOr<GeneratedLodgment> GenerateLodgment(const GeneratorOptions& options, ByteSink& sink);

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_GENERATOR_H_

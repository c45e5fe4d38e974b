// Who sends a pay event to SBR (the ebMS From party, sbr-profile.md), from
// its PAYEVNT: the intermediary it names (Int) as a registered agent, by the
// TAN the profile gives a tax agent, else by its ABN (the role for an
// intermediary with no TAN is our reading); without one, the payer itself
// as a business, by its ABN, else by its WPN (UnpaddedWpn).
//
//   ebms::Party from = payevnt::SenderOf(employer);        // sbrgate sends as
//   if (!payevnt::MaySend(push_from, employer)) ...        // the agency checks
#ifndef SBRGATE_PIPELINE_PAYEVNT_SENDER_H_
#define SBRGATE_PIPELINE_PAYEVNT_SENDER_H_

#include "pipeline/sbr/ebms/message.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

ebms::Party SenderOf(const EmployerRecord& employer);

// Whether `from` may send this pay event: the payer itself (ABN or WPN, as
// a business) or the intermediary it names (TAN or ABN, as a registered
// agent).
bool MaySend(const ebms::Party& from, const EmployerRecord& employer);

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_PAYEVNT_SENDER_H_

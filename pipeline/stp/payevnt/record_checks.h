// The business checks of one lodgment document, on its DOM: the fields a
// Record carries (read from the PAYEVNT or PAYEVNTEMP), the rules the
// schemas cannot express (check digits, dates, amounts, UTC timestamps),
// and the schema's violations reported as SBR reports them (one FieldError
// per field, with its XPath and TFNs masked).
//
//   Record rec;  // kind, document_id, related_document_id set
//   bool count_known = CheckEmployer(root, /*max_payment_days_ahead=*/366, rec);
//   CheckEmployee(root, rec);                          // for a PAYEVNTEMP
//   std::vector<FieldError> schema = SchemaErrors(ctxt, root, "1.2", kPayevntempNamespace);
#ifndef SBRGATE_PIPELINE_STP_PAYEVNT_RECORD_CHECKS_H_
#define SBRGATE_PIPELINE_STP_PAYEVNT_RECORD_CHECKS_H_

#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "pipeline/stp/payevnt/lodgment_reader.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {

// Reads the employer's fields of the PAYEVNT at `root` into rec.employer and
// adds what the business rules find to rec.errors. PaymentRecordTransactionD
// may be at most `max_payment_days_ahead` days after the timestamp's day.
// Returns whether InteractionRecordCt was read (to be checked at the end).
bool CheckEmployer(const xmlNode* root, int max_payment_days_ahead, Record& rec);

// Reads the employee's fields of the PAYEVNTEMP at `root` into rec.employee
// and adds what the business rules find to rec.errors.
void CheckEmployee(const xmlNode* root, Record& rec);

// Validates the document at `root` (in namespace `ns`) with `ctxt`: one
// error per field in error.
std::vector<FieldError> SchemaErrors(xmlSchemaValidCtxt* ctxt, xmlNode* root,
                                     const std::string& document_id, absl::string_view ns);

}  // namespace sbrgate::payevnt

#endif  // SBRGATE_PIPELINE_STP_PAYEVNT_RECORD_CHECKS_H_

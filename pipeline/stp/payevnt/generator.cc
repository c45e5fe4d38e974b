#include "pipeline/stp/payevnt/generator.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "pipeline/stp/payevnt/abn_register.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/stp/payevnt/record.h"
#include "pipeline/stp/payevnt/tfn_register.h"
#include "pipeline/platform/xml/escape.h"

namespace sbrgate::payevnt {
namespace {

constexpr int64_t kMaxEmployees = 9999999;  // InteractionRecordCt's bound
constexpr size_t kFlushBytes = 256 << 10;

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// SplitMix64 stream; portable, unlike std's distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += 0x632be59bd9b4e019ULL); }
  int64_t Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }
  int64_t Between(int64_t lo, int64_t hi) { return lo + Below(hi - lo + 1); }
  bool Percent(double p) { return static_cast<double>(Next() % 100000) < p * 1000; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

 private:
  uint64_t state_;
};

constexpr const char* kGivenNames[] = {
    "Olivia",  "Jack",   "Charlotte", "William", "Amelia",  "Noah",    "Isla",      "Oliver",
    "Mia",     "Thomas", "Ava",       "James",   "Grace",   "Lucas",   "Chloe",     "Henry",
    "Zoe",     "Leo",    "Ruby",      "Ethan",   "Sophie",  "Liam",    "Matilda",   "Harrison",
    "Priya",   "Arjun",  "Mei",       "Wei",     "Aroha",   "Tane",    "Fatima",    "Omar",
    "Siobhan", "Declan", "Ngoc Anh",  "Minh",    "Chiara",  "Giorgos", "Ana-Maria", "José",
    "Zoë",     "Renée",  "Jarrah",    "Kirra",   "Lachlan", "Bronwyn", "Darcy",     "Maeve"};

constexpr const char* kFamilyNames[] = {
    "Smith",        "Jones",     "Williams",     "Brown",
    "Wilson",       "Taylor",    "Johnson",      "White",
    "Martin",       "Anderson",  "Thompson",     "Nguyen",
    "Thomas",       "Walker",    "Harris",       "Lee",
    "Ryan",         "Robinson",  "Kelly",        "King",
    "Davis",        "Wright",    "Evans",        "Roberts",
    "Green",        "Hall",      "Wood",         "Jackson",
    "Clarke",       "Patel",     "Khan",         "Singh",
    "Tran",         "Le",        "Chen",         "Wang",
    "Li",           "Zhang",     "O'Brien",      "O'Neill",
    "McDonald",     "MacKenzie", "Smith-Jones",  "Fitzgerald-Hayes",
    "van der Berg", "De Luca",   "Papadopoulos", "Rossi",
    "Müller",       "Nguyễn",    "Ó Briain",     "Kowalczyk",
    "Haddad",       "Abdullah",  "Okonkwo",      "Yamamoto",
    "Kim",          "Park",      "Sánchez",      "Gonzalez",
    "Watson",       "St. John"};

constexpr const char* kStreets[] = {
    "George Street",      "Collins Street",   "Queen Street",     "King William Street",
    "Hay Street",         "Elizabeth Street", "Smith Street",     "Mitchell Street",
    "Northbourne Avenue", "Main Road",        "High Street",      "Station Street",
    "Church Street",      "Victoria Road",    "Beach Road",       "Bridge Road",
    "Wattle Crescent",    "Banksia Drive",    "Jacaranda Avenue", "Ironbark Close"};

struct Place {
  const char* locality;
  const char* state;
  const char* postcode;
};

constexpr Place kPlaces[] = {{"Sydney", "NSW", "2000"},
                             {"Parramatta", "NSW", "2150"},
                             {"Newcastle", "NSW", "2300"},
                             {"Wollongong", "NSW", "2500"},
                             {"Dubbo", "NSW", "2830"},
                             {"Melbourne", "VIC", "3000"},
                             {"Geelong", "VIC", "3220"},
                             {"Ballarat", "VIC", "3350"},
                             {"Bendigo", "VIC", "3550"},
                             {"Brisbane City", "QLD", "4000"},
                             {"Surfers Paradise", "QLD", "4217"},
                             {"Toowoomba", "QLD", "4350"},
                             {"Townsville", "QLD", "4810"},
                             {"Cairns", "QLD", "4870"},
                             {"Adelaide", "SA", "5000"},
                             {"Mount Gambier", "SA", "5290"},
                             {"Perth", "WA", "6000"},
                             {"Fremantle", "WA", "6160"},
                             {"Bunbury", "WA", "6230"},
                             {"Kalgoorlie", "WA", "6430"},
                             {"Hobart", "TAS", "7000"},
                             {"Launceston", "TAS", "7250"},
                             {"Darwin", "NT", "0800"},
                             {"Alice Springs", "NT", "0870"},
                             {"Canberra", "ACT", "2600"},
                             {"Belconnen", "ACT", "2617"}};

struct Overseas {
  const char* locality;
  const char* country;
};

constexpr Overseas kOverseas[] = {
    {"Auckland", "nz"}, {"Singapore", "sg"}, {"London", "gb"}, {"Port Moresby", "pg"}};

constexpr const char* kOrganisationWords[] = {
    "Southern Cross", "Harbour",    "Red Gum", "Blue Wren", "Coastal",
    "Outback",        "Kookaburra", "Tasman",  "Coral Sea", "Wattle"};
constexpr const char* kOrganisationKinds[] = {
    "Trading", "Logistics",   "Health Services", "Constructions", "Hospitality Group",
    "Retail",  "Engineering", "Education",       "Manufacturing", "Farms"};
constexpr const char* kOtherAllowances[] = {"On-call allowance", "First aid allowance",
                                            "Uniform allowance"};

std::string Money(int64_t cents) {
  const bool negative = cents < 0;
  const uint64_t v = negative ? -static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  return absl::StrCat(negative ? "-" : "", v / 100, ".", v % 100 < 10 ? "0" : "", v % 100);
}

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

// Resident income tax for a year's pay (2024-25 rates, plus 2% Medicare),
// in cents. Without the tax-free threshold, the first bracket is taxed too.
int64_t AnnualTax(int64_t annual_cents, bool tax_free_threshold) {
  struct Bracket {
    int64_t from;
    int64_t rate_percent;
  };
  constexpr Bracket kBrackets[] = {
      {18200'00, 16}, {45000'00, 30}, {135000'00, 37}, {190000'00, 45}};
  int64_t tax = 0;
  for (size_t b = 0; b < std::size(kBrackets); ++b) {
    const int64_t lo = kBrackets[b].from;
    const int64_t hi = b + 1 < std::size(kBrackets) ? kBrackets[b + 1].from : INT64_MAX;
    if (annual_cents > lo)
      tax += (std::min(annual_cents, hi) - lo) * kBrackets[b].rate_percent / 100;
  }
  if (!tax_free_threshold) tax += std::min<int64_t>(annual_cents, 18200'00) * 16 / 100;
  tax += annual_cents * 2 / 100;
  return tax;
}

struct Amount {
  const char* code;
  int64_t cents;
  std::string description;  // allowances of type OD only
};

struct Stream {
  const char* type = "SAW";
  int64_t paygw = 0;
  int64_t gross = 0;
  int64_t overtime = 0;  // 0: element left out
  int64_t bonus = 0;
  std::vector<Amount> paid_leave;
  std::vector<Amount> allowances;
  std::vector<Amount> salary_sacrifice;
  std::vector<Amount> lump_sums;
  bool etp = false;
  const char* etp_type = "O";
  int64_t etp_taxable = 0;
  int64_t etp_tax_free = 0;
  int64_t etp_paygw = 0;
};

struct Employee {
  std::string tfn;
  std::string abn;
  std::string payroll_id;
  std::string family_name;
  std::string given_name;
  std::string other_given_name;
  int birth_day = 1, birth_month = 1, birth_year = 1990;
  std::string line1;
  std::string locality;
  std::string state;     // empty overseas
  std::string postcode;  // empty overseas
  std::string country;
  absl::CivilDay employment_start;
  std::optional<absl::CivilDay> employment_end;
  const char* payment_basis = "F";
  const char* cessation = nullptr;
  std::string tax_treatment = "RTXXXX";
  absl::CivilDay period_start, period_end;
  bool final_event = false;
  std::vector<Stream> streams;
  std::vector<Amount> deductions;
  std::vector<Amount> super;
  std::vector<Amount> fringe_benefits;
  // This pay run, for the employer's totals.
  int64_t period_gross = 0;
  int64_t period_paygw = 0;
};

enum class Special { kNone, kInvalidTfn, kNameMismatch };

struct Context {
  uint64_t seed;
  absl::CivilDay payment_date;
  absl::CivilDay fy_start;
  int super_permille;  // superannuation guarantee rate
  int register_base;
};

Employee MakeEmployee(const Context& ctx, int64_t i, Special special) {
  Rng rng(Mix(ctx.seed ^ Mix(static_cast<uint64_t>(i) + 1)));
  Employee e;
  e.payroll_id = absl::StrCat("E", 1000000 + i);
  e.given_name = rng.Pick(kGivenNames);
  if (rng.Percent(20)) e.other_given_name = rng.Pick(kGivenNames);
  e.family_name = rng.Pick(kFamilyNames);

  const uint64_t id_seed = Mix(ctx.seed * 31 + static_cast<uint64_t>(i));
  const int register_index = static_cast<int>((ctx.register_base + i) % kRegisterSize);
  switch (special) {
    case Special::kInvalidTfn:
      e.tfn = identifiers::MakeInvalidTfn(id_seed);
      break;
    case Special::kNameMismatch:
      e.tfn = RegisteredTfn(register_index);
      e.family_name = OtherFamilyName(register_index, static_cast<int>(i));
      break;
    case Special::kNone:
      if (id_seed % 53 == 0) {  // on the register, with the registered name
        e.tfn = RegisteredTfn(register_index);
        e.family_name = RegisteredFamilyName(register_index);
      } else if (id_seed % 50 == 1) {
        e.tfn = identifiers::MakeValidTfn8(id_seed);
      } else {
        e.tfn = identifiers::MakeValidTfn(id_seed);
      }
      break;
  }

  const int age = static_cast<int>(rng.Between(17, 68));
  e.birth_year = static_cast<int>(ctx.payment_date.year()) - age;
  e.birth_month = static_cast<int>(rng.Between(1, 12));
  e.birth_day = static_cast<int>(rng.Between(1, 28));

  if (rng.Percent(3)) {
    const Overseas& o = rng.Pick(kOverseas);
    e.locality = o.locality;
    e.state = "OTH";
    e.country = o.country;
  } else {
    const Place& p = rng.Pick(kPlaces);
    e.locality = p.locality;
    e.state = p.state;
    e.postcode = p.postcode;
    e.country = "au";
  }
  const std::string street = absl::StrCat(rng.Between(1, 399), " ", rng.Pick(kStreets));
  e.line1 = rng.Percent(25) ? absl::StrCat("Unit ", rng.Between(1, 40), "/", street) : street;

  // Started at least 16 days ago, so before this pay period.
  const int64_t max_days = std::min<int64_t>(25 * 365, std::max<int64_t>(16, (age - 16) * 365));
  e.employment_start = ctx.payment_date - rng.Between(16, max_days);
  e.period_end = ctx.payment_date - 2;
  e.period_start = e.period_end - 13;

  // The main income stream decides the payment basis and tax treatment.
  Stream main;
  const int64_t kind = rng.Below(1000);
  bool casual = false;
  if (kind < 900) {
    main.type = "SAW";
    const int64_t basis = rng.Below(100);
    e.payment_basis = basis < 55 ? "F" : basis < 80 ? "P" : "C";
    casual = basis >= 80;
  } else if (kind < 930) {
    main.type = "CHP";
  } else if (kind < 950) {
    main.type = "WHM";
    e.tax_treatment = "HRXXXX";
    casual = true;
    e.payment_basis = "C";
  } else if (kind < 970) {
    main.type = "LAB";
    e.payment_basis = "L";
  } else if (kind < 985) {
    main.type = "VOL";
    e.payment_basis = "V";
    e.tax_treatment = "VCXXXX";
    e.abn = identifiers::MakeValidAbn(id_seed ^ 0xabcdef);
  } else if (kind < 995) {
    main.type = "SWP";
    e.tax_treatment = "SWXXXX";
    casual = true;
    e.payment_basis = "C";
  } else {
    main.type = "IAA";
  }
  const bool threshold = rng.Percent(88);
  if (e.tax_treatment == "RTXXXX" && !threshold) e.tax_treatment = "RNXXXX";

  int64_t fortnight = 0;
  if (casual) {
    fortnight = rng.Between(28'00, 45'00) * rng.Between(8, 76);
  } else if (std::string(e.payment_basis) == "P") {
    fortnight = rng.Between(25000'00, 80000'00) / 26;
  } else {
    fortnight = rng.Between(55000'00, 180000'00) / 26;
  }
  // Withholding rounds to whole dollars.
  const int64_t fortnight_tax = AnnualTax(fortnight * 26, threshold) / 26 / 100 * 100;
  const absl::CivilDay worked_from = std::max(ctx.fy_start, e.employment_start);
  const int64_t periods = std::min<int64_t>(26, (ctx.payment_date - worked_from) / 14 + 1);
  main.gross = fortnight * periods;
  main.paygw = fortnight_tax * periods;
  e.period_gross = fortnight;
  e.period_paygw = fortnight_tax;

  if (!casual && rng.Percent(15)) main.overtime = periods * rng.Between(50'00, 400'00);
  if (rng.Percent(5)) main.bonus = rng.Between(500'00, 10000'00);
  if (!casual && rng.Percent(30)) {
    main.paid_leave.push_back({"O", fortnight / 10 * rng.Between(1, 10), ""});
    if (rng.Percent(10)) main.paid_leave.push_back({"P", rng.Between(1000'00, 9000'00), ""});
  }
  if (rng.Percent(10)) {
    const int64_t which = rng.Below(3);
    if (which == 0) {
      main.allowances.push_back({"CD", rng.Between(100, 3000) * 88, ""});
    } else if (which == 1) {
      main.allowances.push_back({"TD", periods * rng.Between(10'00, 40'00), ""});
    } else {
      main.allowances.push_back(
          {"OD", periods * rng.Between(5'00, 30'00), rng.Pick(kOtherAllowances)});
    }
  }
  int64_t sacrificed = 0;
  if (!casual && rng.Percent(8)) {
    sacrificed = periods * rng.Between(100'00, 500'00);
    main.salary_sacrifice.push_back({"S", sacrificed, ""});
  }
  if (rng.Percent(1.5)) {
    const int64_t days = rng.Between(0, 13);
    e.employment_end = e.period_start + days;
    constexpr const char* kCessations[] = {"V", "I", "D", "R", "F", "C", "T"};
    e.cessation = rng.Pick(kCessations);
    e.final_event = true;
    if (rng.Percent(40)) main.lump_sums.push_back({"A", rng.Between(500'00, 15000'00), ""});
    if (rng.Percent(30)) {
      main.etp = true;
      main.etp_type = std::string(e.cessation) == "R" ? "R" : "O";
      main.etp_taxable = rng.Between(5000'00, 60000'00);
      main.etp_tax_free = main.etp_type[0] == 'R' ? rng.Between(10000'00, 20000'00) : 0;
      main.etp_paygw = main.etp_taxable * 32 / 100 / 100 * 100;
    }
  }
  e.streams.push_back(std::move(main));

  if (rng.Percent(2)) {
    Stream foreign;
    foreign.type = "FEI";
    foreign.gross = rng.Between(2000'00, 20000'00);
    foreign.paygw = foreign.gross / 4 / 100 * 100;
    e.streams.push_back(std::move(foreign));
  }

  if (rng.Percent(6)) e.deductions.push_back({"F", periods * rng.Between(15'00, 40'00), ""});
  if (rng.Percent(4)) e.deductions.push_back({"W", periods * rng.Between(5'00, 50'00), ""});

  e.super.push_back({"L", e.streams[0].gross * ctx.super_permille / 1000, ""});
  if (sacrificed > 0) e.super.push_back({"R", sacrificed, ""});
  if (rng.Percent(2)) e.fringe_benefits.push_back({"T", rng.Between(1000'00, 8000'00), ""});
  return e;
}

// Writes elements line by line, indented, prefixed "tns:".
class XmlOut {
 public:
  explicit XmlOut(std::string& out) : out_(out) {}
  void Open(absl::string_view name) {
    Indent();
    absl::StrAppend(&out_, "<tns:", name, ">\n");
    ++depth_;
  }
  void Close(absl::string_view name) {
    --depth_;
    Indent();
    absl::StrAppend(&out_, "</tns:", name, ">\n");
  }
  void Leaf(absl::string_view name, absl::string_view text) {
    Indent();
    absl::StrAppend(&out_, "<tns:", name, ">", xml::Escape(text), "</tns:", name, ">\n");
  }
  void Leaf(absl::string_view name, int64_t number) { Leaf(name, absl::StrCat(number)); }
  void Amount(absl::string_view name, int64_t cents) { Leaf(name, Money(cents)); }
  void Raw(absl::string_view text) { out_.append(text.data(), text.size()); }
  void set_depth(int depth) { depth_ = depth; }

 private:
  void Indent() { out_.append(static_cast<size_t>(depth_), ' '); }
  std::string& out_;
  int depth_ = 0;
};

void WriteDelimiter(std::string& out, absl::string_view id, bool parent) {
  absl::StrAppend(&out, "<Record_Delimiter DocumentID=\"", id, "\" DocumentName=\"",
                  parent ? "PAYEVNT" : "PAYEVNTEMP", "\" DocumentType=\"",
                  parent ? "PARENT" : "CHILD", "\" RelatedDocumentID=\"", parent ? "" : "1.1",
                  "\"/>\n");
}

void WriteAmounts(XmlOut& x, absl::string_view collection, absl::string_view item,
                  absl::string_view code_name, absl::string_view amount_name,
                  const std::vector<Amount>& amounts) {
  if (amounts.empty()) return;
  x.Open(collection);
  for (const Amount& a : amounts) {
    x.Open(item);
    x.Leaf(code_name, a.code);
    if (!a.description.empty()) x.Leaf("OtherAllowanceTypeDe", a.description);
    x.Amount(amount_name, a.cents);
    x.Close(item);
  }
  x.Close(collection);
}

void WriteEmployee(std::string& out, const Employee& e, absl::string_view id) {
  WriteDelimiter(out, id, /*parent=*/false);
  XmlOut x(out);
  x.Raw(absl::StrCat("<tns:PAYEVNTEMP xmlns:tns=\"", kPayevntempNamespace, "\">\n"));
  x.set_depth(1);
  x.Open("Payee");
  x.Open("Identifiers");
  x.Leaf("TaxFileNumberId", e.tfn);
  if (!e.abn.empty()) x.Leaf("AustralianBusinessNumberId", e.abn);
  x.Leaf("EmploymentPayrollNumberId", e.payroll_id);
  x.Close("Identifiers");
  x.Open("PersonNameDetails");
  x.Leaf("FamilyNameT", e.family_name);
  x.Leaf("GivenNameT", e.given_name);
  if (!e.other_given_name.empty()) x.Leaf("OtherGivenNameT", e.other_given_name);
  x.Close("PersonNameDetails");
  x.Open("PersonDemographicDetailsBirth");
  x.Leaf("Dm", e.birth_day);
  x.Leaf("M", e.birth_month);
  x.Leaf("Y", e.birth_year);
  x.Close("PersonDemographicDetailsBirth");
  x.Open("AddressDetails");
  x.Leaf("Line1T", e.line1);
  x.Leaf("LocalityNameT", e.locality);
  x.Leaf("StateOrTerritoryC", e.state);
  if (!e.postcode.empty()) x.Leaf("PostcodeT", e.postcode);
  x.Leaf("CountryC", e.country);
  x.Close("AddressDetails");
  x.Open("EmployerConditions");
  x.Leaf("EmploymentStartD", Day(e.employment_start));
  if (e.employment_end.has_value()) x.Leaf("EmploymentEndD", Day(*e.employment_end));
  x.Leaf("PaymentBasisC", e.payment_basis);
  if (e.cessation != nullptr) x.Leaf("CessationTypeC", e.cessation);
  x.Leaf("TaxTreatmentC", e.tax_treatment);
  x.Close("EmployerConditions");
  x.Open("PayrollPeriod");
  x.Leaf("StartD", Day(e.period_start));
  x.Leaf("EndD", Day(e.period_end));
  x.Leaf("RemunerationPayrollEventFinalI", e.final_event ? "true" : "false");
  x.Open("RemunerationCollection");
  for (const Stream& s : e.streams) {
    x.Open("Remuneration");
    x.Leaf("IncomeStreamTypeC", s.type);
    x.Amount("IncomeTaxPayAsYouGoWithholdingTaxWithheldA", s.paygw);
    x.Amount("GrossA", s.gross);
    if (s.overtime > 0) x.Amount("OvertimePaymentA", s.overtime);
    if (s.bonus > 0) x.Amount("GrossBonusesAndCommissionsA", s.bonus);
    WriteAmounts(x, "PaidLeaveCollection", "PaidLeave", "TypeC", "PaymentA", s.paid_leave);
    WriteAmounts(x, "AllowanceCollection", "Allowance", "TypeC", "EmploymentAllowancesA",
                 s.allowances);
    WriteAmounts(x, "SalarySacrificeCollection", "SalarySacrifice", "TypeC", "PaymentA",
                 s.salary_sacrifice);
    WriteAmounts(x, "LumpSumCollection", "LumpSum", "TypeC", "PaymentsA", s.lump_sums);
    if (s.etp) {
      x.Open("EmploymentTerminationPaymentCollection");
      x.Open("EmploymentTerminationPayment");
      x.Amount("IncomeTaxPayAsYouGoWithholdingTaxWithheldA", s.etp_paygw);
      x.Leaf("TypeC", s.etp_type);
      x.Leaf("IncomeD", Day(e.employment_end.value_or(e.period_end)));
      x.Amount("IncomeTaxableA", s.etp_taxable);
      if (s.etp_tax_free > 0) x.Amount("SuperannuationTaxFreeComponentA", s.etp_tax_free);
      x.Close("EmploymentTerminationPayment");
      x.Close("EmploymentTerminationPaymentCollection");
    }
    x.Close("Remuneration");
  }
  x.Close("RemunerationCollection");
  WriteAmounts(x, "DeductionCollection", "Deduction", "RemunerationTypeC", "RemunerationA",
               e.deductions);
  WriteAmounts(x, "SuperannuationContributionCollection", "SuperannuationContribution",
               "EntitlementTypeC", "EmployerContributionsYearToDateA", e.super);
  WriteAmounts(x, "IncomeFringeBenefitsReportableCollection", "IncomeFringeBenefitsReportable",
               "FringeBenefitsReportableExemptionC", "A", e.fringe_benefits);
  x.Close("PayrollPeriod");
  x.Close("Payee");
  x.Raw("</tns:PAYEVNTEMP>\n");
}

struct EmployerData {
  std::string abn;
  std::string wpn;  // 9 digits
  std::string intermediary_abn;
  std::string intermediary_tan;
  std::string bms_id;
  std::string organisation;
  std::string contact;
  std::string postcode;
  std::string transaction_id;
  absl::CivilDay payment_date;
  absl::Time timestamp;
  int64_t employees;
  int64_t gross;
  int64_t paygw;
};

void WriteEmployer(std::string& out, const EmployerData& d) {
  WriteDelimiter(out, "1.1", /*parent=*/true);
  XmlOut x(out);
  x.Raw(absl::StrCat("<tns:PAYEVNT xmlns:tns=\"", kPayevntNamespace, "\">\n"));
  x.set_depth(1);
  x.Open("Rp");
  x.Leaf("SoftwareInformationBusinessManagementSystemId", d.bms_id);
  if (!d.abn.empty()) x.Leaf("AustralianBusinessNumberId", d.abn);
  if (!d.wpn.empty()) x.Leaf("WithholdingPayerNumberId", absl::StrCat("00", d.wpn));
  x.Leaf("OrganisationDetailsOrganisationBranchC", "001");
  x.Open("OrganisationName");
  x.Leaf("DetailsOrganisationalNameT", d.organisation);
  x.Leaf("PersonUnstructuredNameFullNameT", d.contact);
  x.Close("OrganisationName");
  x.Open("ElectronicContact");
  x.Leaf("ElectronicMailAddressT", "payroll@example.com.au");
  x.Leaf("TelephoneMinimalN", "02 9876 5432");
  x.Close("ElectronicContact");
  x.Open("AddressDetailsPostal");
  x.Leaf("PostcodeT", d.postcode);
  x.Leaf("CountryC", "au");
  x.Close("AddressDetailsPostal");
  x.Open("Payroll");
  x.Leaf("PaymentRecordTransactionD", Day(d.payment_date));
  x.Leaf("InteractionRecordCt", d.employees);
  x.Leaf("MessageTimestampGenerationDt",
         absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", d.timestamp, absl::UTCTimeZone()));
  x.Leaf("InteractionTransactionId", d.transaction_id);
  x.Leaf("AmendmentI", "false");
  x.Open("IncomeTaxAndRemuneration");
  x.Amount("PayAsYouGoWithholdingTaxWithheldA", d.paygw);
  x.Amount("TotalGrossPaymentsWithholdingA", d.gross);
  x.Close("IncomeTaxAndRemuneration");
  x.Close("Payroll");
  x.Open("Declaration");
  x.Leaf("SignatoryIdentifierT", d.contact);
  x.Leaf("SignatureD", Day(absl::ToCivilDay(d.timestamp, absl::UTCTimeZone())));
  x.Leaf("StatementAcceptedI", "true");
  x.Close("Declaration");
  x.Close("Rp");
  if (!d.intermediary_abn.empty()) {
    x.Open("Int");
    x.Leaf("AustralianBusinessNumberId", d.intermediary_abn);
    if (!d.intermediary_tan.empty()) x.Leaf("TaxAgentNumberId", d.intermediary_tan);
    x.Open("Declaration");
    x.Leaf("SignatoryIdentifierT", "Payroll Bureau");
    x.Leaf("SignatureD", Day(absl::ToCivilDay(d.timestamp, absl::UTCTimeZone())));
    x.Leaf("StatementAcceptedI", "true");
    x.Close("Declaration");
    x.Close("Int");
  }
  x.Raw("</tns:PAYEVNT>\n");
}

std::string ChildId(int64_t i) { return absl::StrCat("1.", i + 2); }

}  // namespace

absl::StatusOr<GeneratedLodgment> GenerateLodgment(const GeneratorOptions& options,
                                                   ByteSink& sink) {
  const int64_t n = options.employees;
  if (n < 0 || n > kMaxEmployees) {
    return absl::InvalidArgumentError(
        absl::StrCat("employees must be between 0 and ", kMaxEmployees, ", not ", n));
  }
  if (options.invalid_tfns < 0 || options.name_mismatches < 0 ||
      options.invalid_tfns + options.name_mismatches > n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid TFNs (", options.invalid_tfns, ") and name mismatches (", options.name_mismatches,
        ") must be non-negative and at most the employees (", n, ")"));
  }
  if (options.message_timestamp == absl::InfinitePast() ||
      options.message_timestamp == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError("message_timestamp must be set");
  }
  if (!options.payer_abn.empty() && !identifiers::IsValidAbn(options.payer_abn)) {
    return absl::InvalidArgumentError(
        absl::StrCat("payer ABN ", options.payer_abn, " is not a valid ABN"));
  }
  if (!options.intermediary_abn.empty() && !identifiers::IsValidAbn(options.intermediary_abn)) {
    return absl::InvalidArgumentError(
        absl::StrCat("intermediary ABN ", options.intermediary_abn, " is not a valid ABN"));
  }
  if (!options.intermediary_tan.empty() &&
      (options.intermediary_abn.empty() || options.intermediary_tan.size() != 8 ||
       !absl::c_all_of(options.intermediary_tan, absl::ascii_isdigit))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "intermediary TAN ", options.intermediary_tan,
        ": 8 digits, and only with an intermediary ABN (the Int element requires one)"));
  }
  if (!options.payer_wpn.empty()) {
    if (options.payer_wpn.size() != 9 || !identifiers::IsValidTfn(options.payer_wpn)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "payer WPN ", options.payer_wpn, " is not 9 digits with a valid check digit"));
    }
    if (!options.payer_abn.empty() || options.invalid_employer || options.cancelled_employer) {
      return absl::InvalidArgumentError(
          "a payer WPN excludes a payer ABN and the invalid or cancelled employer ABN");
    }
  }

  Rng rng(Mix(options.seed));
  Context ctx;
  ctx.seed = options.seed;
  ctx.payment_date = options.payment_date.value_or(
      absl::ToCivilDay(options.message_timestamp, absl::UTCTimeZone()));
  const absl::CivilYear year = absl::CivilYear(ctx.payment_date);
  ctx.fy_start = ctx.payment_date.month() >= 7 ? absl::CivilDay(year.year(), 7, 1)
                                               : absl::CivilDay(year.year() - 1, 7, 1);
  ctx.super_permille = ctx.payment_date >= absl::CivilDay(2025, 7, 1) ? 120 : 115;
  ctx.register_base = static_cast<int>(rng.Below(kRegisterSize));

  // Which employees are deliberately wrong: Floyd's sampling of
  // invalid_tfns + name_mismatches distinct indices (memory in the count
  // sampled, not in n); the first invalid_tfns drawn get a bad TFN.
  std::vector<int64_t> drawn;
  {
    absl::flat_hash_set<int64_t> taken;
    const int64_t want = options.invalid_tfns + options.name_mismatches;
    for (int64_t j = n - want; j < n; ++j) {
      int64_t t = rng.Below(j + 1);
      if (!taken.insert(t).second) {
        t = j;
        taken.insert(t);
      }
      drawn.push_back(t);
    }
  }
  const std::set<int64_t> invalid(drawn.begin(), drawn.begin() + options.invalid_tfns);
  const std::set<int64_t> mismatched(drawn.begin() + options.invalid_tfns, drawn.end());
  auto special = [&](int64_t i) {
    if (invalid.count(i) != 0) return Special::kInvalidTfn;
    if (mismatched.count(i) != 0) return Special::kNameMismatch;
    return Special::kNone;
  };

  EmployerData employer;
  employer.abn =
      options.payer_abn.empty() ? identifiers::MakeValidAbn(Mix(options.seed ^ 0xe1)) : options.payer_abn;
  // A seeded ABN that happens to be on the cancelled list moves off it.
  for (uint64_t k = 1; options.payer_abn.empty() && IsCancelledAbn(employer.abn); ++k) {
    employer.abn = identifiers::MakeValidAbn(Mix(options.seed ^ 0xe1 ^ k));
  }
  if (options.cancelled_employer) employer.abn = CancelledAbn(static_cast<int>(options.seed % 10000));
  if (options.invalid_employer) employer.abn = identifiers::BreakAbnCheckDigit(employer.abn, options.seed);
  if (!options.payer_wpn.empty()) {
    employer.abn.clear();
    employer.wpn = options.payer_wpn;
  }
  employer.intermediary_abn = options.intermediary_abn;
  employer.intermediary_tan = options.intermediary_tan;
  employer.bms_id =
      options.bms_id.empty() ? absl::StrCat("SBRGATE-GEN-", options.seed) : options.bms_id;
  employer.organisation =
      absl::StrCat(rng.Pick(kOrganisationWords), " ", rng.Pick(kOrganisationKinds), " Pty Ltd");
  employer.contact = absl::StrCat(rng.Pick(kGivenNames), " ", rng.Pick(kFamilyNames));
  employer.postcode = rng.Pick(kPlaces).postcode;
  employer.transaction_id =
      absl::StrCat("PAY-", absl::FormatCivilTime(ctx.payment_date), "-", options.seed % 100000);
  employer.payment_date = ctx.payment_date;
  employer.timestamp = options.message_timestamp;
  employer.employees = n;
  employer.gross = 0;
  employer.paygw = 0;
  // The employer's document comes first but carries the run's totals: a
  // first pass computes them (employees are derived, not stored).
  for (int64_t i = 0; i < n; ++i) {
    const Employee e = MakeEmployee(ctx, i, special(i));
    employer.gross += e.period_gross;
    employer.paygw += e.period_paygw;
  }

  GeneratedLodgment result;
  result.employees = n;
  result.payer_abn = employer.abn;
  std::string buf;
  auto flush = [&](bool force) -> absl::Status {
    if (buf.empty() || (!force && buf.size() < kFlushBytes)) return absl::OkStatus();
    if (absl::Status s = sink.Write(buf); !s.ok()) return s;
    result.bytes += buf.size();
    buf.clear();
    return absl::OkStatus();
  };
  if (!options.bare_sequence) {
    absl::StrAppend(&buf, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PayEventLodgment xmlns=\"",
                    kLodgmentNamespace, "\">\n");
  }
  WriteEmployer(buf, employer);
  if (options.invalid_employer) result.invalid_document_ids.push_back("1.1");
  for (int64_t i = 0; i < n; ++i) {
    const Special s = special(i);
    WriteEmployee(buf, MakeEmployee(ctx, i, s), ChildId(i));
    if (s == Special::kInvalidTfn) result.invalid_document_ids.push_back(ChildId(i));
    if (s == Special::kNameMismatch) result.name_mismatch_document_ids.push_back(ChildId(i));
    if (absl::Status st = flush(false); !st.ok()) return st;
  }
  if (!options.bare_sequence) buf += "</PayEventLodgment>\n";
  if (absl::Status st = flush(true); !st.ok()) return st;
  return result;
}

}  // namespace sbrgate::payevnt

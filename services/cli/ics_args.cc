#include "services/cli/ics_args.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace sbrgate::cli {
namespace {

// The flags only CCIDs (ind, org), only ind, only org, or only abn take.
const std::vector<std::string> kCcidFlags = {"address-type", "address-line", "locality",
                                             "state",        "postcode",     "country"};
const std::vector<std::string> kIndFlags = {"family-name", "given-names"};
const std::vector<std::string> kOrgFlags = {"org-name"};
const std::vector<std::string> kAbnFlags = {"client-abn", "cac"};

absl::Status NotFor(const Flags& flags, const std::vector<std::string>& names,
                    absl::string_view goes_with, absl::string_view type) {
  for (const std::string& name : names) {
    if (flags.Has(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " goes with ", goes_with, ", not --type=", type));
    }
  }
  return absl::OkStatus();
}

}  // namespace

const std::set<std::string>& IcsRegisterFlagNames() {
  static const std::set<std::string>* const kNames = new std::set<std::string>{"type",
                                                                               "abn",
                                                                               "ran",
                                                                               "user",
                                                                               "family-name",
                                                                               "given-names",
                                                                               "org-name",
                                                                               "address-type",
                                                                               "address-line",
                                                                               "locality",
                                                                               "state",
                                                                               "postcode",
                                                                               "country",
                                                                               "client-abn",
                                                                               "cac",
                                                                               "contact-name",
                                                                               "contact-purpose",
                                                                               "contact-address",
                                                                               "role"};
  return *kNames;
}

absl::StatusOr<v1::RegisterClientRequest> RegisterRequestFromFlags(const Flags& flags,
                                                                   const char* default_user) {
  v1::RegisterClientRequest r;
  v1::AgentContext* agent = r.mutable_agent();
  agent->set_agent_abn(flags.Get("abn"));
  agent->set_ran(flags.Get("ran"));
  agent->set_user_id(flags.Get("user", default_user != nullptr ? default_user : ""));

  const std::string type = absl::AsciiStrToLower(flags.Get("type"));
  if (type == "ind" || type == "org") {
    if (absl::Status s = NotFor(flags, kAbnFlags, "--type=abn", type); !s.ok()) return s;
    if (absl::Status s = NotFor(flags, type == "ind" ? kOrgFlags : kIndFlags,
                                type == "ind" ? "--type=org" : "--type=ind", type);
        !s.ok()) {
      return s;
    }
    v1::CcidRegistration* c = r.mutable_ccid();
    c->set_client_type(type == "ind" ? v1::IcsClient::IND : v1::IcsClient::ORG);
    c->set_family_name(flags.Get("family-name"));
    c->set_given_names(flags.Get("given-names"));
    c->set_organisation_name(flags.Get("org-name"));
    v1::IcsAddress* a = c->mutable_business_address();
    a->set_type(flags.Get("address-type"));
    for (const std::string& line : flags.GetAll("address-line")) a->add_lines(line);
    a->set_locality(flags.Get("locality"));
    a->set_state(flags.Get("state"));
    a->set_postcode(flags.Get("postcode"));
    a->set_country(flags.Get("country"));
  } else if (type == "abn") {
    if (absl::Status s = NotFor(flags, kCcidFlags, "--type=ind or org", type); !s.ok()) return s;
    if (absl::Status s = NotFor(flags, kIndFlags, "--type=ind", type); !s.ok()) return s;
    if (absl::Status s = NotFor(flags, kOrgFlags, "--type=org", type); !s.ok()) return s;
    r.mutable_abn()->set_abn(flags.Get("client-abn"));
    if (flags.Has("cac")) {
      int cac = 0;
      if (!absl::SimpleAtoi(flags.Get("cac"), &cac) || cac < 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("--cac '", flags.Get("cac"), "' is not a CAC number (1 or more)"));
      }
      r.mutable_abn()->set_cac(cac);
    }
  } else {
    return absl::InvalidArgumentError(
        flags.Has("type") ? absl::StrCat("--type '", flags.Get("type"), "' is not ind, org or abn")
                          : "--type=ind|org|abn is required");
  }

  v1::IcsContact* contact = r.mutable_contact();
  contact->set_name(flags.Get("contact-name"));
  contact->set_purpose(flags.Get("contact-purpose"));
  for (const std::string& e : flags.GetAll("contact-address")) contact->add_address(e);
  for (const std::string& value : flags.GetAll("role")) {
    for (absl::string_view role : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
      r.add_role_names(absl::AsciiStrToUpper(
          absl::StrReplaceAll(absl::StripAsciiWhitespace(role), {{"-", "_"}})));
    }
  }
  return r;
}

}  // namespace sbrgate::cli

// A small command-line parser for sbrgate's subcommands: positional
// arguments plus --name=value, --name value and boolean --name flags. Unknown
// flags are errors, so a typo never silently changes what a command does.
// A valued flag given more than once keeps every value for GetAll(); Get()
// gives the last.
//
//   Flags f({"json"}, {"endpoint", "cert"});      // booleans, valued
//   if (absl::Status s = f.Parse(args); !s.ok()) ...
//   f.Has("json"); f.Get("endpoint", "default"); f.positional();
//   f.GetAll("client");                           // every --client, in order
#ifndef SBRGATE_SERVICES_CLI_FLAGS_H_
#define SBRGATE_SERVICES_CLI_FLAGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sbrgate::cli {

class Flags {
 public:
  Flags(std::set<std::string> booleans, std::set<std::string> valued)
      : booleans_(std::move(booleans)), valued_(std::move(valued)) {}

  absl::Status Parse(const std::vector<std::string>& args) {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
        positional_.push_back(a);
        continue;
      }
      std::string name = a.substr(2);
      std::string value;
      const size_t eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (booleans_.count(name) > 0) {
        if (inline_value) return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
        values_[name] = "true";
      } else if (valued_.count(name) > 0) {
        if (!inline_value) {
          if (i + 1 >= args.size()) {
            return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
          }
          value = args[++i];
        }
        values_[name] = value;
        all_values_[name].push_back(value);
      } else {
        return absl::InvalidArgumentError(absl::StrCat("unknown option --", name));
      }
    }
    return absl::OkStatus();
  }

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  // Every value of a valued flag, in the order given; empty when absent.
  std::vector<std::string> GetAll(const std::string& name) const {
    auto it = all_values_.find(name);
    return it == all_values_.end() ? std::vector<std::string>() : it->second;
  }
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::set<std::string> booleans_;
  std::set<std::string> valued_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_values_;
  std::vector<std::string> positional_;
};

}  // namespace sbrgate::cli

#endif  // SBRGATE_SERVICES_CLI_FLAGS_H_

// What sbrgate asks of the key and certificate files it is configured with,
// wherever it loads them (the SBR machine credential, the simulator's server
// key, Kafka's TLS key): a private key file readable by its owner alone, and a
// warning at start when a certificate is close to expiry.
//
//   if (absl::Status s = keys::CheckPrivateKeyFile("/etc/sbrgate/m2m.key"); !s.ok())
//     return s;  // "private key file /etc/sbrgate/m2m.key has mode 0644: ..."
//   keys::WarnIfExpiringSoon(cert_path, subject, not_after, clock.Now());
//   // stderr: "sbrgate: warning: certificate m2m.pem (CN=...) expires in 12 days, on ..."
#ifndef SBRGATE_PIPELINE_PLATFORM_KEYS_KEY_FILES_H_
#define SBRGATE_PIPELINE_PLATFORM_KEYS_KEY_FILES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sbrgate::keys {

// How far ahead a certificate's expiry is announced.
inline constexpr absl::Duration kExpiryWarningWindow = absl::Hours(24 * 30);

// OK when `path` is a file that neither group nor others may read, write or
// execute. PermissionDenied naming the file and its mode otherwise (with the
// chmod that fixes it); the stat error naming the file when it cannot be
// examined.
absl::Status CheckPrivateKeyFile(const std::string& path);

// The same check for any file that holds a secret, named in the error as
// `what` (e.g. "Kafka config file with sasl.password").
absl::Status CheckOwnerOnlyFile(const std::string& path, absl::string_view what);

// The one-line warning for certificate file `cert_path` (`subject`) expiring
// at `not_after`, when that is within kExpiryWarningWindow of `now` and not
// past (an expired certificate is an error for whoever loads it).
std::optional<std::string> ExpiryWarning(const std::string& cert_path, const std::string& subject,
                                         absl::Time not_after, absl::Time now);

// Prints ExpiryWarning's line, if any, to stderr.
void WarnIfExpiringSoon(const std::string& cert_path, const std::string& subject,
                        absl::Time not_after, absl::Time now);

// As WarnIfExpiringSoon for the first certificate of PEM file `cert_path`;
// a file that cannot be read as one is an error naming it.
absl::Status WarnIfCertificateFileExpiringSoon(const std::string& cert_path, absl::Time now);

}  // namespace sbrgate::keys

#endif  // SBRGATE_PIPELINE_PLATFORM_KEYS_KEY_FILES_H_

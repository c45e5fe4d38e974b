#include "pipeline/platform/keys/key_files.h"

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sbrgate::keys {

absl::Status CheckOwnerOnlyFile(const std::string& path, absl::string_view what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat(what, " ", path));
  }
  const mode_t mode = st.st_mode & 07777;
  if ((mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s %s has mode %04o: group or others may read it; it must be readable "
        "by its owner alone (chmod 600 %s)",
        what, path, mode, path));
  }
  return absl::OkStatus();
}

absl::Status CheckPrivateKeyFile(const std::string& path) {
  return CheckOwnerOnlyFile(path, "private key file");
}

std::optional<std::string> ExpiryWarning(const std::string& cert_path, const std::string& subject,
                                         absl::Time not_after, absl::Time now) {
  if (not_after < now || not_after - now > kExpiryWarningWindow) return std::nullopt;
  const int64_t days = absl::ToInt64Hours(not_after - now) / 24;
  return absl::StrCat("sbrgate: warning: certificate ", cert_path, " (", subject,
                      ") expires in ", days, days == 1 ? " day" : " days", ", on ",
                      absl::FormatTime(absl::RFC3339_sec, not_after, absl::UTCTimeZone()));
}

void WarnIfExpiringSoon(const std::string& cert_path, const std::string& subject,
                        absl::Time not_after, absl::Time now) {
  if (std::optional<std::string> line = ExpiryWarning(cert_path, subject, not_after, now)) {
    std::fprintf(stderr, "%s\n", line->c_str());
  }
}

absl::Status WarnIfCertificateFileExpiringSoon(const std::string& cert_path, absl::Time now) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(cert_path.c_str(), "r"), &std::fclose);
  if (f == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("certificate file ", cert_path));
  std::unique_ptr<X509, void (*)(X509*)> cert(
      PEM_read_X509(f.get(), nullptr, nullptr, nullptr), &X509_free);
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate file ", cert_path, ": no PEM certificate in it"));
  }
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate file ", cert_path, ": unreadable notAfter"));
  }
  char name[512];
  X509_NAME_oneline(X509_get_subject_name(cert.get()), name, sizeof name);
  WarnIfExpiringSoon(cert_path, name, absl::FromTM(tm, absl::UTCTimeZone()), now);
  return absl::OkStatus();
}

}  // namespace sbrgate::keys

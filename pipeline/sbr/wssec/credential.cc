#include "pipeline/sbr/wssec/credential.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/keys/key_files.h"
#include "pipeline/sbr/wssec/xmlsec_support.h"

namespace sbrgate::wssec {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Refuses to prompt for a passphrase: keys must be stored unencrypted (and
// protected by file permissions), since sbrgate runs unattended.
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view what) {
  absl::StatusOr<std::string> bytes = ReadFileToString(path);
  if (!bytes.ok()) {
    return absl::Status(bytes.status().code(),
                        absl::StrCat(what, " ", path, ": ", bytes.status().message()));
  }
  if (!absl::StrContains(*bytes, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": not a PEM file"));
  }
  return bytes;
}

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& bytes) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

}  // namespace

absl::StatusOr<Credential> Credential::Load(const std::string& cert_path,
                                            const std::string& key_path) {
  static const RealClock* real = new RealClock;
  return Load(cert_path, key_path, *real);
}

absl::StatusOr<Credential> Credential::Load(const std::string& cert_path,
                                            const std::string& key_path, const Clock& clock) {
  absl::StatusOr<std::string> cert_pem = ReadPemFile(cert_path, "certificate file");
  if (!cert_pem.ok()) return cert_pem.status();
  if (absl::Status s = keys::CheckPrivateKeyFile(key_path); !s.ok()) return s;
  absl::StatusOr<std::string> key_pem = ReadPemFile(key_path, "private key file");
  if (!key_pem.ok()) return key_pem.status();

  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(MemoryBio(*cert_pem).get(), nullptr, NoPassphrase, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("certificate file ", cert_path,
                                                   ": no PEM certificate in it (",
                                                   internal::OpenSslError(), ")"));
  }
  EVP_PKEY* raw_key =
      PEM_read_bio_PrivateKey(MemoryBio(*key_pem).get(), nullptr, NoPassphrase, nullptr);
  if (raw_key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("private key file ", key_path,
                     ": no unencrypted PEM private key in it (", internal::OpenSslError(), ")"));
  }
  std::shared_ptr<EVP_PKEY> key(raw_key, EVP_PKEY_free);

  Credential c;
  c.cert_path = cert_path;
  c.key_path = key_path;
  c.subject = internal::NameString(X509_get_subject_name(cert.get()));
  c.issuer = internal::NameString(X509_get_issuer_name(cert.get()));
  c.cert_der = internal::CertDer(cert.get());
  c.sha256_fingerprint = internal::Sha256Hex(c.cert_der);
  c.not_after = internal::ToTime(X509_get0_notAfter(cert.get()));

  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return absl::InvalidArgumentError(absl::StrCat(
        "private key file ", key_path, ": not an RSA key (messages are signed with RSA-SHA256)"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    internal::OpenSslError();
    return absl::InvalidArgumentError(absl::StrCat("private key file ", key_path,
                                                   " does not match certificate file ", cert_path,
                                                   " (", c.subject, ")"));
  }
  const absl::Time now = clock.Now();
  const absl::Time not_before = internal::ToTime(X509_get0_notBefore(cert.get()));
  if (now > c.not_after) {
    return absl::FailedPreconditionError(
        absl::StrCat("certificate file ", cert_path, " (", c.subject, ") expired on ",
                     absl::FormatTime(absl::RFC3339_sec, c.not_after, absl::UTCTimeZone())));
  }
  if (now < not_before) {
    return absl::FailedPreconditionError(
        absl::StrCat("certificate file ", cert_path, " (", c.subject, ") is not valid before ",
                     absl::FormatTime(absl::RFC3339_sec, not_before, absl::UTCTimeZone())));
  }
  keys::WarnIfExpiringSoon(cert_path, c.subject, c.not_after, now);
  c.private_key = std::move(key);
  return c;
}

}  // namespace sbrgate::wssec

#include "pipeline/platform/access/authenticator.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <memory>

namespace sbrgate::access {
namespace {

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

// A certificate with subject CN `cn` (none when empty) and, when not empty,
// a subjectAltName `san` such as "URI:spiffe://payroll/a, DNS:x". Unsigned:
// only its names are read.
X509Ptr Certificate(const char* cn, const char* san) {
  X509Ptr cert(X509_new(), X509_free);
  if (*cn != '\0') {
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  }
  if (*san != '\0') {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san);
    EXPECT_NE(ext, nullptr) << san;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  return cert;
}

TEST(CertificateIdentityTest, IsTheFirstSanUriElseTheSubjectCnAsGrpcTakesIt) {
  EXPECT_EQ(CertificateIdentity(Certificate("ops", "").get()), "ops");
  EXPECT_EQ(CertificateIdentity(Certificate("ops", "DNS:ops.example").get()), "ops");
  EXPECT_EQ(CertificateIdentity(
                Certificate("ops", "DNS:x, URI:spiffe://dsp/ops, URI:spiffe://dsp/other").get()),
            "spiffe://dsp/ops");
  EXPECT_EQ(CertificateIdentity(Certificate("Zoë", "").get()), "Zoë");
  EXPECT_EQ(CertificateIdentity(Certificate("", "").get()), "");
  EXPECT_EQ(CertificateIdentity(nullptr), "");
}

TEST(AuthenticatorTest, DelegatedMetadataNameTheIdentityAndCarryATokenPerAuthenticator) {
  std::unique_ptr<Authenticator> one = Authenticator::LoopbackOperator();
  std::unique_ptr<Authenticator> two = Authenticator::LoopbackOperator();
  auto a = one->DelegatedMetadata("ops");
  auto b = two->DelegatedMetadata("ops");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].second, "ops");
  EXPECT_EQ(a[1].second.size(), 64u);  // 32 random bytes in hex
  EXPECT_NE(a[1].second, b[1].second);
  EXPECT_EQ(one->DelegatedMetadata("alice")[1].second, a[1].second);
}

}  // namespace
}  // namespace sbrgate::access

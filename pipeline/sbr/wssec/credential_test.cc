#include "pipeline/sbr/wssec/credential.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/clock.h"
#include "pipeline/sbr/wssec/test_support.h"

namespace sbrgate::wssec {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class CredentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::TempDir() + "/credential_test");
    ASSERT_EQ(system(("mkdir -p " + *dir_).c_str()), 0);
    const absl::Time now = absl::Now();
    auto ca = testing::MakeCa(*dir_, "ca", now - absl::Hours(1), now + absl::Hours(24 * 365));
    ASSERT_TRUE(ca.ok()) << ca.status();
    auto dsp = testing::Issue(*ca, *dir_, "dsp", "sbrgate DSP test", now - absl::Hours(1),
                              now + absl::Hours(24 * 30));
    ASSERT_TRUE(dsp.ok()) << dsp.status();
    auto other = testing::Issue(*ca, *dir_, "other", "someone else", now - absl::Hours(1),
                                now + absl::Hours(24 * 30));
    ASSERT_TRUE(other.ok()) << other.status();
    ca_ = new testing::Issued(*ca);
    dsp_ = new testing::Issued(*dsp);
    other_ = new testing::Issued(*other);
  }
  static std::string* dir_;
  static testing::Issued* ca_;
  static testing::Issued* dsp_;
  static testing::Issued* other_;
};
std::string* CredentialTest::dir_ = nullptr;
testing::Issued* CredentialTest::ca_ = nullptr;
testing::Issued* CredentialTest::dsp_ = nullptr;
testing::Issued* CredentialTest::other_ = nullptr;

TEST_F(CredentialTest, LoadsMatchingCertificateAndKey) {
  absl::StatusOr<Credential> c = Credential::Load(dsp_->cert_path, dsp_->key_path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->subject, "CN=sbrgate DSP test,O=sbrgate tests");
  EXPECT_EQ(c->issuer, "CN=ca test CA,O=sbrgate tests");
  EXPECT_THAT(c->sha256_fingerprint, MatchesRegex("[0-9a-f]{64}"));
  ASSERT_FALSE(c->cert_der.empty());
  EXPECT_EQ(static_cast<unsigned char>(c->cert_der[0]), 0x30);  // DER SEQUENCE
  EXPECT_NE(c->private_key, nullptr);
  EXPECT_GT(c->not_after, absl::Now());
}

TEST_F(CredentialTest, MissingFileIsNamed) {
  absl::StatusOr<Credential> c = Credential::Load(*dir_ + "/nope.pem", dsp_->key_path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), HasSubstr("certificate file " + *dir_ + "/nope.pem"));

  c = Credential::Load(dsp_->cert_path, *dir_ + "/nope.key");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("private key file " + *dir_ + "/nope.key"));
}

TEST_F(CredentialTest, NotPemIsRefused) {
  const std::string junk = *dir_ + "/junk.pem";
  ASSERT_TRUE(WriteFileDurably(junk, "this is not a certificate\n").ok());
  absl::StatusOr<Credential> c = Credential::Load(junk, dsp_->key_path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr(junk + ": not a PEM file"));

  // A key where the certificate should be.
  c = Credential::Load(dsp_->key_path, dsp_->key_path);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("no PEM certificate"));
}

TEST_F(CredentialTest, KeyOfAnotherCertificateIsRefused) {
  absl::StatusOr<Credential> c = Credential::Load(dsp_->cert_path, other_->key_path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(),
              HasSubstr(other_->key_path + " does not match certificate file " + dsp_->cert_path));
}

TEST_F(CredentialTest, ExpiredOrNotYetValidIsRefused) {
  ManualClock later(absl::Now() + absl::Hours(24 * 31));
  absl::StatusOr<Credential> c = Credential::Load(dsp_->cert_path, dsp_->key_path, later);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(c.status().message(), HasSubstr("expired on"));

  ManualClock earlier(absl::Now() - absl::Hours(2));
  c = Credential::Load(dsp_->cert_path, dsp_->key_path, earlier);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("is not valid before"));
}

TEST_F(CredentialTest, KeyOthersMayReadIsRefused) {
  const std::string key = *dir_ + "/shared.key";
  ASSERT_TRUE(WriteFileDurably(key, *ReadFileToString(dsp_->key_path)).ok());
  ASSERT_EQ(::chmod(key.c_str(), 0640), 0);
  absl::StatusOr<Credential> c = Credential::Load(dsp_->cert_path, key);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kPermissionDenied) << c.status();
  EXPECT_THAT(c.status().message(), HasSubstr("private key file " + key + " has mode 0640"));
}

TEST_F(CredentialTest, WarnsOfExpiryWithinThirtyDays) {
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(Credential::Load(ca_->cert_path, ca_->key_path).ok());
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "") << "a year left: nothing to say";
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(Credential::Load(dsp_->cert_path, dsp_->key_path).ok());
  const std::string warned = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(warned, HasSubstr("certificate " + dsp_->cert_path +
                                " (CN=sbrgate DSP test,O=sbrgate tests) expires in 29 days"));
  EXPECT_EQ(std::count(warned.begin(), warned.end(), '\n'), 1);
}

}  // namespace
}  // namespace sbrgate::wssec

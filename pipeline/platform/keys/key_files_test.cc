#include "pipeline/platform/keys/key_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/sim/dev_pki/dev_pki.h"

namespace sbrgate::keys {
namespace {

using ::testing::HasSubstr;

std::string KeyFile(const std::string& name, mode_t mode) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  EXPECT_TRUE(WriteFileDurably(path, "-----BEGIN PRIVATE KEY-----\n").ok());
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

TEST(CheckPrivateKeyFile, OwnerOnlyIsFine) {
  EXPECT_TRUE(CheckPrivateKeyFile(KeyFile("owner.key", 0600)).ok());
  EXPECT_TRUE(CheckPrivateKeyFile(KeyFile("owner-ro.key", 0400)).ok());
}

TEST(CheckPrivateKeyFile, GroupOrWorldReadableIsRefusedNamingFileAndMode) {
  for (const auto& [name, mode, shown] :
       {std::tuple<const char*, mode_t, const char*>{"group.key", 0640, "0640"},
        {"world.key", 0604, "0604"},
        {"both.key", 0644, "0644"}}) {
    const std::string path = KeyFile(name, mode);
    absl::Status s = CheckPrivateKeyFile(path);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
    EXPECT_THAT(s.message(), HasSubstr(path));
    EXPECT_THAT(s.message(), HasSubstr(shown));
    EXPECT_THAT(s.message(), HasSubstr("chmod 600"));
  }
}

TEST(CheckPrivateKeyFile, MissingFileIsNamed) {
  absl::Status s = CheckPrivateKeyFile("/nonexistent/m2m.key");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/m2m.key"));
}

TEST(ExpiryWarning, OnlyWithinThirtyDays) {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  EXPECT_EQ(ExpiryWarning("m2m.pem", "CN=dsp", now + absl::Hours(24 * 31), now), std::nullopt);
  EXPECT_EQ(ExpiryWarning("m2m.pem", "CN=dsp", now - absl::Hours(1), now), std::nullopt);
  std::optional<std::string> line =
      ExpiryWarning("m2m.pem", "CN=dsp", now + absl::Hours(24 * 12 + 3), now);
  ASSERT_TRUE(line.has_value());
  EXPECT_THAT(*line, HasSubstr("certificate m2m.pem (CN=dsp) expires in 12 days"));
  EXPECT_EQ(line->find('\n'), std::string::npos) << "one line";
}

TEST(WarnIfCertificateFileExpiringSoon, ReadsTheCertificate) {
  absl::StatusOr<pki::DevPki> pki = pki::MakeDevPki(::testing::TempDir() + "/pki");
  ASSERT_TRUE(pki.ok()) << pki.status();
  // Dev certificates are valid for a year from a day ago.
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(WarnIfCertificateFileExpiringSoon(pki->client_cert, absl::Now()).ok());
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(
      WarnIfCertificateFileExpiringSoon(pki->client_cert, absl::Now() + absl::Hours(24 * 350))
          .ok());
  const std::string warned = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(warned, HasSubstr(absl::StrCat("certificate ", pki->client_cert)));
  EXPECT_THAT(warned, HasSubstr("days"));
  absl::Status s = WarnIfCertificateFileExpiringSoon(pki->client_key, absl::Now());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
}

}  // namespace
}  // namespace sbrgate::keys

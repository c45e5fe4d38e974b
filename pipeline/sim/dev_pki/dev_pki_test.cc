#include "pipeline/sim/dev_pki/dev_pki.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace sbrgate::pki {
namespace {

X509* LoadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return nullptr;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return cert;
}

// Verifies `leaf` against `anchor` for `purpose`, and the host name if given.
bool Verifies(const std::string& leaf, const std::string& anchor, int purpose,
              const char* host = nullptr) {
  X509* cert = LoadCert(leaf);
  X509* ca = LoadCert(anchor);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  if (host != nullptr) X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(ca);
  X509_free(cert);
  return ok;
}

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(DevPkiTest, EveryFileIsOwnerOnly) {
  const std::string dir = ::testing::TempDir() + "/private-pki";
  auto pki = MakeDevPki(dir);
  ASSERT_TRUE(pki.ok()) << pki.status();
  EXPECT_EQ(ModeOf(dir), 0700);
  for (const std::string& path :
       {pki->ca_cert, pki->ca_key, pki->server_cert, pki->server_key, pki->client_cert,
        pki->client_key, pki->untrusted_ca_cert, pki->untrusted_client_cert,
        pki->untrusted_client_key}) {
    EXPECT_EQ(ModeOf(path), 0600) << path;
  }
  // A PKI an older version left readable to others is tightened on reuse.
  ASSERT_EQ(::chmod(pki->client_key.c_str(), 0644), 0);
  ASSERT_TRUE(OpenOrMakeDevPki(dir).ok());
  EXPECT_EQ(ModeOf(pki->client_key), 0600);
}

TEST(DevPkiTest, ChainsVerifyAsIntended) {
  auto pki = MakeDevPki(::testing::TempDir() + "/pki");
  ASSERT_TRUE(pki.ok()) << pki.status();
  EXPECT_TRUE(Verifies(pki->server_cert, pki->ca_cert, X509_PURPOSE_SSL_SERVER, "localhost"));
  EXPECT_FALSE(Verifies(pki->server_cert, pki->ca_cert, X509_PURPOSE_SSL_SERVER, "example.com"));
  EXPECT_TRUE(Verifies(pki->client_cert, pki->ca_cert, X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(Verifies(pki->client_cert, pki->ca_cert, X509_PURPOSE_SSL_SERVER));
  EXPECT_FALSE(Verifies(pki->untrusted_client_cert, pki->ca_cert, X509_PURPOSE_SSL_CLIENT));
  EXPECT_TRUE(
      Verifies(pki->untrusted_client_cert, pki->untrusted_ca_cert, X509_PURPOSE_SSL_CLIENT));
  EXPECT_FALSE(Verifies(pki->server_cert, pki->untrusted_ca_cert, X509_PURPOSE_SSL_SERVER));

  FILE* f = std::fopen(pki->client_key.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 2048);
  EVP_PKEY_free(key);
}

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(DevPkiTest, OpenOrMakeKeepsACompletePkiAndReplacesAnIncompleteOne) {
  const std::string dir = ::testing::TempDir() + "/kept-pki";
  auto made = OpenOrMakeDevPki(dir);
  ASSERT_TRUE(made.ok()) << made.status();
  const std::string ca = Contents(made->ca_cert);
  const std::string client = Contents(made->client_cert);
  ASSERT_FALSE(ca.empty());

  auto kept = OpenOrMakeDevPki(dir);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->ca_cert, made->ca_cert);
  EXPECT_EQ(Contents(kept->ca_cert), ca);
  EXPECT_EQ(Contents(kept->client_cert), client);

  ASSERT_EQ(std::remove(made->untrusted_client_key.c_str()), 0);
  auto remade = OpenOrMakeDevPki(dir);
  ASSERT_TRUE(remade.ok()) << remade.status();
  EXPECT_NE(Contents(remade->ca_cert), ca);
  EXPECT_TRUE(Verifies(remade->client_cert, remade->ca_cert, X509_PURPOSE_SSL_CLIENT));
}

}  // namespace
}  // namespace sbrgate::pki

#include "pipeline/sim/dev_pki/dev_pki.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::pki {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

absl::Status OpensslError(absl::string_view what) {
  char buf[256] = "no OpenSSL error queued";
  if (const unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return absl::InternalError(absl::StrCat("test PKI: ", what, ": ", buf));
}

absl::StatusOr<Key> NewRsaKey() {
  Key key(EVP_RSA_gen(2048));
  if (key == nullptr) return OpensslError("RSA key generation");
  return key;
}

struct CertSpec {
  std::string common_name;
  bool is_ca = false;
  // X.509v3 extensions in openssl.cnf syntax, applied in order.
  std::vector<std::pair<int, std::string>> extensions;
};

// Issues a certificate for `key`; self-signed when `issuer` is null.
absl::StatusOr<Cert> Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer,
                           EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  if (cert == nullptr) return OpensslError("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) return OpensslError("serial");
  serial_bytes[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sbrgate test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  EVP_PKEY* signer_key = issuer != nullptr ? issuer_key : key;
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (X509_set_pubkey(cert.get(), key) != 1) return OpensslError("X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : spec.extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr)
      return OpensslError(absl::StrCat("extension ", OBJ_nid2sn(nid), "=", value));
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), signer_key, EVP_sha256()) == 0) return OpensslError("X509_sign");
  return cert;
}

// Writes `cert` (or, when null, `key`) as PEM to `path`, 0600 like every
// file sbrgate writes (FileSink).
absl::Status WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  const int ok = cert != nullptr
                     ? PEM_write_bio_X509(bio.get(), cert)
                     : PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) return OpensslError("writing " + path);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return WriteFileDurably(path, absl::string_view(data, size));
}

struct Issued {
  Key key;
  Cert cert;
};

absl::StatusOr<Issued> MakeCa(const std::string& cn) {
  absl::StatusOr<Key> key = NewRsaKey();
  if (!key.ok()) return key.status();
  CertSpec spec{cn,
                true,
                {{NID_basic_constraints, "critical,CA:TRUE"},
                 {NID_key_usage, "critical,keyCertSign,cRLSign"},
                 {NID_subject_key_identifier, "hash"}}};
  absl::StatusOr<Cert> cert = Issue(spec, key->get(), nullptr, nullptr);
  if (!cert.ok()) return cert.status();
  return Issued{*std::move(key), *std::move(cert)};
}

absl::StatusOr<Issued> MakeLeaf(const std::string& cn, bool server, const Issued& ca) {
  absl::StatusOr<Key> key = NewRsaKey();
  if (!key.ok()) return key.status();
  CertSpec spec{cn,
                false,
                {{NID_basic_constraints, "critical,CA:FALSE"},
                 {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                 {NID_ext_key_usage, server ? "serverAuth" : "clientAuth"},
                 {NID_subject_key_identifier, "hash"},
                 {NID_authority_key_identifier, "keyid"}}};
  if (server) spec.extensions.push_back({NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"});
  absl::StatusOr<Cert> cert = Issue(spec, key->get(), ca.cert.get(), ca.key.get());
  if (!cert.ok()) return cert.status();
  return Issued{*std::move(key), *std::move(cert)};
}

absl::Status Save(const Issued& issued, const std::string& cert_path, const std::string* key_path) {
  if (absl::Status s = WritePem(cert_path, issued.cert.get(), nullptr); !s.ok()) return s;
  if (key_path != nullptr) return WritePem(*key_path, nullptr, issued.key.get());
  return absl::OkStatus();
}

DevPki PathsIn(const std::string& dir) {
  DevPki pki;
  pki.ca_cert = dir + "/ca.pem";
  pki.ca_key = dir + "/ca.key";
  pki.server_cert = dir + "/server.pem";
  pki.server_key = dir + "/server.key";
  pki.client_cert = dir + "/client.pem";
  pki.client_key = dir + "/client.key";
  pki.untrusted_ca_cert = dir + "/untrusted-ca.pem";
  pki.untrusted_client_cert = dir + "/untrusted-client.pem";
  pki.untrusted_client_key = dir + "/untrusted-client.key";
  return pki;
}

}  // namespace

absl::StatusOr<DevPki> MakeDevPki(const std::string& dir) {
  if (absl::Status s = MakeDirectoriesDurably(dir); !s.ok()) return s;
  const DevPki pki = PathsIn(dir);

  absl::StatusOr<Issued> ca = MakeCa("sbrgate test CA");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<Issued> server = MakeLeaf("localhost", /*server=*/true, *ca);
  if (!server.ok()) return server.status();
  absl::StatusOr<Issued> client = MakeLeaf("sbrgate test client", /*server=*/false, *ca);
  if (!client.ok()) return client.status();
  absl::StatusOr<Issued> other_ca = MakeCa("sbrgate untrusted test CA");
  if (!other_ca.ok()) return other_ca.status();
  absl::StatusOr<Issued> other_client =
      MakeLeaf("sbrgate untrusted test client", /*server=*/false, *other_ca);
  if (!other_client.ok()) return other_client.status();

  for (absl::Status s :
       {Save(*ca, pki.ca_cert, &pki.ca_key), Save(*server, pki.server_cert, &pki.server_key),
        Save(*client, pki.client_cert, &pki.client_key),
        Save(*other_ca, pki.untrusted_ca_cert, nullptr),
        Save(*other_client, pki.untrusted_client_cert, &pki.untrusted_client_key)}) {
    if (!s.ok()) return s;
  }
  return pki;
}

absl::StatusOr<DevPki> OpenOrMakeDevPki(const std::string& dir) {
  const DevPki pki = PathsIn(dir);
  for (const std::string* path :
       {&pki.ca_cert, &pki.ca_key, &pki.server_cert, &pki.server_key, &pki.client_cert,
        &pki.client_key, &pki.untrusted_ca_cert, &pki.untrusted_client_cert,
        &pki.untrusted_client_key}) {
    struct stat st;
    if (::stat(path->c_str(), &st) != 0) return MakeDevPki(dir);
    // Written by a version that left them readable to others; keys must not
    // be (keys::CheckPrivateKeyFile).
    if ((st.st_mode & 077) != 0 && ::chmod(path->c_str(), 0600) != 0) {
      return absl::ErrnoToStatus(errno, "test PKI: cannot chmod 600 " + *path);
    }
  }
  return pki;
}

absl::StatusOr<ClientCert> IssueClientCert(const DevPki& pki, const std::string& dir,
                                           const std::string& name) {
  Issued ca;
  std::FILE* f = std::fopen(pki.ca_cert.c_str(), "r");
  if (f == nullptr) return absl::ErrnoToStatus(errno, "test PKI: cannot open " + pki.ca_cert);
  ca.cert.reset(PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  f = std::fopen(pki.ca_key.c_str(), "r");
  if (f == nullptr) return absl::ErrnoToStatus(errno, "test PKI: cannot open " + pki.ca_key);
  ca.key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  if (ca.cert == nullptr || ca.key == nullptr) return OpensslError("reading the CA");
  absl::StatusOr<Issued> client = MakeLeaf(name, /*server=*/false, ca);
  if (!client.ok()) return client.status();
  ClientCert out{absl::StrCat(dir, "/", name, ".pem"), absl::StrCat(dir, "/", name, ".key")};
  if (absl::Status s = Save(*client, out.cert, &out.key); !s.ok()) return s;
  return out;
}

}  // namespace sbrgate::pki

#include "pipeline/sbr/wssec/test_support.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "pipeline/platform/common/byte_stream.h"

namespace sbrgate::wssec::testing {
namespace {

absl::Status OpenSslFailure(absl::string_view what) {
  return absl::InternalError(absl::StrCat("OpenSSL: ", what));
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return OpenSslFailure(absl::StrCat("extension ", value));
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return absl::OkStatus();
}

absl::Status WritePem(const Issued& issued) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, issued.cert.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  absl::Status s = WriteFileDurably(issued.cert_path, absl::string_view(data, len));
  BIO_free(bio);
  if (!s.ok()) return s;
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, issued.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  len = BIO_get_mem_data(bio, &data);
  s = WriteFileDurably(issued.key_path, absl::string_view(data, len));
  BIO_free(bio);
  return s;
}

// Makes a certificate for `common_name`, signed by `ca` or self-signed.
absl::StatusOr<Issued> Make(const Issued* ca, const std::string& dir, const std::string& name,
                            const std::string& common_name, absl::Time not_before,
                            absl::Time not_after) {
  static int serial = 1;
  Issued out;
  out.cert_path = absl::StrCat(dir, "/", name, ".pem");
  out.key_path = absl::StrCat(dir, "/", name, ".key");
  out.key.reset(EVP_RSA_gen(2048), EVP_PKEY_free);
  if (out.key == nullptr) return OpenSslFailure("RSA key generation");
  out.cert.reset(X509_new(), X509_free);
  X509* cert = out.cert.get();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(not_before));
  ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(not_after));
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("sbrgate tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* issuer = ca != nullptr ? ca->cert.get() : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(issuer));
  const bool is_ca = ca == nullptr;
  for (auto [nid, value] :
       {std::pair<int, const char*>{NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "CA:FALSE"},
        {NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"},
        {NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExtension(cert, issuer, nid, value); !s.ok()) return s;
  }
  EVP_PKEY* signer = ca != nullptr ? ca->key.get() : out.key.get();
  if (X509_sign(cert, signer, EVP_sha256()) == 0) return OpenSslFailure("X509_sign");
  if (absl::Status s = WritePem(out); !s.ok()) return s;
  return out;
}

}  // namespace

absl::StatusOr<Issued> MakeCa(const std::string& dir, const std::string& name,
                              absl::Time not_before, absl::Time not_after) {
  return Make(nullptr, dir, name, absl::StrCat(name, " test CA"), not_before, not_after);
}

absl::StatusOr<Issued> Issue(const Issued& ca, const std::string& dir, const std::string& name,
                             const std::string& common_name, absl::Time not_before,
                             absl::Time not_after) {
  return Make(&ca, dir, name, common_name, not_before, not_after);
}

absl::StatusOr<TestPki> MakeTestPki(const std::string& dir) {
  const absl::Time now = absl::Now();
  const absl::Time start = now - absl::Hours(48);
  TestPki pki;
  absl::StatusOr<Issued> made = MakeCa(dir, "ca", start, now + absl::Hours(24 * 365));
  if (!made.ok()) return made.status();
  pki.ca = *made;
  made = Issue(pki.ca, dir, "dsp", "sbrgate DSP test", start, now + absl::Hours(24 * 30));
  if (!made.ok()) return made.status();
  pki.dsp = *made;
  made = Issue(pki.ca, dir, "expired", "sbrgate DSP expired", start, now - absl::Hours(1));
  if (!made.ok()) return made.status();
  pki.expired_dsp = *made;
  made = MakeCa(dir, "rogue-ca", start, now + absl::Hours(24 * 365));
  if (!made.ok()) return made.status();
  pki.rogue_ca = *made;
  made = Issue(pki.rogue_ca, dir, "rogue", "sbrgate DSP test", start, now + absl::Hours(24 * 30));
  if (!made.ok()) return made.status();
  pki.rogue_dsp = *made;
  return pki;
}

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

std::string EnvelopeXml(bool with_ids) {
  std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<S12:Envelope xmlns:S12="http://www.w3.org/2003/05/soap-envelope"
    xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
  <S12:Header>
    <eb:Messaging S12:mustUnderstand="true" wsu:Id="messaging">
      <eb:UserMessage>
        <eb:MessageInfo>
          <eb:Timestamp>2024-07-01T02:03:04Z</eb:Timestamp>
          <eb:MessageId>7f1c9a2e-5b3d-4c1a-9e8f-0a1b2c3d4e5f@sbrgate.test</eb:MessageId>
        </eb:MessageInfo>
        <eb:PartyInfo>
          <eb:From>
            <eb:PartyId type="http://abr.gov.au/PartyIdType/ABN">51824753556</eb:PartyId>
            <eb:Role>http://sbr.gov.au/ato/Role/Business</eb:Role>
          </eb:From>
          <eb:To>
            <eb:PartyId type="http://abr.gov.au/PartyIdType/ABN">51824753556</eb:PartyId>
            <eb:Role>http://sbr.gov.au/agency</eb:Role>
          </eb:To>
        </eb:PartyInfo>
        <eb:CollaborationInfo>
          <eb:Service>http://sbr.gov.au/ato/payevnt/2020</eb:Service>
          <eb:Action>Submit.004.00</eb:Action>
          <eb:ConversationId>3e0f8a44-1d2b-4c6e-8f00-112233445566</eb:ConversationId>
        </eb:CollaborationInfo>
        <eb:MessageProperties>
          <eb:Property name="ProductID">SBRGATE-TEST</eb:Property>
        </eb:MessageProperties>
        <eb:PayloadInfo>
          <eb:PartInfo href="cid:payload-1@sbrgate.test">
            <eb:PartProperties>
              <eb:Property name="CompressionType">application/gzip</eb:Property>
              <eb:Property name="MimeType">text/xml</eb:Property>
              <eb:Property name="DocumentName">PAYEVNT</eb:Property>
              <eb:Property name="DocumentType">PARENT</eb:Property>
            </eb:PartProperties>
          </eb:PartInfo>
        </eb:PayloadInfo>
      </eb:UserMessage>
    </eb:Messaging>
  </S12:Header>
  <S12:Body wsu:Id="body"/>
</S12:Envelope>
)";
  if (!with_ids) {
    absl::StrReplaceAll({{R"( wsu:Id="messaging")", ""}, {R"( wsu:Id="body")", ""}}, &xml);
  }
  return xml;
}

absl::Status WriteRandomFile(const std::string& path, uint64_t size) {
  absl::StatusOr<std::unique_ptr<FileSink>> sink = FileSink::Create(path);
  if (!sink.ok()) return sink.status();
  std::mt19937_64 rng(20240701);
  std::string chunk(1 << 20, '\0');
  for (uint64_t done = 0; done < size;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.size(), size - done));
    for (size_t i = 0; i < n; i += 8) {
      const uint64_t r = rng();
      std::memcpy(&chunk[i], &r, std::min<size_t>(8, n - i));
    }
    if (absl::Status s = (*sink)->Write(absl::string_view(chunk.data(), n)); !s.ok()) return s;
    done += n;
  }
  return (*sink)->Close();
}

absl::StatusOr<size_t> CountingSource::Read(char* buf, size_t n) {
  ++stats_->calls;
  stats_->largest_request = std::max(stats_->largest_request, n);
  absl::StatusOr<size_t> got = inner_->Read(buf, n);
  if (got.ok()) stats_->bytes += *got;
  return got;
}

AttachmentRef FileAttachment(const std::string& content_id, const std::string& path,
                             std::shared_ptr<ReadStats> stats) {
  return {content_id, [path, stats]() -> absl::StatusOr<std::unique_ptr<ByteSource>> {
            absl::StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path);
            if (!file.ok()) return file.status();
            if (stats == nullptr) return std::unique_ptr<ByteSource>(std::move(*file));
            return std::unique_ptr<ByteSource>(new CountingSource(std::move(*file), stats));
          }};
}

std::string Serialize(xmlDoc* doc) {
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc, &mem, &size);
  std::string out(reinterpret_cast<char*>(mem), static_cast<size_t>(size));
  xmlFree(mem);
  return out;
}

}  // namespace sbrgate::wssec::testing

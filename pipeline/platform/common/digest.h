// SHA-256 and base64 on OpenSSL, for what sbrgate must prove it sent or
// received: XML-DSig reference digests over the attachment, the
// NonRepudiationInformation of an ebMS receipt, and integrity checks of
// spooled files. DigestingSink/DigestingSource hash the bytes that stream
// through them, so a multi-gigabyte attachment is hashed while it is written
// or sent rather than in a second pass.
//
//   std::string hex = Sha256Hex("abc");              // 64 lowercase hex digits
//   std::string b64 = Base64Encode(Sha256Digest(canonical_xml));  // DigestValue
//   absl::StatusOr<std::string> raw = Base64Decode(digest_value_text);
//
//   DigestingSink hashed(file_sink);                 // borrows file_sink
//   if (auto n = Pump(source, hashed); !n.ok()) return n.status();
//   std::string attachment_digest = hashed.digest(); // 32 raw bytes
//
// Ownership, as for GzipSink: a wrapper constructed from a std::unique_ptr owns
// the wrapped stream (and DigestingSink::Close() closes it); one constructed
// from a reference borrows it (and Close() leaves it open).
#ifndef SBRGATE_PIPELINE_COMMON_DIGEST_H_
#define SBRGATE_PIPELINE_COMMON_DIGEST_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pipeline/platform/common/byte_stream.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace sbrgate {

// Incremental SHA-256. Digest()/Hex() may be called at any point and report
// the hash of everything passed to Update() so far; hashing can continue.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view bytes);
  std::string Digest() const;  // 32 raw bytes
  std::string Hex() const;     // 64 lowercase hex digits

 private:
  EVP_MD_CTX* ctx_;
};

std::string Sha256Digest(absl::string_view data);  // 32 raw bytes
std::string Sha256Hex(absl::string_view data);     // 64 lowercase hex digits
// Reads `source` to its end and returns the hex SHA-256 of what it gave.
absl::StatusOr<std::string> Sha256HexOfStream(ByteSource& source);

// Standard base64 (RFC 4648 section 4, with padding, no line breaks).
std::string Base64Encode(absl::string_view data);
// Decodes standard base64 with padding. Whitespace anywhere (XML-DSig values
// are often wrapped at 76 columns) is ignored; anything else that is not
// base64 is InvalidArgument naming the offending position.
absl::StatusOr<std::string> Base64Decode(absl::string_view text);

// Passes writes through to another sink, hashing them on the way.
class DigestingSink : public ByteSink {
 public:
  explicit DigestingSink(std::unique_ptr<ByteSink> out);
  explicit DigestingSink(ByteSink& out);

  absl::Status Write(absl::string_view bytes) override;
  // Closes the downstream sink if owned.
  absl::Status Close() override;

  std::string digest() const { return sha_.Digest(); }  // of the bytes written so far
  std::string hex() const { return sha_.Hex(); }
  uint64_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<ByteSink> owned_;
  ByteSink* out_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

// Passes reads through from another source, hashing what it returns.
class DigestingSource : public ByteSource {
 public:
  explicit DigestingSource(std::unique_ptr<ByteSource> in);
  explicit DigestingSource(ByteSource& in);

  absl::StatusOr<size_t> Read(char* buf, size_t n) override;

  std::string digest() const { return sha_.Digest(); }  // of the bytes read so far
  std::string hex() const { return sha_.Hex(); }
  uint64_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<ByteSource> owned_;
  ByteSource* in_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace sbrgate

#endif  // SBRGATE_PIPELINE_COMMON_DIGEST_H_

#include "pipeline/platform/common/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sbrgate {
namespace {

// SHA-256 through EVP fails only when OpenSSL cannot allocate memory; there is
// no useful way to go on, and callers should not have to check every Update.
void CheckEvp(int ok, const char* what) {
  if (ok != 1) {
    std::fprintf(stderr, "sbrgate: OpenSSL %s failed for SHA-256\n", what);
    std::abort();
  }
}

bool IsBase64Whitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsBase64Alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  CheckEvp(ctx_ != nullptr, "EVP_MD_CTX_new");
  CheckEvp(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr), "EVP_DigestInit_ex");
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::Update(absl::string_view bytes) {
  CheckEvp(EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()), "EVP_DigestUpdate");
}

std::string Sha256::Digest() const {
  // Finalises a copy so that hashing can go on.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  CheckEvp(copy != nullptr, "EVP_MD_CTX_new");
  CheckEvp(EVP_MD_CTX_copy_ex(copy, ctx_), "EVP_MD_CTX_copy_ex");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  CheckEvp(EVP_DigestFinal_ex(copy, md, &len), "EVP_DigestFinal_ex");
  EVP_MD_CTX_free(copy);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha256::Hex() const { return absl::BytesToHexString(Digest()); }

std::string Sha256Digest(absl::string_view data) {
  Sha256 sha;
  sha.Update(data);
  return sha.Digest();
}

std::string Sha256Hex(absl::string_view data) { return absl::BytesToHexString(Sha256Digest(data)); }

absl::StatusOr<std::string> Sha256HexOfStream(ByteSource& source) {
  DigestingSource hashed(source);
  constexpr size_t kBufferBytes = 64 << 10;
  std::unique_ptr<char[]> buf(new char[kBufferBytes]);  // not zero-filled: Read fills it
  for (;;) {
    absl::StatusOr<size_t> n = hashed.Read(buf.get(), kBufferBytes);
    if (!n.ok()) return n.status();
    if (*n == 0) return hashed.hex();
  }
}

std::string Base64Encode(absl::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  // EVP_EncodeBlock takes an int length; whole groups of 3 keep chunks
  // joinable without padding in the middle.
  constexpr size_t kChunk = 3 << 20;
  std::string block;
  while (!data.empty()) {
    const size_t take = std::min(data.size(), kChunk);
    block.resize((take + 2) / 3 * 4 + 1);
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(block.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()),
                                  static_cast<int>(take));
    out.append(block.data(), n);
    data.remove_prefix(take);
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(absl::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsBase64Whitespace(c)) continue;
    if (c == '=') {
      ++padding;
    } else if (!IsBase64Alphabet(c) || padding > 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "base64: ",
          padding > 0 && IsBase64Alphabet(c) ? "data after '=' padding" : "invalid character",
          " at offset ", i));
    }
    clean.push_back(c);
  }
  if (clean.size() % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "base64: ", clean.size(), " characters (without whitespace) is not a multiple of 4"));
  }
  if (padding > 2)
    return absl::InvalidArgumentError("base64: more than two '=' padding characters");
  if (clean.size() > INT_MAX) return absl::InvalidArgumentError("base64: input too large");
  std::string out(clean.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) return absl::InvalidArgumentError("base64: cannot decode");
  // EVP_DecodeBlock counts the zero bytes that the padding stands for.
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

DigestingSink::DigestingSink(std::unique_ptr<ByteSink> out) : DigestingSink(*out) {
  owned_ = std::move(out);
}

DigestingSink::DigestingSink(ByteSink& out) : out_(&out) {}

absl::Status DigestingSink::Write(absl::string_view bytes) {
  if (absl::Status s = out_->Write(bytes); !s.ok()) return s;
  sha_.Update(bytes);
  bytes_ += bytes.size();
  return absl::OkStatus();
}

absl::Status DigestingSink::Close() {
  if (owned_ != nullptr) return owned_->Close();
  return absl::OkStatus();
}

DigestingSource::DigestingSource(std::unique_ptr<ByteSource> in) : DigestingSource(*in) {
  owned_ = std::move(in);
}

DigestingSource::DigestingSource(ByteSource& in) : in_(&in) {}

absl::StatusOr<size_t> DigestingSource::Read(char* buf, size_t n) {
  absl::StatusOr<size_t> got = in_->Read(buf, n);
  if (got.ok()) {
    sha_.Update(absl::string_view(buf, *got));
    bytes_ += *got;
  }
  return got;
}

}  // namespace sbrgate

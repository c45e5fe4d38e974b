#include "pipeline/platform/mime/multipart.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sbrgate::mime {
namespace {

constexpr absl::string_view kCrlf = "\r\n";
// Whitespace allowed between a boundary and the CRLF that ends its line.
constexpr size_t kMaxTransportPadding = 1024;

bool IsTSpecial(char c) { return std::strchr("()<>@,;:\\\"/[]?=", c) != nullptr; }

bool IsTokenChar(char c) {
  return static_cast<unsigned char>(c) > 32 && static_cast<unsigned char>(c) < 127 &&
         !IsTSpecial(c);
}

// RFC 2046 bchars; a space may not end the boundary.
absl::Status ValidateBoundary(absl::string_view b) {
  if (b.empty() || b.size() > 70) {
    return absl::InvalidArgumentError(
        absl::StrCat("multipart: boundary must have 1 to 70 characters, has ", b.size()));
  }
  for (char c : b) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        std::strchr("'()+_,-./:=? ", c) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("multipart: character 0x",
                                                     absl::Hex(static_cast<unsigned char>(c)),
                                                     " is not allowed in a boundary"));
    }
  }
  if (b.back() == ' ') return absl::InvalidArgumentError("multipart: boundary ends with a space");
  return absl::OkStatus();
}

absl::Status ValidateContentId(absl::string_view what, absl::string_view id) {
  if (id.empty())
    return absl::InvalidArgumentError(absl::StrCat("multipart: ", what, " has no Content-ID"));
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127 || c == '<' || c == '>' || c == '"') {
      return absl::InvalidArgumentError(
          absl::StrCat("multipart: ", what, " Content-ID \"", absl::CHexEscape(id),
                       "\" has a character (0x", absl::Hex(u), ") not allowed in a Content-ID"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateHeaderValue(absl::string_view what, absl::string_view value) {
  if (value.empty())
    return absl::InvalidArgumentError(absl::StrCat("multipart: ", what, " is empty"));
  if (value.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("multipart: ", what, " contains a line break"));
  }
  return absl::OkStatus();
}

// Unpredictable enough that no part's content holds it by chance; not a
// secret, so abseil's generator (seeded once from the OS) serves, without
// opening /dev/urandom for every message as std::random_device does.
std::string RandomBoundary() {
  absl::BitGen gen;
  std::string b = "MIME_boundary_";
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&b, absl::Hex(absl::Uniform<uint32_t>(gen), absl::kZeroPad8));
  }
  return b;
}

std::string PartHeaderBlock(absl::string_view content_type, absl::string_view content_id) {
  return absl::StrCat("Content-Type: ", content_type, "\r\nContent-Transfer-Encoding: binary\r\n",
                      "Content-ID: <", content_id, ">\r\n\r\n");
}

}  // namespace

std::string MediaType::Param(absl::string_view name) const {
  auto it = params.find(absl::AsciiStrToLower(name));
  return it == params.end() ? "" : it->second;
}

absl::StatusOr<MediaType> ParseMediaType(absl::string_view v) {
  auto error = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("Content-Type \"", absl::CHexEscape(v), "\": ", what));
  };
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
  };
  auto token = [&] {
    const size_t start = i;
    while (i < v.size() && IsTokenChar(v[i])) ++i;
    return v.substr(start, i - start);
  };
  MediaType mt;
  skip_ws();
  const absl::string_view type = token();
  if (type.empty() || i >= v.size() || v[i] != '/') return error("expected type/subtype");
  ++i;
  const absl::string_view subtype = token();
  if (subtype.empty()) return error("expected a subtype after '/'");
  mt.type = absl::AsciiStrToLower(absl::StrCat(type, "/", subtype));
  for (;;) {
    skip_ws();
    if (i == v.size()) break;
    if (v[i] != ';') return error(absl::StrCat("unexpected character at offset ", i));
    ++i;
    skip_ws();
    if (i == v.size()) break;  // a trailing ';' is common and harmless
    const absl::string_view name = token();
    if (name.empty()) return error(absl::StrCat("expected a parameter name at offset ", i));
    skip_ws();
    if (i >= v.size() || v[i] != '=') {
      return error(absl::StrCat("expected '=' after parameter ", name));
    }
    ++i;
    skip_ws();
    std::string value;
    if (i < v.size() && v[i] == '"') {
      ++i;
      bool closed = false;
      while (i < v.size()) {
        const char c = v[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < v.size()) {
          value.push_back(v[i++]);
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return error(absl::StrCat("unterminated quoted value of parameter ", name));
    } else {
      // Senders often leave values with tspecials unquoted
      // (type=application/soap+xml, start=<a@b>); take up to ';' or space.
      const size_t start = i;
      while (i < v.size() && v[i] != ';' && v[i] != '"' && static_cast<unsigned char>(v[i]) > 32 &&
             static_cast<unsigned char>(v[i]) < 127) {
        ++i;
      }
      value = std::string(v.substr(start, i - start));
      if (value.empty()) return error(absl::StrCat("parameter ", name, " has no value"));
    }
    mt.params[absl::AsciiStrToLower(name)] = std::move(value);
  }
  return mt;
}

std::string StripAngleBrackets(absl::string_view id) {
  id = absl::StripAsciiWhitespace(id);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') {
    id = absl::StripAsciiWhitespace(id.substr(1, id.size() - 2));
  }
  return std::string(id);
}

// ---------------------------------------------------------------- sending

absl::StatusOr<Attachment> Attachment::FromFile(std::string content_id, std::string content_type,
                                                const std::string& path) {
  absl::StatusOr<std::unique_ptr<FileSource>> file = FileSource::Open(path);
  if (!file.ok()) return file.status();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return absl::ErrnoToStatus(errno, "cannot stat " + path);
  Attachment a;
  a.content_id = std::move(content_id);
  a.content_type = std::move(content_type);
  a.body = *std::move(file);
  a.size = static_cast<uint64_t>(st.st_size);
  return a;
}

MultipartSource::MultipartSource(SoapPart root, std::vector<Attachment> attachments,
                                 MultipartOptions options)
    : root_content_id_(StripAngleBrackets(root.content_id)),
      boundary_(options.boundary.empty() ? RandomBoundary() : std::move(options.boundary)),
      attachments_(std::move(attachments)) {
  status_ = ValidateBoundary(boundary_);
  if (status_.ok()) status_ = ValidateContentId("SOAP part", root_content_id_);
  std::set<std::string> ids = {root_content_id_};
  for (size_t i = 0; i < attachments_.size() && status_.ok(); ++i) {
    Attachment& a = attachments_[i];
    a.content_id = StripAngleBrackets(a.content_id);
    const std::string what = absl::StrCat("attachment ", i + 1);
    status_ = ValidateContentId(what, a.content_id);
    if (status_.ok()) status_ = ValidateHeaderValue(what + " Content-Type", a.content_type);
    if (status_.ok() && a.body == nullptr) {
      status_ = absl::InvalidArgumentError(absl::StrCat("multipart: ", what, " has no body"));
    }
    if (status_.ok() && !ids.insert(a.content_id).second) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("multipart: ", what, " repeats Content-ID ", a.content_id));
    }
  }
  if (status_.ok() &&
      root.envelope.find(absl::StrCat(kCrlf, "--", boundary_)) != std::string::npos) {
    status_ = absl::InvalidArgumentError(
        absl::StrCat("multipart: the SOAP envelope contains the boundary \"", boundary_, "\""));
  }
  if (!status_.ok()) return;

  segments_.push_back({absl::StrCat(
      "--", boundary_, kCrlf,
      PartHeaderBlock("application/soap+xml; charset=UTF-8", root_content_id_), root.envelope)});
  for (size_t i = 0; i < attachments_.size(); ++i) {
    segments_.push_back(
        {absl::StrCat(kCrlf, "--", boundary_, kCrlf,
                      PartHeaderBlock(attachments_[i].content_type, attachments_[i].content_id))});
    segments_.push_back({"", static_cast<int>(i)});
  }
  segments_.push_back({absl::StrCat(kCrlf, "--", boundary_, "--", kCrlf)});
}

std::string MultipartSource::content_type_header() const {
  return absl::StrCat("multipart/related; boundary=\"", boundary_,
                      "\"; type=\"application/soap+xml\"; start=\"<", root_content_id_, ">\"");
}

std::optional<uint64_t> MultipartSource::content_length() const {
  if (!status_.ok() && segments_.empty()) return std::nullopt;
  uint64_t total = 0;
  for (const Segment& s : segments_) {
    if (s.attachment < 0) {
      total += s.text.size();
    } else if (const auto& size = attachments_[s.attachment].size) {
      total += *size;
    } else {
      return std::nullopt;
    }
  }
  return total;
}

absl::Status MultipartSource::FinishAttachment(size_t index) {
  Attachment& a = attachments_[index];
  if (a.size && attachment_read_ != *a.size) {
    return absl::DataLossError(absl::StrCat("multipart: attachment ", a.content_id, " declared ",
                                            *a.size, " bytes but its body gave ",
                                            attachment_read_));
  }
  a.body.reset();  // releases the file early
  return absl::OkStatus();
}

absl::StatusOr<size_t> MultipartSource::Read(char* buf, size_t n) {
  if (!status_.ok()) return status_;
  size_t total = 0;
  while (total < n && segment_ < segments_.size()) {
    const Segment& seg = segments_[segment_];
    if (seg.attachment < 0) {
      const size_t take = std::min(n - total, seg.text.size() - offset_);
      std::memcpy(buf + total, seg.text.data() + offset_, take);
      total += take;
      offset_ += take;
      if (offset_ == seg.text.size()) {
        ++segment_;
        offset_ = 0;
      }
      continue;
    }
    Attachment& a = attachments_[seg.attachment];
    absl::StatusOr<size_t> got = a.body->Read(buf + total, n - total);
    if (!got.ok()) {
      status_ = got.status();
      return status_;
    }
    if (*got == 0) {
      if (status_ = FinishAttachment(seg.attachment); !status_.ok()) return status_;
      ++segment_;
      attachment_read_ = 0;
      continue;
    }
    attachment_read_ += *got;
    total += *got;
    if (a.size && attachment_read_ > *a.size) {
      status_ =
          absl::DataLossError(absl::StrCat("multipart: attachment ", a.content_id,
                                           " gave more than the declared ", *a.size, " bytes"));
      return status_;
    }
    // Hand over what we have rather than block on the next read.
    break;
  }
  return total;
}

// -------------------------------------------------------------- receiving

std::string PartHeaders::Get(absl::string_view name) const {
  for (const auto& [k, v] : all) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

namespace {

// Buffered reading of the body with look-ahead, so that a delimiter split
// across reads of any size is still found. The buffer is allocated, never
// zero-filled, and only grows: bytes consumed are moved out of the way.
// (A string resized for each read zero-filled a chunk, 64 KiB by default,
// many times a message.)
class Input {
 public:
  Input(ByteSource& src, size_t chunk) : src_(src), chunk_(std::max<size_t>(chunk, 1)) {
    // RFC 2046 makes the CRLF before a delimiter part of it; pretending the
    // body starts with one lets a first boundary at offset 0 match as well.
    Reserve(kCrlf.size() + chunk_);
    std::memcpy(buf_.get(), kCrlf.data(), kCrlf.size());
    end_ = kCrlf.size();
  }

  absl::string_view avail() const { return absl::string_view(buf_.get() + pos_, end_ - pos_); }
  bool eof() const { return eof_; }
  void Consume(size_t n) { pos_ += n; }

  // Reads once more from the source (fewer than `chunk` bytes at the end).
  absl::Status Fill() {
    if (eof_) return absl::OkStatus();
    if (pos_ > 0) {
      std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    Reserve(end_ + chunk_);
    absl::StatusOr<size_t> got = src_.Read(buf_.get() + end_, chunk_);
    if (!got.ok()) return got.status();
    if (*got == 0) eof_ = true;
    end_ += *got;
    return absl::OkStatus();
  }

  // Fills until `n` bytes are available or the body ends; says which.
  absl::StatusOr<bool> Ensure(size_t n) {
    while (avail().size() < n && !eof_) {
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    return avail().size() >= n;
  }

 private:
  // Makes room for `size` bytes, keeping [0, end_).
  void Reserve(size_t size) {
    if (size <= capacity_) return;
    capacity_ = std::max(size, 2 * capacity_);
    std::unique_ptr<char[]> bigger(new char[capacity_]);
    if (end_ > 0) std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
  }

  ByteSource& src_;
  const size_t chunk_;
  std::unique_ptr<char[]> buf_;  // bytes [pos_, end_) are read and not yet consumed
  size_t capacity_ = 0;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
};

using Consumer = std::function<absl::Status(absl::string_view)>;

// Passes everything before the next `delimiter` to `consume` and skips the
// delimiter itself.
absl::Status StreamUntil(Input& in, absl::string_view delimiter, const Consumer& consume,
                         absl::string_view missing_error) {
  for (;;) {
    const absl::string_view view = in.avail();
    const size_t at = view.find(delimiter);
    if (at != absl::string_view::npos) {
      if (absl::Status s = consume(view.substr(0, at)); !s.ok()) return s;
      in.Consume(at + delimiter.size());
      return absl::OkStatus();
    }
    // Everything but a possible start of the delimiter can go.
    const size_t keep = std::min(view.size(), delimiter.size() - 1);
    if (view.size() > keep) {
      const size_t give = view.size() - keep;
      if (absl::Status s = consume(view.substr(0, give)); !s.ok()) return s;
      in.Consume(give);
    }
    if (in.eof()) return absl::InvalidArgumentError(std::string(missing_error));
    if (absl::Status s = in.Fill(); !s.ok()) return s;
  }
}

// After a delimiter: "--" ends the body (true), padding then CRLF starts a
// part (false).
absl::StatusOr<bool> ReadDelimiterTail(Input& in, absl::string_view boundary) {
  absl::StatusOr<bool> have = in.Ensure(2);
  if (!have.ok()) return have.status();
  if (*have && absl::StartsWith(in.avail(), "--")) {
    in.Consume(2);
    return true;
  }
  for (size_t padding = 0;; ++padding) {
    have = in.Ensure(2);
    if (!have.ok()) return have.status();
    if (!*have) break;
    const absl::string_view v = in.avail();
    if (absl::StartsWith(v, kCrlf)) {
      in.Consume(2);
      return false;
    }
    if ((v[0] != ' ' && v[0] != '\t') || padding == kMaxTransportPadding) break;
    in.Consume(1);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("multipart: boundary \"--", boundary, "\" is not followed by CRLF or \"--\""));
}

absl::StatusOr<PartHeaders> ReadPartHeaders(Input& in, size_t index, size_t max_bytes) {
  PartHeaders h;
  h.index = index;
  absl::StatusOr<bool> have = in.Ensure(2);
  if (!have.ok()) return have.status();
  size_t end;
  if (*have && absl::StartsWith(in.avail(), kCrlf)) {
    end = 0;  // no headers at all
  } else {
    for (;;) {
      end = in.avail().find("\r\n\r\n");
      if (end != absl::string_view::npos) {
        end += 2;  // keep the CRLF of the last header line
        break;
      }
      if (in.avail().size() > max_bytes) {
        return absl::InvalidArgumentError(absl::StrCat("multipart: headers of part ", index + 1,
                                                       " exceed the limit of ", max_bytes,
                                                       " bytes"));
      }
      if (in.eof()) {
        return absl::InvalidArgumentError(
            absl::StrCat("multipart: body ends inside the headers of part ", index + 1));
      }
      if (absl::Status s = in.Fill(); !s.ok()) return s;
    }
  }
  if (end > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("multipart: headers of part ", index + 1,
                                                   " exceed the limit of ", max_bytes, " bytes"));
  }
  absl::string_view block = in.avail().substr(0, end);
  while (!block.empty()) {
    const size_t eol = block.find(kCrlf);
    const absl::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 2);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {  // folded continuation
      if (h.all.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("multipart: part ", index + 1, " headers start with a continuation line"));
      }
      absl::StrAppend(&h.all.back().second, " ", absl::StripAsciiWhitespace(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return absl::InvalidArgumentError(absl::StrCat("multipart: part ", index + 1,
                                                     " has a malformed header line \"",
                                                     absl::CHexEscape(line.substr(0, 80)), "\""));
    }
    h.all.emplace_back(std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
                       std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  in.Consume(end + 2);
  h.content_id = StripAngleBrackets(h.Get("Content-ID"));
  h.content_type = h.Get("Content-Type");
  return h;
}

absl::Status CheckTransferEncoding(const PartHeaders& h) {
  const std::string cte =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(h.Get("Content-Transfer-Encoding")));
  if (cte.empty() || cte == "binary" || cte == "8bit" || cte == "7bit") return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("multipart: part ", h.index + 1,
                                                 " has unsupported Content-Transfer-Encoding \"",
                                                 cte, "\" (only binary, 8bit, 7bit)"));
}

// Collects the root part in memory up to a limit.
Consumer BoundedAppend(std::string& out, size_t limit) {
  return [&out, limit](absl::string_view bytes) {
    if (out.size() + bytes.size() > limit) {
      return absl::InvalidArgumentError(
          absl::StrCat("multipart: SOAP root part exceeds the limit of ", limit, " bytes"));
    }
    out.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  };
}

bool IsPlainSoap(absl::string_view type) {
  return type == "application/soap+xml" || type == "text/xml";
}

}  // namespace

absl::StatusOr<MultipartMessage> MultipartReader::Read(
    absl::string_view content_type_header, ByteSource& body,
    const AttachmentSinkFactory& make_sink) const {
  absl::StatusOr<MediaType> mt = ParseMediaType(content_type_header);
  if (!mt.ok()) return mt.status();
  MultipartMessage msg;

  if (IsPlainSoap(mt->type)) {
    msg.root_headers.content_type = std::string(content_type_header);
    msg.root_headers.all.emplace_back("Content-Type", std::string(content_type_header));
    Input in(body, options_.read_chunk_bytes);
    in.Consume(2);  // the CRLF Input pretends comes first
    const Consumer append = BoundedAppend(msg.root, options_.max_root_bytes);
    for (;;) {
      if (absl::Status s = append(in.avail()); !s.ok()) return s;
      in.Consume(in.avail().size());
      if (in.eof()) return msg;
      if (absl::Status s = in.Fill(); !s.ok()) return s;
    }
  }

  if (mt->type != "multipart/related") {
    return absl::InvalidArgumentError(absl::StrCat(
        "multipart: Content-Type ", mt->type,
        " is neither multipart/related nor a SOAP type (application/soap+xml, text/xml)"));
  }
  const std::string boundary = mt->Param("boundary");
  if (boundary.empty()) {
    return absl::InvalidArgumentError("multipart: Content-Type has no boundary parameter");
  }
  if (absl::Status s = ValidateBoundary(boundary); !s.ok()) return s;
  const std::string start = StripAngleBrackets(mt->Param("start"));
  const std::string delimiter = absl::StrCat(kCrlf, "--", boundary);
  const std::string missing_close =
      absl::StrCat("multipart: body ends without the close delimiter \"--", boundary, "--\"");

  Input in(body, options_.read_chunk_bytes);
  const Consumer discard = [](absl::string_view) { return absl::OkStatus(); };
  if (absl::Status s =
          StreamUntil(in, delimiter, discard,
                      absl::StrCat("multipart: no boundary \"--", boundary, "\" in the body"));
      !s.ok()) {
    return s;
  }

  bool have_root = false;
  std::set<std::string> ids;
  for (size_t index = 0;; ++index) {
    absl::StatusOr<bool> closed = ReadDelimiterTail(in, boundary);
    if (!closed.ok()) return closed.status();
    if (*closed) break;
    if (index >= options_.max_parts) {
      return absl::InvalidArgumentError(
          absl::StrCat("multipart: more than the limit of ", options_.max_parts, " parts"));
    }
    absl::StatusOr<PartHeaders> headers = ReadPartHeaders(in, index, options_.max_header_bytes);
    if (!headers.ok()) return headers.status();
    if (absl::Status s = CheckTransferEncoding(*headers); !s.ok()) return s;
    if (!headers->content_id.empty() && !ids.insert(headers->content_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("multipart: part ", index + 1, " repeats Content-ID ", headers->content_id));
    }

    const bool is_root = !have_root && (start.empty() ? index == 0 : headers->content_id == start);
    if (is_root) {
      have_root = true;
      msg.root_headers = *std::move(headers);
      if (absl::Status s = StreamUntil(
              in, delimiter, BoundedAppend(msg.root, options_.max_root_bytes), missing_close);
          !s.ok()) {
        return s;
      }
      continue;
    }

    absl::StatusOr<std::unique_ptr<ByteSink>> sink = make_sink(*headers);
    if (!sink.ok()) return sink.status();
    if (*sink == nullptr) {
      return absl::InternalError(
          absl::StrCat("multipart: the sink factory returned no sink for part ", index + 1));
    }
    ReceivedAttachment att{*std::move(headers), 0};
    ByteSink& out = **sink;
    const Consumer write = [&out, &att](absl::string_view bytes) {
      if (bytes.empty()) return absl::OkStatus();
      att.size += bytes.size();
      return out.Write(bytes);
    };
    if (absl::Status s = StreamUntil(in, delimiter, write, missing_close); !s.ok()) return s;
    if (absl::Status s = out.Close(); !s.ok()) return s;
    msg.attachments.push_back(std::move(att));
  }

  if (!have_root) {
    return absl::InvalidArgumentError(start.empty()
                                          ? std::string("multipart: body has no parts")
                                          : absl::StrCat("multipart: no part has the Content-ID <",
                                                         start, "> named by the start parameter"));
  }
  // The epilogue carries nothing; read it so that the sender sees its whole
  // body consumed.
  for (;;) {
    in.Consume(in.avail().size());
    if (in.eof()) break;
    if (absl::Status s = in.Fill(); !s.ok()) return s;
  }
  return msg;
}

}  // namespace sbrgate::mime

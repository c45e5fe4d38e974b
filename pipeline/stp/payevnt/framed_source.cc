#include "pipeline/stp/payevnt/framed_source.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "pipeline/stp/payevnt/record.h"

namespace sbrgate::payevnt {
namespace {

// The wrapper put around a bare SBR sequence. Prefixed, so that it does not
// change the namespace of the unprefixed Record_Delimiter elements inside.
constexpr char kBarePrefix[] = "sbrgateLodgment";
// How far into the file the first element is looked for.
constexpr size_t kSniffLimit = 64 << 10;

// What the start of a file shows: not enough yet, a bare SBR sequence (its
// first element is a Record_Delimiter), or anything else, passed on as is.
enum class Sniff { kNeedMore, kBare, kAsIs };

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

// Skips a byte order mark, the XML declaration, comments and processing
// instructions; for a bare sequence sets where its first element starts.
Sniff SniffHead(absl::string_view head, bool eof, size_t* element_start) {
  const Sniff need_more = eof ? Sniff::kAsIs : Sniff::kNeedMore;
  size_t pos = absl::StartsWith(head, "\xEF\xBB\xBF") ? 3 : 0;
  for (;;) {
    while (pos < head.size() && absl::ascii_isspace(static_cast<unsigned char>(head[pos]))) ++pos;
    if (pos >= head.size()) return need_more;
    if (head[pos] != '<') return Sniff::kAsIs;
    const absl::string_view rest = head.substr(pos);
    if (rest.size() < 4) return need_more;
    if (absl::StartsWith(rest, "<?")) {  // XML declaration or processing instruction
      const size_t end = rest.find("?>");
      if (end == absl::string_view::npos) return need_more;
      pos += end + 2;
      continue;
    }
    if (absl::StartsWith(rest, "<!--")) {
      const size_t end = rest.find("-->", 4);
      if (end == absl::string_view::npos) return need_more;
      pos += end + 3;
      continue;
    }
    if (rest[1] == '!') return Sniff::kAsIs;  // DOCTYPE and the like: the XML reader refuses them
    size_t end = 1;
    while (end < rest.size() && IsNameChar(rest[end])) ++end;
    if (end == rest.size()) return need_more;
    if (rest.substr(1, end - 1) != kDelimiterName) return Sniff::kAsIs;
    *element_start = pos;
    return Sniff::kBare;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<FramedSource>> FramedSource::Create(
    std::unique_ptr<ByteSource> source) {
  std::unique_ptr<FramedSource> f(new FramedSource());
  f->source_ = std::move(source);
  std::string head;
  size_t element_start = 0;
  bool eof = false;
  for (;;) {
    const Sniff sniff = SniffHead(head, eof, &element_start);
    if (sniff == Sniff::kBare) {
      f->bare_ = true;
      f->head_ =
          absl::StrCat(absl::string_view(head).substr(0, element_start), "<", kBarePrefix, ":",
                       kWrapperName, " xmlns:", kBarePrefix, "=\"", kLodgmentNamespace, "\">",
                       absl::string_view(head).substr(element_start));
      f->tail_ = absl::StrCat("</", kBarePrefix, ":", kWrapperName, ">");
      break;
    }
    if (sniff == Sniff::kAsIs || head.size() >= kSniffLimit) {
      f->head_ = std::move(head);
      break;
    }
    char buf[4096];
    absl::StatusOr<size_t> n = f->source_->Read(buf, sizeof buf);
    if (!n.ok()) return n.status();
    if (*n == 0) {
      eof = true;
      f->source_done_ = true;
    }
    head.append(buf, *n);
  }
  return f;
}

absl::StatusOr<size_t> FramedSource::Read(char* buf, size_t n) {
  size_t got = 0;
  if (head_pos_ < head_.size()) {
    got = std::min(n, head_.size() - head_pos_);
    std::copy_n(head_.data() + head_pos_, got, buf);
    head_pos_ += got;
  } else if (!source_done_) {
    absl::StatusOr<size_t> r = source_->Read(buf, n);
    if (!r.ok()) return r.status();
    got = *r;
    if (got == 0) source_done_ = true;
  }
  if (got == 0 && source_done_ && tail_pos_ < tail_.size()) {
    got = std::min(n, tail_.size() - tail_pos_);
    std::copy_n(tail_.data() + tail_pos_, got, buf);
    tail_pos_ += got;
  }
  Scan(buf, got);
  return got;
}

std::string FramedSource::Locate(int line) const {
  const Seen* before = nullptr;  // last delimiter on an earlier line
  const Seen* first_on_line = nullptr;
  const Seen* last_on_line = nullptr;
  for (auto it = seen_.rbegin(); it != seen_.rend(); ++it) {
    if (it->line > line) continue;
    if (it->line == line) {
      if (last_on_line == nullptr) last_on_line = &*it;
      first_on_line = &*it;
      continue;
    }
    before = &*it;
    break;
  }
  if (last_on_line == nullptr) {
    return before == nullptr ? "" : absl::StrCat("DocumentID ", before->id);
  }
  if (first_on_line == last_on_line) return absl::StrCat("DocumentID ", last_on_line->id);
  // Several records share the line (a one-line file): name the range.
  return absl::StrCat("DocumentID ", (before != nullptr ? before : first_on_line)->id, " to ",
                      last_on_line->id, " (all on line ", line, ")");
}

void FramedSource::Scan(const char* p, size_t n) {
  if (carry_.empty()) return ScanBytes(p, n);
  std::string joined = std::move(carry_);
  carry_.clear();
  joined.append(p, n);
  ScanBytes(joined.data(), joined.size());
}

void FramedSource::ScanBytes(const char* p, size_t n) {
  const char* const end = p + n;
  while (p < end) {
    if (in_tag_) {
      const char* gt = static_cast<const char*>(std::memchr(p, '>', end - p));
      const char* stop = gt != nullptr ? gt : end;
      CountLines(p, stop - p);
      if (tag_.size() + (stop - p) > kMaxTag) {
        in_tag_ = false;  // not a delimiter worth noting
      } else {
        tag_.append(p, stop - p);
      }
      if (gt == nullptr) return;
      p = gt + 1;
      if (in_tag_) {
        in_tag_ = false;
        RecordTag();
      }
      continue;
    }
    const char* tag = static_cast<const char*>(
        memmem(p, end - p, kTagStart.data(), kTagStart.size()));
    if (tag == nullptr || tag + kTagStart.size() == end) {
      // Perhaps a delimiter's tag cut by the end of the chunk.
      const char* last = tag;
      if (last == nullptr) {
        const size_t tail = std::min<size_t>(end - p, kTagStart.size() - 1);
        last = static_cast<const char*>(memrchr(end - tail, '<', tail));
      }
      if (last != nullptr &&
          kTagStart.substr(0, end - last) == absl::string_view(last, end - last)) {
        CountLines(p, last - p);
        carry_.assign(last, end - last);
        return;
      }
      return CountLines(p, end - p);
    }
    CountLines(p, tag - p);
    const char after = tag[kTagStart.size()];
    p = tag + kTagStart.size();
    if (absl::ascii_isspace(static_cast<unsigned char>(after)) || after == '/') {
      tag_line_ = line_;
      in_tag_ = true;
      tag_.clear();
      CountLines(p, 1);
      ++p;
    }
  }
}

void FramedSource::CountLines(const char* p, size_t n) {
  if (n == 0) return;
  if (std::memchr(p, '\r', n) == nullptr) {
    const char* const end = p + n;
    for (const char* at = p; (at = static_cast<const char*>(std::memchr(at, '\n', end - at)));
         ++at) {
      ++line_;
    }
    if (after_cr_ && p[0] == '\n') --line_;  // the LF of a CR LF
    after_cr_ = false;
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == '\n') {
      if (!after_cr_) ++line_;
    } else if (c == '\r') {
      ++line_;
    }
    after_cr_ = c == '\r';
  }
}

void FramedSource::RecordTag() {
  for (size_t at = tag_.find("DocumentID"); at != std::string::npos;
       at = tag_.find("DocumentID", at + 1)) {
    // Not the tail of RelatedDocumentID (tag_ starts after the whitespace).
    if (at > 0 && !absl::ascii_isspace(static_cast<unsigned char>(tag_[at - 1]))) continue;
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(
        absl::string_view(tag_).substr(at + strlen("DocumentID")));
    if (!absl::ConsumePrefix(&rest, "=")) continue;
    rest = absl::StripLeadingAsciiWhitespace(rest);
    if (rest.empty() || (rest[0] != '"' && rest[0] != '\'')) continue;
    const size_t close = rest.find(rest[0], 1);
    if (close == absl::string_view::npos) continue;
    seen_.push_back({tag_line_, std::string(rest.substr(1, close - 1))});
    if (seen_.size() > kMaxSeen) seen_.pop_front();
    return;
  }
}

}  // namespace sbrgate::payevnt

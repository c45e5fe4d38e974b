#include "pipeline/platform/mime/multipart.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>

#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"
#include "pipeline/platform/common/testing/test_streams.h"

namespace sbrgate::mime {
namespace {

using ::sbrgate::testing::ChunkedSource;
using ::sbrgate::testing::CountingSink;
using ::sbrgate::testing::PeakRssBytes;
using ::sbrgate::testing::PseudoRandomBytes;
using ::sbrgate::testing::PseudoRandomSource;

constexpr char kEnvelope[] =
    "<S12:Envelope "
    "xmlns:S12=\"http://www.w3.org/2003/05/soap-envelope\"><S12:Body/></S12:Envelope>";

Attachment StringAttachment(std::string cid, std::string data, bool sized = true) {
  Attachment a;
  a.content_id = std::move(cid);
  a.content_type = "application/gzip";
  if (sized) a.size = data.size();
  a.body = std::make_unique<StringSource>(std::move(data));
  return a;
}

// Keeps every attachment in memory, keyed by Content-ID (small tests only).
struct Collected {
  std::map<std::string, std::string> data;
  std::map<std::string, bool> closed;

  AttachmentSinkFactory Factory() {
    return [this](const PartHeaders& h) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
      class Sink : public ByteSink {
       public:
        Sink(std::string& out, bool& closed) : out_(out), closed_(closed) {}
        absl::Status Write(absl::string_view b) override {
          out_.append(b.data(), b.size());
          return absl::OkStatus();
        }
        absl::Status Close() override {
          closed_ = true;
          return absl::OkStatus();
        }

       private:
        std::string& out_;
        bool& closed_;
      };
      return std::make_unique<Sink>(data[h.content_id], closed[h.content_id]);
    };
  }
};

absl::StatusOr<MultipartMessage> Parse(const std::string& content_type, const std::string& body,
                                       Collected& got, size_t chunk = 1 << 20,
                                       MultipartReaderOptions options = {}) {
  StringSource src(body);
  ChunkedSource chunked(src, chunk);
  return MultipartReader(options).Read(content_type, chunked, got.Factory());
}

std::string Drain(ByteSource& src) {
  StringSink out;
  EXPECT_TRUE(Pump(src, out).ok());
  return out.data();
}

// Runs first in this binary, so the peak RSS it measures is its own.
TEST(MultipartStreamingTest, FiftyMiBRoundTripInSmallMemory) {
  constexpr uint64_t kSize = 50 << 20;
  const uint64_t peak_before = PeakRssBytes();

  std::vector<Attachment> atts;
  Attachment a;
  a.content_id = "payload@sbrgate";
  a.content_type = "application/gzip";
  a.body = std::make_unique<PseudoRandomSource>(kSize, 42);
  a.size = kSize;
  atts.push_back(std::move(a));
  MultipartSource body(SoapPart{"<soap@sbrgate>", kEnvelope}, std::move(atts));
  ASSERT_TRUE(body.content_length().has_value());
  DigestingSource counted_body(body);
  ChunkedSource odd(counted_body, 65521);

  std::string attachment_hex;
  uint64_t attachment_bytes = 0;
  auto msg = MultipartReader().Read(
      body.content_type_header(), odd,
      [&](const PartHeaders&) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
        class HexOnClose : public ByteSink {
         public:
          HexOnClose(std::string& hex, uint64_t& n) : hashed_(counted_), hex_(hex), n_(n) {}
          absl::Status Write(absl::string_view b) override { return hashed_.Write(b); }
          absl::Status Close() override {
            hex_ = hashed_.hex();
            n_ = hashed_.bytes();
            return absl::OkStatus();
          }

         private:
          CountingSink counted_;
          DigestingSink hashed_;
          std::string& hex_;
          uint64_t& n_;
        };
        return std::make_unique<HexOnClose>(attachment_hex, attachment_bytes);
      });
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->root, kEnvelope);
  ASSERT_EQ(msg->attachments.size(), 1u);
  EXPECT_EQ(msg->attachments[0].size, kSize);
  EXPECT_EQ(attachment_bytes, kSize);
  PseudoRandomSource expected(kSize, 42);
  EXPECT_EQ(attachment_hex, *Sha256HexOfStream(expected));
  EXPECT_EQ(counted_body.bytes(), *body.content_length());

  const uint64_t growth = PeakRssBytes() - peak_before;
  EXPECT_LT(growth, uint64_t{8} << 20) << "peak RSS grew by " << growth << " bytes";
}

TEST(MultipartSourceTest, ProducesTheExpectedBytes) {
  std::vector<Attachment> atts;
  atts.push_back(StringAttachment("<att-1@x>", "GZDATA"));
  MultipartSource src(SoapPart{"root@x", "<env/>"}, std::move(atts), MultipartOptions{"b0undary"});
  EXPECT_EQ(src.content_type_header(),
            "multipart/related; boundary=\"b0undary\"; type=\"application/soap+xml\"; "
            "start=\"<root@x>\"");
  const std::string expected =
      "--b0undary\r\n"
      "Content-Type: application/soap+xml; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: binary\r\n"
      "Content-ID: <root@x>\r\n"
      "\r\n"
      "<env/>\r\n"
      "--b0undary\r\n"
      "Content-Type: application/gzip\r\n"
      "Content-Transfer-Encoding: binary\r\n"
      "Content-ID: <att-1@x>\r\n"
      "\r\n"
      "GZDATA\r\n"
      "--b0undary--\r\n";
  ASSERT_TRUE(src.content_length().has_value());
  EXPECT_EQ(*src.content_length(), expected.size());
  EXPECT_EQ(Drain(src), expected);
}

TEST(MultipartSourceTest, RandomBoundariesDiffer) {
  MultipartSource a(SoapPart{"r@x", "<e/>"}, {});
  MultipartSource b(SoapPart{"r@x", "<e/>"}, {});
  EXPECT_NE(a.boundary(), b.boundary());
  EXPECT_GE(a.boundary().size(), 32u);
  EXPECT_LE(a.boundary().size(), 70u);
}

TEST(MultipartSourceTest, UnknownSizeMeansUnknownLength) {
  std::vector<Attachment> atts;
  atts.push_back(StringAttachment("a@x", "data", /*sized=*/false));
  MultipartSource src(SoapPart{"r@x", "<e/>"}, std::move(atts));
  EXPECT_FALSE(src.content_length().has_value());
  EXPECT_NE(Drain(src).find("data"), std::string::npos);
}

TEST(MultipartSourceTest, DeclaredSizeMismatchIsDataLoss) {
  for (uint64_t declared : {3u, 5u}) {
    std::vector<Attachment> atts;
    Attachment a = StringAttachment("a@x", "data");
    a.size = declared;
    atts.push_back(std::move(a));
    MultipartSource src(SoapPart{"r@x", "<e/>"}, std::move(atts));
    StringSink out;
    auto n = Pump(src, out);
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss) << n.status();
  }
}

TEST(MultipartSourceTest, BadPartsFailTheFirstRead) {
  struct Case {
    std::string root_id, att_id, att_type, boundary;
  };
  const Case cases[] = {
      {"r@x\r\nX-Evil: 1", "a@x", "application/gzip", ""},
      {"r@x", "a b@x", "application/gzip", ""},
      {"r@x", "r@x", "application/gzip", ""},  // repeated Content-ID
      {"r@x", "a@x", "text/xml\r\nX: y", ""},
      {"r@x", "a@x", "", ""},
      {"", "a@x", "application/gzip", ""},
      {"r@x", "a@x", "application/gzip", std::string(71, 'b')},
      {"r@x", "a@x", "application/gzip", "bad\"boundary"},
      {"r@x", "a@x", "application/gzip", "e/>"},  // "\r\n--e/>" is in the envelope below
  };
  for (const Case& c : cases) {
    std::vector<Attachment> atts;
    Attachment a = StringAttachment(c.att_id, "d");
    a.content_type = c.att_type;
    atts.push_back(std::move(a));
    MultipartSource src(SoapPart{c.root_id, "<e>\r\n--e/>"}, std::move(atts),
                        MultipartOptions{c.boundary});
    char buf[64];
    auto n = src.Read(buf, sizeof buf);
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument)
        << c.root_id << " / " << c.att_id << " / " << c.att_type << " / " << c.boundary;
  }
}

TEST(MultipartWriterTest, WriteToMatchesSourceAndLength) {
  std::vector<Attachment> atts;
  atts.push_back(StringAttachment("a@x", PseudoRandomBytes(10000, 1)));
  atts.push_back(StringAttachment("b@x", "second"));
  MultipartWriter writer(SoapPart{"r@x", kEnvelope}, std::move(atts));
  StringSink out;
  auto n = writer.WriteTo(out);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, out.data().size());
  EXPECT_EQ(*writer.content_length(), out.data().size());

  Collected got;
  auto msg = Parse(writer.content_type_header(), out.data(), got);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->root, kEnvelope);
  EXPECT_EQ(msg->root_headers.content_id, "r@x");
  EXPECT_EQ(msg->root_headers.content_type, "application/soap+xml; charset=UTF-8");
  ASSERT_EQ(msg->attachments.size(), 2u);
  EXPECT_EQ(msg->attachments[0].headers.content_id, "a@x");
  EXPECT_EQ(msg->attachments[0].headers.content_type, "application/gzip");
  EXPECT_EQ(msg->attachments[0].headers.index, 1u);
  EXPECT_EQ(msg->attachments[0].size, 10000u);
  EXPECT_EQ(got.data["a@x"], PseudoRandomBytes(10000, 1));
  EXPECT_EQ(got.data["b@x"], "second");
  EXPECT_TRUE(got.closed["a@x"]);
  EXPECT_TRUE(got.closed["b@x"]);
}

TEST(MultipartTest, FileAttachmentSpoolsToFile) {
  const std::string dir = ::testing::TempDir();
  const std::string in_path = dir + "/payload.gz";
  const std::string data = PseudoRandomBytes(300000, 8);
  ASSERT_TRUE(WriteFileDurably(in_path, data).ok());
  auto att = Attachment::FromFile("payload@x", "application/gzip", in_path);
  ASSERT_TRUE(att.ok()) << att.status();
  EXPECT_EQ(*att->size, data.size());
  std::vector<Attachment> atts;
  atts.push_back(*std::move(att));
  MultipartSource body(SoapPart{"r@x", kEnvelope}, std::move(atts));

  const std::string out_path = dir + "/spooled.gz";
  auto msg =
      MultipartReader().Read(body.content_type_header(), body,
                             [&](const PartHeaders&) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
                               auto f = FileSink::Create(out_path);
                               if (!f.ok()) return f.status();
                               return std::unique_ptr<ByteSink>(*std::move(f));
                             });
  ASSERT_TRUE(msg.ok()) << msg.status();
  auto back = ReadFileToString(out_path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
  EXPECT_EQ(Attachment::FromFile("x@x", "t/t", dir + "/missing").status().code(),
            absl::StatusCode::kNotFound);
}

// An attachment full of near-misses of the delimiter, parsed with every read
// size from 1 byte up, so the delimiter straddles reads at every offset.
TEST(MultipartReaderTest, DelimiterSplitAcrossReadsOfEverySize) {
  const std::string boundary = "sbr-b0und";
  const std::string tricky = "\r\n--sbr-b0un\r\n-\r\n--\r\r\n--sbr-\r--sbr-b0und" +
                             PseudoRandomBytes(100, 3) + "\r\n--sbr-b0un";
  std::vector<Attachment> atts;
  atts.push_back(StringAttachment("a@x", tricky));
  atts.push_back(StringAttachment("b@x", ""));
  atts.push_back(StringAttachment("c@x", "\r\n"));
  MultipartSource src(SoapPart{"r@x", "<e>\r\n--sbr-b0unc</e>"}, std::move(atts),
                      MultipartOptions{boundary});
  const std::string body = Drain(src);
  for (size_t chunk = 1; chunk <= 80; ++chunk) {
    Collected got;
    MultipartReaderOptions options;
    options.read_chunk_bytes = chunk % 7 + 1;  // the reader's own read size varies too
    auto msg = Parse(src.content_type_header(), body, got, chunk, options);
    ASSERT_TRUE(msg.ok()) << "chunk " << chunk << ": " << msg.status();
    EXPECT_EQ(msg->root, "<e>\r\n--sbr-b0unc</e>");
    EXPECT_EQ(got.data["a@x"], tricky) << "chunk " << chunk;
    EXPECT_EQ(got.data["b@x"], "");
    EXPECT_EQ(got.data["c@x"], "\r\n");
  }
}

TEST(MultipartReaderTest, HandwrittenBodyWithPreambleEpilogueAndOddHeaders) {
  const std::string body =
      "This is a preamble.\r\n"
      "--abc\r\n"
      "content-type: application/soap+xml\r\n"
      "CONTENT-ID:   <root@x> \r\n"
      "X-Folded: one\r\n"
      "\ttwo\r\n"
      "\r\n"
      "<env/>\r\n"
      "--abc  \t\r\n"  // transport padding
      "Content-Type: application/gzip\r\n"
      "content-id: att@x\r\n"  // no angle brackets
      "Content-Transfer-Encoding: BINARY\r\n"
      "\r\n"
      "payload\r\n"
      "--abc--\r\n"
      "This is the epilogue.\r\n";
  for (size_t chunk : {1, 2, 3, 5, 64}) {
    Collected got;
    auto msg = Parse("Multipart/Related; type=\"application/soap+xml\"; BOUNDARY=abc; start=root@x",
                     body, got, chunk);
    ASSERT_TRUE(msg.ok()) << msg.status();
    EXPECT_EQ(msg->root, "<env/>");
    EXPECT_EQ(msg->root_headers.content_id, "root@x");
    EXPECT_EQ(msg->root_headers.Get("x-folded"), "one two");
    EXPECT_EQ(msg->root_headers.Get("content-type"), "application/soap+xml");
    ASSERT_EQ(msg->attachments.size(), 1u);
    EXPECT_EQ(msg->attachments[0].headers.content_id, "att@x");
    EXPECT_EQ(got.data["att@x"], "payload");
  }
}

TEST(MultipartReaderTest, BoundaryAtVeryStartAndNoTrailingCrlf) {
  const std::string body = "--q\r\nContent-ID: <r@x>\r\n\r\n<e/>\r\n--q--";
  Collected got;
  auto msg = Parse("multipart/related; boundary=\"q\"", body, got, 1);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->root, "<e/>");
  EXPECT_TRUE(msg->attachments.empty());
}

TEST(MultipartReaderTest, PartWithoutHeaders) {
  const std::string body = "--q\r\n\r\n<e/>\r\n--q\r\n\r\nraw\r\n--q--\r\n";
  Collected got;
  auto msg = Parse("multipart/related; boundary=q", body, got, 3);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->root, "<e/>");
  ASSERT_EQ(msg->attachments.size(), 1u);
  EXPECT_EQ(got.data[""], "raw");
}

TEST(MultipartReaderTest, RootNamedByStartNeedNotComeFirst) {
  const std::string body =
      "--q\r\nContent-ID: <a@x>\r\n\r\nATT\r\n"
      "--q\r\nContent-ID: <r@x>\r\n\r\n<e/>\r\n--q--\r\n";
  Collected got;
  auto msg = Parse("multipart/related; boundary=q; start=\"<r@x>\"", body, got);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->root, "<e/>");
  EXPECT_EQ(msg->root_headers.index, 1u);
  EXPECT_EQ(got.data["a@x"], "ATT");
}

TEST(MultipartReaderTest, PlainSoapBodies) {
  for (const char* type : {"application/soap+xml; charset=UTF-8; action=\"x\"", "text/xml"}) {
    Collected got;
    auto msg = Parse(type, kEnvelope, got, 7);
    ASSERT_TRUE(msg.ok()) << msg.status();
    EXPECT_EQ(msg->root, kEnvelope);
    EXPECT_TRUE(msg->attachments.empty());
    EXPECT_EQ(msg->root_headers.content_type, type);
  }
  MultipartReaderOptions small;
  small.max_root_bytes = 10;
  Collected got;
  auto msg = Parse("text/xml", kEnvelope, got, 1 << 20, small);
  EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(msg.status().message().find("10 bytes"), std::string::npos) << msg.status();
}

struct BadCase {
  const char* name;
  std::string content_type;
  std::string body;
  const char* message_part;
};

TEST(MultipartReaderTest, AdversarialInputsAreInvalidArgument) {
  const std::string ct = "multipart/related; boundary=q";
  const std::string root = "--q\r\nContent-ID: <r@x>\r\n\r\n<e/>";
  const BadCase cases[] = {
      {"no close delimiter", ct, root + "\r\n--q\r\nContent-ID: <a@x>\r\n\r\ndata",
       "close delimiter"},
      {"truncated after root", ct, root, "close delimiter"},
      {"empty body", ct, "", "no boundary"},
      {"no boundary in body", ct, "just some text\r\n", "no boundary"},
      {"no parts", ct, "--q--\r\n", "no parts"},
      {"no boundary param", "multipart/related; type=\"application/soap+xml\"", root,
       "no boundary"},
      {"wrong media type", "application/json", "{}", "application/json"},
      {"multipart/mixed", "multipart/mixed; boundary=q", root + "\r\n--q--", "multipart/mixed"},
      {"malformed content type", "multipart/related; boundary=\"q", root, "unterminated"},
      {"start names no part", ct + "; start=\"<zz@x>\"", root + "\r\n--q--\r\n", "zz@x"},
      {"duplicate content-id", ct, root + "\r\n--q\r\nContent-ID: <r@x>\r\n\r\nX\r\n--q--\r\n",
       "repeats Content-ID"},
      {"base64 part", ct,
       root +
           "\r\n--q\r\nContent-ID: <a@x>\r\nContent-Transfer-Encoding: base64\r\n\r\nQQ==\r\n--q--",
       "base64"},
      {"junk after boundary", ct, root + "\r\n--qx\r\n\r\nX\r\n--q--\r\n", "not followed by CRLF"},
      {"headers never end", ct, "--q\r\nContent-ID: <r@x>\r\n", "inside the headers"},
      {"header without colon", ct, "--q\r\nContent-ID <r@x>\r\n\r\n<e/>\r\n--q--",
       "malformed header"},
      {"continuation first", ct, "--q\r\n folded\r\n\r\n<e/>\r\n--q--", "continuation"},
  };
  for (const BadCase& c : cases) {
    for (size_t chunk : {1, 4, 1 << 20}) {
      Collected got;
      auto msg = Parse(c.content_type, c.body, got, chunk);
      ASSERT_FALSE(msg.ok()) << c.name;
      EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
      EXPECT_NE(msg.status().message().find(c.message_part), std::string::npos)
          << c.name << ": " << msg.status();
    }
  }
}

TEST(MultipartReaderTest, TruncatedAttachmentIsNotClosed) {
  const std::string body = "--q\r\n\r\n<e/>\r\n--q\r\nContent-ID: <a@x>\r\n\r\npartial data";
  Collected got;
  auto msg = Parse("multipart/related; boundary=q", body, got, 5);
  ASSERT_FALSE(msg.ok());
  EXPECT_FALSE(got.closed["a@x"]);
}

TEST(MultipartReaderTest, LimitsAreEnforcedAndNamed) {
  std::string many = "--q\r\n\r\n<e/>";
  for (int i = 0; i < 5; ++i)
    many += "\r\n--q\r\nContent-ID: <a" + std::to_string(i) + "@x>\r\n\r\nX";
  many += "\r\n--q--\r\n";
  MultipartReaderOptions options;
  options.max_parts = 5;
  Collected got;
  auto msg = Parse("multipart/related; boundary=q", many, got, 1 << 20, options);
  ASSERT_FALSE(msg.ok());
  EXPECT_NE(msg.status().message().find("limit of 5 parts"), std::string::npos) << msg.status();
  options.max_parts = 6;
  EXPECT_TRUE(Parse("multipart/related; boundary=q", many, got, 1 << 20, options).ok());

  options = MultipartReaderOptions();
  options.max_root_bytes = 100;
  const std::string big_root = "--q\r\n\r\n" + std::string(101, 'x') + "\r\n--q--\r\n";
  msg = Parse("multipart/related; boundary=q", big_root, got, 7, options);
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(msg.status().message().find("limit of 100 bytes"), std::string::npos) << msg.status();
  const std::string exact_root = "--q\r\n\r\n" + std::string(100, 'x') + "\r\n--q--\r\n";
  EXPECT_TRUE(Parse("multipart/related; boundary=q", exact_root, got, 7, options).ok());

  options = MultipartReaderOptions();
  options.max_header_bytes = 64;
  const std::string big_headers =
      "--q\r\nX-Long: " + std::string(100, 'h') + "\r\n\r\n<e/>\r\n--q--";
  for (size_t chunk : {1, 1 << 20}) {
    msg = Parse("multipart/related; boundary=q", big_headers, got, chunk, options);
    ASSERT_FALSE(msg.ok());
    EXPECT_NE(msg.status().message().find("limit of 64 bytes"), std::string::npos) << msg.status();
  }
}

TEST(MultipartReaderTest, DefaultRootLimitIsFourMiB) {
  const std::string body = "--q\r\n\r\n" + std::string((4 << 20) + 1, 'x') + "\r\n--q--\r\n";
  Collected got;
  auto msg = Parse("multipart/related; boundary=q", body, got);
  ASSERT_FALSE(msg.ok());
  EXPECT_NE(msg.status().message().find("4194304"), std::string::npos) << msg.status();
}

TEST(MultipartReaderTest, SinkAndSourceErrorsPassThrough) {
  const std::string body = "--q\r\n\r\n<e/>\r\n--q\r\nContent-ID: <a@x>\r\n\r\ndata\r\n--q--\r\n";
  auto refuse = [](const PartHeaders&) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
    return absl::PermissionDeniedError("spool full");
  };
  StringSource src1(body);
  EXPECT_EQ(MultipartReader().Read("multipart/related; boundary=q", src1, refuse).status().code(),
            absl::StatusCode::kPermissionDenied);

  class FailingSink : public ByteSink {
   public:
    absl::Status Write(absl::string_view) override { return absl::ResourceExhaustedError("disk"); }
    absl::Status Close() override { return absl::OkStatus(); }
  };
  auto failing = [](const PartHeaders&) -> absl::StatusOr<std::unique_ptr<ByteSink>> {
    return std::make_unique<FailingSink>();
  };
  StringSource src2(body);
  EXPECT_EQ(MultipartReader().Read("multipart/related; boundary=q", src2, failing).status().code(),
            absl::StatusCode::kResourceExhausted);

  class BrokenSource : public ByteSource {
   public:
    absl::StatusOr<size_t> Read(char*, size_t) override { return absl::UnavailableError("reset"); }
  };
  BrokenSource broken;
  Collected got;
  EXPECT_EQ(MultipartReader()
                .Read("multipart/related; boundary=q", broken, got.Factory())
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

TEST(ParseMediaTypeTest, ParsesParameters) {
  auto mt = ParseMediaType(
      " Multipart/Related ;boundary=\"MIME_b\\\"x\"; TYPE=application/soap+xml;start=\"<r@x>\" ;");
  ASSERT_TRUE(mt.ok()) << mt.status();
  EXPECT_EQ(mt->type, "multipart/related");
  EXPECT_EQ(mt->Param("boundary"), "MIME_b\"x");
  EXPECT_EQ(mt->Param("Type"), "application/soap+xml");
  EXPECT_EQ(mt->Param("start"), "<r@x>");
  EXPECT_EQ(mt->Param("absent"), "");
  for (const char* bad : {"", "text", "text/", "a/b; =x", "a/b; x", "a/b; x=", "a/b x"}) {
    EXPECT_FALSE(ParseMediaType(bad).ok()) << bad;
  }
}

TEST(StripAngleBracketsTest, Forms) {
  EXPECT_EQ(StripAngleBrackets("<a@b>"), "a@b");
  EXPECT_EQ(StripAngleBrackets(" < a@b > "), "a@b");
  EXPECT_EQ(StripAngleBrackets("a@b"), "a@b");
  EXPECT_EQ(StripAngleBrackets("<a@b"), "<a@b");
}

}  // namespace
}  // namespace sbrgate::mime

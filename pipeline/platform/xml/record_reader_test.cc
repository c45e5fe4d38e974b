#include "pipeline/platform/xml/record_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/testing/hostile_xml.h"

namespace sbrgate::xml {
namespace {

using ::sbrgate::testing::kBillionLaughs;
using ::sbrgate::testing::kExternalEntity;
using ::sbrgate::testing::kUndecodable;
using ::sbrgate::testing::Nested;
using ::testing::HasSubstr;

// A source that hands over at most `step` bytes at a time, so records span
// many of RecordReader's reads.
class TrickleSource : public ByteSource {
 public:
  TrickleSource(std::string data, size_t step) : data_(std::move(data)), step_(step) {}
  absl::StatusOr<size_t> Read(char* buf, size_t n) override {
    const size_t got = std::min({n, step_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, got, buf);
    pos_ += got;
    return got;
  }

 private:
  std::string data_;
  size_t step_;
  size_t pos_ = 0;
};

struct Read {
  std::unique_ptr<RecordReader> reader;  // first: the records go before it
  std::vector<std::string> events;       // "root r", "start a", "end a", "text", "root-end", "end"
  std::vector<std::string> texts;        // RecordText() of each record
  std::vector<RecordReader::Record> records;
  absl::Status status;
};

Read ReadRecords(const std::string& text, size_t step = 1 << 20,
                 RecordReaderOptions options = RecordReaderOptions()) {
  Read out;
  auto reader = RecordReader::Open(std::make_unique<TrickleSource>(text, step), "r.xml", options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return out;
  out.reader = *std::move(reader);
  RecordReader* r = out.reader.get();
  for (;;) {
    absl::StatusOr<RecordReader::Event> e = r->Next();
    if (!e.ok()) {
      out.status = e.status();
      EXPECT_EQ(r->Next().status(), e.status());  // the error sticks
      break;
    }
    const std::string name(r->local_name());
    switch (*e) {
      case RecordReader::Event::kRootStart:
        out.events.push_back("root " + name);
        break;
      case RecordReader::Event::kRecordStart:
        out.events.push_back("start " + name);
        break;
      case RecordReader::Event::kRecordEnd:
        out.events.push_back("end " + name);
        out.texts.push_back(r->RecordText().ToString());
        out.records.push_back(r->TakeRecord());
        break;
      case RecordReader::Event::kText:
        out.events.push_back("text");
        break;
      case RecordReader::Event::kRootEnd:
        out.events.push_back("root-end");
        break;
      case RecordReader::Event::kEnd:
        out.events.push_back("end");
        return out;
    }
  }
  return out;
}

RecordReaderOptions KeepText() {
  RecordReaderOptions o;
  o.keep_text = true;
  return o;
}

TEST(RecordReaderTest, HandsOverEachRecordDetached) {
  const std::string doc =
      "<?xml version='1.0'?>\n<r xmlns='urn:r'>\n <a id='1'><b>x</b></a>\n <c/>\n</r>\n";
  for (size_t step : {size_t{1}, size_t{7}, size_t{1} << 20}) {
    Read r = ReadRecords(doc, step);
    ASSERT_TRUE(r.status.ok()) << r.status;
    EXPECT_THAT(r.events, ::testing::ElementsAre("root r", "start a", "end a", "start c", "end c",
                                                 "root-end", "end"));
    ASSERT_EQ(r.records.size(), 2u);
    xmlNode* a = r.records[0].node.get();
    EXPECT_EQ(a->parent, nullptr);
    EXPECT_EQ(NamespaceUri(a), "urn:r");
    EXPECT_EQ(Attribute(a, "id"), "1");
    EXPECT_EQ(ChildText(a, "b"), "x");
    EXPECT_EQ(r.records[0].line, 3);
    EXPECT_EQ(r.records[1].line, 4);
  }
}

TEST(RecordReaderTest, TextIsTheInputAsItIs) {
  const std::string record =
      "<p:a xmlns:p=\"urn:p\" q='>'>\r\n t&#60;&amp;<![CDATA[<x>]]><!-- c --><p:b/>\r\n</p:a >";
  const std::string doc = absl::StrCat("\xEF\xBB\xBF<r>", record, "<c/></r>");
  for (size_t step : {size_t{1}, size_t{5}, size_t{1} << 20}) {
    Read r = ReadRecords(doc, step, KeepText());
    ASSERT_TRUE(r.status.ok()) << r.status;
    ASSERT_EQ(r.texts.size(), 2u);
    EXPECT_EQ(r.texts[0], record) << step;
    EXPECT_EQ(r.texts[1], "<c/>");
  }
}

TEST(RecordReaderTest, TextDeclaresTheNamespacesItTakesFromTheRoot) {
  const std::string doc =
      "<r xmlns='urn:d' xmlns:p='urn:p' xmlns:q='urn:q'>"
      "<p:a><b q:x='1'/></p:a><a xmlns=''><p:c/></a></r>";
  Read r = ReadRecords(doc, 3, KeepText());
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.texts.size(), 2u);
  EXPECT_EQ(r.texts[0],
            "<p:a xmlns:p=\"urn:p\" xmlns=\"urn:d\" xmlns:q=\"urn:q\"><b q:x='1'/></p:a>");
  EXPECT_EQ(r.texts[1], "<a xmlns:p=\"urn:p\" xmlns=''><p:c/></a>");
  for (const std::string& t : r.texts) {
    EXPECT_TRUE(ParseDocument(t, "record").ok()) << t;
  }
}

TEST(RecordReaderTest, TextOfAnotherEncodingIsSerialisedAsUtf8) {
  const std::string doc =
      "<?xml version='1.0' encoding='ISO-8859-1'?>\n<r>\n<a>\n <b>caf\xE9</b>\n</a></r>";
  Read r = ReadRecords(doc, 4, KeepText());
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.texts.size(), 1u);
  EXPECT_EQ(r.texts[0], "<a>\n <b>caf\xC3\xA9</b>\n</a>");
}

TEST(RecordReaderTest, LeavesOutOnlyWhitespaceNextToElements) {
  Read r =
      ReadRecords("<r>\n <a>\n  <b>  </b>\n  <c> x <d/> y </c>\n  <!-- k -->\n  <e/>\n </a>\n</r>");
  ASSERT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(r.records.size(), 1u);
  const xmlNode* a = r.records[0].node.get();
  std::vector<std::string> kinds;
  for (const xmlNode* n = a->children; n != nullptr; n = n->next) {
    kinds.push_back(n->type == XML_ELEMENT_NODE   ? std::string(LocalName(n))
                    : n->type == XML_COMMENT_NODE ? "comment"
                                                  : "text");
  }
  EXPECT_THAT(kinds, ::testing::ElementsAre("b", "c", "comment", "e"));
  EXPECT_EQ(ChildText(a, "b"), "  ");  // a value, blank or not, stays whole
  EXPECT_EQ(ChildText(a, "c"), " x  y ");
}

TEST(RecordReaderTest, ReportsTextBetweenRecordsAndEventsBeforeAnError) {
  Read r = ReadRecords("<r>\n<a/>\nstray\n<b/><c></d></r>");
  EXPECT_THAT(r.events, ::testing::ElementsAre("root r", "start a", "end a", "text", "start b",
                                               "end b", "start c"));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status.message(), HasSubstr("r.xml:4: not well-formed XML"));
}

TEST(RecordReaderTest, EnforcesTheLimits) {
  Limits small_text;
  small_text.max_text_bytes = 100;
  RecordReaderOptions text_options;
  text_options.limits = small_text;
  EXPECT_THAT(ReadRecords(absl::StrCat("<r><a><n>", std::string(500, 'x'), "</n></a></r>"), 16,
                          text_options)
                  .status.message(),
              HasSubstr("text of <n> is over the limit of 100 bytes"));
  EXPECT_THAT(ReadRecords(absl::StrCat("<r><a v='", std::string(500, 'x'), "'/></r>"), 1 << 20,
                          text_options)
                  .status.message(),
              HasSubstr("attribute v of 500 bytes is over the limit of 100"));
  EXPECT_THAT(ReadRecords(absl::StrCat("<r>", Nested(70), "</r>")).status.message(),
              HasSubstr("nested deeper than 64 levels"));
  RecordReaderOptions budget;
  budget.max_record_bytes = 1000;
  std::string many;
  for (int i = 0; i < 100; ++i) many += "<b>padding</b>";
  Read over =
      ReadRecords(absl::StrCat("<r><a/><p:a xmlns:p='urn:p'>", many, "</p:a></r>"), 64, budget);
  EXPECT_THAT(over.events, ::testing::ElementsAre("root r", "start a", "end a", "start a"));
  EXPECT_THAT(over.status.message(), HasSubstr("<p:a> is over the limit of 1000 bytes per record"));
  EXPECT_THAT(
      ReadRecords(absl::StrCat("<r><a>", std::string(5000, 'x'), "</a></r>"), 1 << 20, budget)
          .status.message(),
      HasSubstr("bytes per record"));
}

TEST(RecordReaderTest, RefusesDtds) {
  EXPECT_THAT(ReadRecords(kBillionLaughs).status.message(), HasSubstr("DTD"));
  EXPECT_THAT(ReadRecords(kExternalEntity, 3).status.message(), HasSubstr("DTD"));
  // Split across reads.
  EXPECT_THAT(ReadRecords("<r><a/></r><!DOCTYPE r>", 13).status.message(), HasSubstr("DTD"));
  EXPECT_THAT(ReadRecords("<r><a>&x;</a></r>").status.message(), HasSubstr("not well-formed"));
}

TEST(RecordReaderTest, TakenRecordsOutliveLaterEventsAndTheirTextItsBuffers) {
  std::string doc = "<r>";
  for (int i = 0; i < 2000; ++i)
    absl::StrAppend(&doc, "<a n='", i, "'>", std::string(50, 'y'), "</a>");
  doc += "</r>";
  std::vector<SharedText> texts;
  std::vector<RecordReader::Record> records;
  {
    auto reader = RecordReader::Open(std::make_unique<StringSource>(doc), "r.xml", KeepText());
    ASSERT_TRUE(reader.ok());
    for (;;) {
      absl::StatusOr<RecordReader::Event> e = (*reader)->Next();
      ASSERT_TRUE(e.ok()) << e.status();
      if (*e == RecordReader::Event::kEnd) break;
      if (*e != RecordReader::Event::kRecordEnd) continue;
      texts.push_back((*reader)->RecordText());
      records.push_back((*reader)->TakeRecord());
    }
    EXPECT_EQ((*reader)->bytes_read(), doc.size());
    records.clear();  // before the reader
  }
  ASSERT_EQ(texts.size(), 2000u);
  EXPECT_EQ(texts[1234].ToString(), absl::StrCat("<a n='1234'>", std::string(50, 'y'), "</a>"));
}

// Readers reuse the parser contexts of the readers before them: each reads
// its input as a reader with a context of its own would, whatever the one
// before read (another encoding, a byte order mark, an error).
TEST(RecordReaderTest, EachReaderReadsAsIfItWereTheFirst) {
  const std::vector<std::string> docs = {
      "\xEF\xBB\xBF<r>\n<a x='1'>t</a>\n<b/></r>",
      "<?xml version='1.0' encoding='ISO-8859-1'?>\n<r>\n<a>caf\xE9</a></r>",
      "<r>\n<a/>\n<b></c></r>",
      "<r xmlns:p='urn:p'><p:a>1</p:a>\n</r>",
  };
  std::vector<std::vector<std::string>> first;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < docs.size(); ++i) {
      Read r = ReadRecords(docs[i], 7, KeepText());
      std::vector<std::string> seen = r.events;
      seen.insert(seen.end(), r.texts.begin(), r.texts.end());
      seen.push_back(r.status.ToString());
      if (round == 0) {
        first.push_back(seen);
      } else {
        EXPECT_EQ(seen, first[i]) << "round " << round << ", document " << i;
      }
    }
  }
  EXPECT_THAT(first[0], ::testing::ElementsAre("root r", "start a", "end a", "start b", "end b",
                                               "root-end", "end", "<a x='1'>t</a>", "<b/>", "OK"));
  EXPECT_THAT(first[1], ::testing::Contains("<a>caf\xC3\xA9</a>"));
  EXPECT_THAT(first[2].back(), HasSubstr("r.xml:3: not well-formed XML"));
  EXPECT_THAT(first[3], ::testing::Contains("<p:a xmlns:p=\"urn:p\">1</p:a>"));
}

TEST(RecordReaderTest, RecycledRecordsLeaveTheNextOnesAsTheyWouldBe) {
  // Long and short text (short text sits inside its node), attributes, a
  // namespace declared on the record, a comment: records built from the
  // nodes of records recycled before them serialise as without recycling.
  std::string doc = "<r xmlns='urn:r'>";
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&doc, "<a n='", i, "' xmlns:p='urn:p'><p:b>", i,
                    "</p:b><c>a text of more than sixteen bytes ", i, "</c><!-- ", i, " --><d><e/>",
                    std::string(i % 7, 'x'), "</d></a>");
  }
  absl::StrAppend(&doc, "</r>");
  const Read fresh = ReadRecords(doc);
  ASSERT_TRUE(fresh.status.ok()) << fresh.status;
  ASSERT_EQ(fresh.records.size(), 300u);

  auto reader = RecordReader::Open(std::make_unique<TrickleSource>(doc, 1000), "r.xml");
  ASSERT_TRUE(reader.ok()) << reader.status();
  size_t i = 0;
  for (;;) {
    absl::StatusOr<RecordReader::Event> e = (*reader)->Next();
    ASSERT_TRUE(e.ok()) << e.status();
    if (*e == RecordReader::Event::kEnd) break;
    if (*e != RecordReader::Event::kRecordEnd) continue;
    RecordReader::Record record = (*reader)->TakeRecord();
    ASSERT_LT(i, fresh.records.size());
    EXPECT_EQ(NodeXml(record.node.get()), NodeXml(fresh.records[i].node.get())) << i;
    ++i;
    // Every other record recycled at once, the rest left to the reader.
    if (i % 2 == 0) (*reader)->Recycle(std::move(record.node));
  }
  EXPECT_EQ(i, 300u);
}

TEST(SharedTextTest, OwnsAndInserts) {
  SharedText t("<a>b</a>");
  EXPECT_EQ(t.size(), 8u);
  EXPECT_FALSE(t.empty());
  EXPECT_EQ(t.ToString(), "<a>b</a>");
  EXPECT_TRUE(SharedText("").empty());
}

TEST(RecordReaderTest, RefusesBytesNotInTheDeclaredEncodingAndPrintsNothing) {
  ::testing::internal::CaptureStderr();
  Read r = ReadRecords(kUndecodable);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_THAT(r.status.message(), HasSubstr("r.xml:2: not well-formed XML"));
}

}  // namespace
}  // namespace sbrgate::xml

#include "pipeline/clntcomm/wire/wire.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/digest.h"

namespace sbrgate::clntcomm {
namespace {

constexpr int64_t kSentAt = 1719803529;  // 2024-07-01T03:12:09Z

v1::ClientId Tfn() {
  v1::ClientId c;
  c.set_type(v1::TFN);
  c.set_value("123456782");
  return c;
}

v1::CommunicationItem Item(const std::string& id) {
  v1::CommunicationItem i;
  i.set_document_id(id);
  *i.mutable_client() = Tfn();
  i.set_client_name("Alex & \"Sam\" <Citizen>");
  i.set_channel(v1::SMS);
  i.set_category(v1::NOTIFY);
  i.set_title("Notice of assessment <amended> & 'final'");
  i.set_account("AS:001");
  i.mutable_sent_at()->set_seconds(kSentAt);
  return i;
}

Document Doc(const std::string& id, std::string content) {
  Document d;
  d.item = Item(id);
  d.mime_type = "text/plain";
  d.content = std::move(content);
  return d;
}

std::string GetResponseXml(const Document& doc) {
  StringSink sink;
  GetResponseWriter w(sink);
  EXPECT_TRUE(w.AddDocument(doc).ok());
  EXPECT_TRUE(w.Finish().ok());
  return sink.data();
}

TEST(WireTest, ListRequestHasTheDocumentedShape) {
  v1::ListCommunicationsRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  *r.add_clients() = Tfn();
  r.set_from_date("2024-07-01");
  r.set_to_date("2024-07-07");
  r.add_channels(v1::PAPER);
  r.add_categories(v1::NOTIFY);
  EXPECT_EQ(WriteListRequest(r),
            "<cc:ListRequest xmlns:cc=\"http://sbrgate.dev/ns/clntcomm\">"
            "<cc:Agent abn=\"51824753556\" ran=\"12345678\"/>"
            "<cc:Client type=\"TFN\" value=\"123456782\"/>"
            "<cc:DateRange from=\"2024-07-01\" to=\"2024-07-07\"/>"
            "<cc:Channel>PAPER</cc:Channel><cc:Category>NOTIFY</cc:Category>"
            "<cc:Sort by=\"SENT_DATE\" order=\"ascending\"/></cc:ListRequest>");
}

TEST(WireTest, ListRequestRoundTrips) {
  v1::ListCommunicationsRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  *r.add_clients() = Tfn();
  v1::ClientId abn;
  abn.set_type(v1::ABN);
  abn.set_value("51824753556");
  *r.add_clients() = abn;
  r.set_from_date("2020-01-01");
  r.set_to_date("2024-06-30");
  r.add_channels(v1::MYGOV);
  r.add_channels(v1::ATO_ONLINE);
  r.add_categories(v1::TAX_RECORD_STATEMENT);
  r.set_sort(v1::SORT_CLIENT_NAME);
  r.set_descending(true);
  auto back = ReadListRequest(WriteListRequest(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->DebugString(), r.DebugString());
}

TEST(WireTest, ListRequestReaderRefusesWhatItCannotMap) {
  EXPECT_EQ(ReadListRequest("<ListRequest/>").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadListRequest(absl::StrCat("<cc:GetRequest xmlns:cc=\"", kClntcommNamespace, "\"/>"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  v1::ListCommunicationsRequest r;
  r.add_channels(v1::PAPER);
  const std::string good = WriteListRequest(r);
  auto channel = ReadListRequest(absl::StrReplaceAll(good, {{">PAPER<", ">FAX<"}}));
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(channel.status().message().find("FAX"), absl::string_view::npos);
  auto sort = ReadListRequest(absl::StrReplaceAll(good, {{"SENT_DATE", "TITLE"}}));
  EXPECT_EQ(sort.status().code(), absl::StatusCode::kInvalidArgument);
  auto client = ReadListRequest(absl::StrReplaceAll(
      good, {{"<cc:DateRange", "<cc:Client type=\"SSN\" value=\"1\"/><cc:DateRange"}}));
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WireTest, GetRequestRoundTripsWithoutRefetch) {
  v1::BulkGetRequest r;
  r.mutable_agent()->set_agent_abn("51824753556");
  r.mutable_agent()->set_ran("12345678");
  r.set_refetch(true);
  for (const char* id : {"CC01", "CC02"}) {
    v1::GetCommunicationRequest* d = r.add_documents();
    *d->mutable_client() = Tfn();
    d->set_document_id(id);
  }
  auto back = ReadGetRequest(WriteGetRequest(r));
  ASSERT_TRUE(back.ok()) << back.status();
  r.clear_refetch();
  EXPECT_EQ(back->DebugString(), r.DebugString());

  const std::string no_id = absl::StrReplaceAll(WriteGetRequest(r), {{" id=\"CC02\"", ""}});
  auto refused = ReadGetRequest(no_id);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("Document[2]/@id"), absl::string_view::npos);
}

TEST(WireTest, ListResponseRoundTripsWithEscaping) {
  v1::ListCommunicationsResponse page;
  *page.add_items() = Item("CC01");
  *page.add_items() = Item("CC02");
  page.mutable_items(1)->set_channel(v1::PAPER);
  page.mutable_items(1)->set_category(v1::DEMAND);
  page.set_more_results(true);
  StringSink sink;
  ASSERT_TRUE(WriteListResponse(page, sink).ok());
  EXPECT_EQ(sink.data().substr(0, sink.data().find('\n')),
            "<cc:ListResponse xmlns:cc=\"http://sbrgate.dev/ns/clntcomm\" moreResults=\"true\" "
            "count=\"2\">");
  EXPECT_NE(sink.data().find("sentAt=\"2024-07-01T03:12:09.000Z\""), std::string::npos);
  auto back = ReadListResponse(sink.data());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->DebugString(), page.DebugString());
}

TEST(WireTest, GetResponseCarriesDocumentsAndFailures) {
  StringSink sink;
  GetResponseWriter w(sink);
  const Document doc = Doc("CC01", std::string("bytes\0with a nul", 16));
  ASSERT_TRUE(w.AddDocument(doc).ok());
  v1::GetCommunicationRequest missing;
  *missing.mutable_client() = Tfn();
  missing.set_document_id("CC02");
  ASSERT_TRUE(w.AddFailure(missing, absl::NotFoundError("no communication CC02")).ok());
  ASSERT_TRUE(w.Finish().ok());

  auto entries = ReadGetResponse(sink.data());
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  const ResponseEntry& got = (*entries)[0];
  EXPECT_TRUE(got.status.ok());
  EXPECT_EQ(got.document.item.DebugString(), doc.item.DebugString());
  EXPECT_EQ(got.document.mime_type, "text/plain");
  EXPECT_EQ(got.document.content, doc.content);
  EXPECT_EQ(got.sha256, Sha256Hex(doc.content));
  const ResponseEntry& failed = (*entries)[1];
  EXPECT_EQ(failed.status, absl::NotFoundError("no communication CC02"));
  EXPECT_EQ(failed.document.item.document_id(), "CC02");
  EXPECT_EQ(failed.document.item.client().value(), Tfn().value());
}

TEST(WireTest, AnEmptyGetResponseIsStillAResponse) {
  StringSink sink;
  GetResponseWriter w(sink);
  ASSERT_TRUE(w.Finish().ok());
  auto entries = ReadGetResponse(sink.data());
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_TRUE(entries->empty());
}

TEST(WireTest, ADocumentThatDoesNotMatchItsSizeOrDigestIsDataLoss) {
  const Document doc = Doc("CC01", "the document");
  const std::string xml = GetResponseXml(doc);
  const std::string bad_size = absl::StrReplaceAll(xml, {{"size=\"12\"", "size=\"13\""}});
  ASSERT_NE(bad_size, xml);
  EXPECT_EQ(ReadGetResponse(bad_size).status().code(), absl::StatusCode::kDataLoss);
  const std::string bad_digest =
      absl::StrReplaceAll(xml, {{Sha256Hex(doc.content), Sha256Hex("another document")}});
  ASSERT_NE(bad_digest, xml);
  EXPECT_EQ(ReadGetResponse(bad_digest).status().code(), absl::StatusCode::kDataLoss);
  const std::string bad_bytes =
      absl::StrReplaceAll(xml, {{Base64Encode(doc.content), Base64Encode("the documenT")}});
  ASSERT_NE(bad_bytes, xml);
  EXPECT_EQ(ReadGetResponse(bad_bytes).status().code(), absl::StatusCode::kDataLoss);
}

TEST(WireTest, AnErrorResponseIsTheStatusItNames) {
  StringSink sink;
  ASSERT_TRUE(
      WriteErrorResponse(absl::PermissionDeniedError("not your client"), "SBR.GEN.AUTH.006", sink)
          .ok());
  EXPECT_EQ(ReadListResponse(sink.data()).status(),
            absl::PermissionDeniedError("SBR.GEN.AUTH.006: not your client"));
  auto reader = ResponseReader::Open(std::make_unique<StringSource>(sink.data()), "error.xml");
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(WireTest, ReadersRefuseTheOtherKindOfResponse) {
  StringSink list;
  ASSERT_TRUE(WriteListResponse(v1::ListCommunicationsResponse(), list).ok());
  const std::string get = GetResponseXml(Doc("CC01", "x"));
  EXPECT_EQ(ReadGetResponse(list.data()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadListResponse(get).status().code(), absl::StatusCode::kInvalidArgument);
  // An item where a document belongs.
  const std::string item_in_get =
      absl::StrReplaceAll(get, {{"<cc:Document", "<cc:Item"}, {"</cc:Document>", "</cc:Item>"}});
  EXPECT_EQ(ReadGetResponse(item_in_get).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(WireTest, ResponseReaderStreamsABulkResponse) {
  StringSink sink;
  GetResponseWriter w(sink);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(w.AddDocument(Doc(absl::StrCat("CC", i),
                                  std::string(1000 + i, static_cast<char>('a' + i % 26))))
                    .ok());
  }
  ASSERT_TRUE(w.Finish().ok());
  auto reader = ResponseReader::Open(std::make_unique<StringSource>(sink.data()), "bulk.xml");
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_FALSE((*reader)->is_list());
  int n = 0;
  for (;; ++n) {
    auto e = (*reader)->Next();
    ASSERT_TRUE(e.ok()) << e.status();
    if (!e->has_value()) break;
    EXPECT_EQ((*e)->document.item.document_id(), absl::StrCat("CC", n));
    EXPECT_EQ((*e)->document.content.size(), 1000u + n);
  }
  EXPECT_EQ(n, 50);
}

}  // namespace
}  // namespace sbrgate::clntcomm

// CLNTCOMM on the simulator across the real pieces: mutual TLS, signed
// ebMS3 messages, Single-sync for quick list and get, bulk list and get
// through SbrClient's push and pull, and the ATO-side relationship rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "pipeline/clntcomm/rules/relationships.h"
#include "pipeline/clntcomm/wire/wire.h"
#include "pipeline/platform/common/byte_stream.h"
#include "pipeline/platform/common/gzip.h"
#include "pipeline/platform/common/uuid.h"
#include "pipeline/sbr/client/https_transport.h"
#include "pipeline/sbr/client/sbr_client.h"
#include "pipeline/sbr/ebms/message.h"
#include "pipeline/sbr/identifiers/check_digits.h"
#include "pipeline/sbr/package/package.h"
#include "pipeline/sim/dev_pki/dev_pki.h"
#include "pipeline/sim/simulator/clntcomm_corpus.h"
#include "pipeline/sim/simulator/simulator.h"
#include "pipeline/sim/simulator/simulator_fixture.h"

namespace sbrgate::sim {
namespace {

using ::sbrgate::clntcomm::IsPaygInstalmentTitle;
using ::sbrgate::clntcomm::kClntcommDocumentName;
using ::sbrgate::clntcomm::kClntcommGetRequest;
using ::sbrgate::clntcomm::kClntcommListRequest;
using ::sbrgate::clntcomm::LinkLevel;
using ::sbrgate::clntcomm::ReadGetResponse;
using ::sbrgate::clntcomm::ReadListResponse;
using ::sbrgate::clntcomm::ResponseEntry;
using ::sbrgate::clntcomm::ResponseReader;
using ::sbrgate::clntcomm::WriteGetRequest;
using ::sbrgate::clntcomm::WriteListRequest;
using ::testing::HasSubstr;

const std::string kAgentA = identifiers::MakeValidAbn(101);
const std::string kAgentB = identifiers::MakeValidAbn(102);
const std::string kAgentC = identifiers::MakeValidAbn(103);

v1::ClientId Tfn(uint64_t seed) {
  v1::ClientId c;
  c.set_type(v1::TFN);
  c.set_value(identifiers::MakeValidTfn(seed));
  return c;
}

class ClntcommTest : public SimulatorFixture {
 protected:
  void SetUp() override {
    StartSimulator("clntcomm", [](SimulatorConfig& c) { c.processing_base = absl::Seconds(30); });
    auto credential = wssec::Credential::Load(pki_.client_cert, pki_.client_key);
    ASSERT_TRUE(credential.ok());
    credential_ = std::make_unique<wssec::Credential>(*std::move(credential));
    today_ = sim_->clntcomm().Today();
  }

  void Seed(const std::string& agent, const v1::ClientId& client, int count, uint64_t seed,
            LinkLevel level = LinkLevel::kClient, std::vector<std::string> accounts = {},
            int days = 3 * 365) {
    ClntcommSeed s;
    s.agent_abn = agent;
    s.ran = agent.substr(0, 8);
    s.client = client;
    s.count = count;
    s.seed = seed;
    s.level = level;
    s.accounts = std::move(accounts);
    s.from = today_ - days;
    auto r = sim_->clntcomm().SeedClient(s);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  v1::ListCommunicationsRequest ListFor(const std::string& agent,
                                        std::vector<v1::ClientId> clients) {
    v1::ListCommunicationsRequest r;
    r.mutable_agent()->set_agent_abn(agent);
    r.mutable_agent()->set_ran(agent.substr(0, 8));
    for (const v1::ClientId& c : clients) *r.add_clients() = c;
    r.set_from_date(absl::FormatCivilTime(today_ - 9 * 365));
    r.set_to_date(absl::FormatCivilTime(today_));
    for (v1::Channel ch :
         {v1::PAPER, v1::MYGOV, v1::SMS, v1::EMAIL, v1::AGENT_DIGITAL, v1::ATO_ONLINE}) {
      r.add_channels(ch);
    }
    return r;
  }

  v1::BulkGetRequest GetFor(
      const std::string& agent,
      const google::protobuf::RepeatedPtrField<v1::CommunicationItem>& items) {
    v1::BulkGetRequest r;
    r.mutable_agent()->set_agent_abn(agent);
    r.mutable_agent()->set_ran(agent.substr(0, 8));
    for (const v1::CommunicationItem& i : items) {
      v1::GetCommunicationRequest* d = r.add_documents();
      *d->mutable_client() = i.client();
      d->set_document_id(i.document_id());
    }
    return r;
  }

  // One Single-sync exchange, signed, from `from_abn`: the response Body.
  absl::StatusOr<std::string> Single(const std::string& from_abn, const std::string& action,
                                     const std::string& request_xml) {
    ebms::Envelope e;
    ebms::UserMessage& m = e.messaging.user_messages.emplace_back();
    m.message_id = ebms::NewMessageId("test.sbrgate");
    m.timestamp = clock_.Now();
    m.from = {from_abn, ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent};
    m.to = {ebms::kAtoAbn, ebms::kPartyTypeAbn, ebms::kRoleAgency};
    m.service = ebms::kServiceClntcomm;
    m.action = action;
    m.conversation_id = NewUuid();
    e.body_xml = request_xml;
    auto out = ebms_package::PackageMessage(e, credential_.get(), {});
    if (!out.ok()) return out.status();
    sbr_client::HttpsTransport transport({pki_.ca_cert, pki_.client_cert, pki_.client_key});
    sbr_client::HttpRequest req;
    req.url = sim_->base_url() + "/Single-sync";
    req.headers = {{"Content-Type", out->content_type}};
    req.body = out->body.get();
    req.content_length = out->content_length;
    req.connect_timeout = absl::Seconds(5);
    req.total_timeout = absl::Seconds(30);
    StringSink body;
    auto resp = transport.Post(req, body);
    if (!resp.ok()) return resp.status();
    StringSource source(body.data());
    auto in =
        ebms_package::ReadPackagedMessage(resp->Header("Content-Type"), source, dir_ + "/spool",
                                          nullptr, ebms_package::RequireSignature::kNo);
    if (!in.ok()) return in.status();
    if (in->envelope.messaging.user_messages.size() != 1) {
      return absl::InternalError(absl::StrCat("HTTP ", resp->status, ": ", body.data()));
    }
    const ebms::UserMessage& answer = in->envelope.messaging.user_messages.front();
    EXPECT_EQ(answer.ref_to_message_id, m.message_id);
    EXPECT_EQ(answer.service, ebms::kServiceClntcomm);
    return in->envelope.body_xml;
  }

  absl::StatusOr<v1::ListCommunicationsResponse> QuickList(const v1::ListCommunicationsRequest& r) {
    auto body = Single(r.agent().agent_abn(), ebms::kActionClntcommList, WriteListRequest(r));
    if (!body.ok()) return body.status();
    return ReadListResponse(*body);
  }

  absl::StatusOr<clntcomm::Document> GetOne(const std::string& agent,
                                            const v1::CommunicationItem& item) {
    google::protobuf::RepeatedPtrField<v1::CommunicationItem> items;
    *items.Add() = item;
    auto body = Single(agent, ebms::kActionClntcommGet, WriteGetRequest(GetFor(agent, items)));
    if (!body.ok()) return body.status();
    auto entries = ReadGetResponse(*body);
    if (!entries.ok()) return entries.status();
    if (entries->size() != 1) return absl::InternalError("expected one document");
    return entries->front().document;
  }

  // Pushes `request_xml` as a bulk request and pulls the response once it
  // is due; the response file.
  StoredBytes Bulk(const std::string& agent, const std::string& action,
                   const std::string& request_xml, const std::string& document_type) {
    const std::string payload = absl::StrCat(dir_, "/", NewUuid(), ".xml.gz");
    {
      auto file = FileSink::Create(payload);
      EXPECT_TRUE(file.ok());
      GzipSink gz(std::unique_ptr<ByteSink>(std::move(*file)));
      EXPECT_TRUE(gz.Write(request_xml).ok());
      EXPECT_TRUE(gz.Close().ok());
    }
    sbr_client::LodgmentPush p;
    p.message_id = ebms::NewMessageId("test.sbrgate");
    p.timestamp = clock_.Now();
    p.conversation_id = NewUuid();
    p.from = {agent, ebms::kPartyTypeAbn, ebms::kRoleRegisteredAgent};
    p.service = ebms::kServiceClntcomm;
    p.action = action;
    p.payload_gzip = StoredBytes::File(payload);
    p.document_name = kClntcommDocumentName;
    p.document_type = document_type;
    auto pushed = client_->Push(p);
    EXPECT_TRUE(pushed.ok()) << pushed.status();
    if (!pushed.ok()) return StoredBytes();
    EXPECT_TRUE(pushed->receipt.has_value());
    sim_->WaitUntilIdle();
    auto early = client_->Pull(p.message_id);
    EXPECT_TRUE(early.ok()) << early.status();
    EXPECT_EQ(early->kind, sbr_client::PullOutcome::Kind::kNothingYet);
    clock_.Advance(absl::Minutes(1));
    auto pulled = client_->Pull(p.message_id);
    EXPECT_TRUE(pulled.ok()) << pulled.status();
    if (!pulled.ok()) return StoredBytes();
    EXPECT_EQ(pulled->kind, sbr_client::PullOutcome::Kind::kResponse);
    EXPECT_EQ(pulled->response_message.service, ebms::kServiceClntcomm);
    return pulled->response;
  }

  absl::StatusOr<std::vector<ResponseEntry>> ReadAll(const StoredBytes& response,
                                                     bool* more = nullptr) {
    auto source = response.Open();
    if (!source.ok()) return source.status();
    auto reader = ResponseReader::Open(*std::move(source), "the bulk response");
    if (!reader.ok()) return reader.status();
    if (more != nullptr) *more = (*reader)->more_results();
    std::vector<ResponseEntry> out;
    for (;;) {
      auto e = (*reader)->Next();
      if (!e.ok()) return e.status();
      if (!e->has_value()) return out;
      out.push_back(**std::move(e));
    }
  }

  std::unique_ptr<wssec::Credential> credential_;
  absl::CivilDay today_;
};

TEST_F(ClntcommTest, QuickListReturnsTheFirst100AndMoreResults) {
  const v1::ClientId client = Tfn(11);
  Seed(kAgentA, client, 150, 7);
  auto page = QuickList(ListFor(kAgentA, {client}));
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items_size(), 100);
  EXPECT_TRUE(page->more_results());
  for (int i = 1; i < page->items_size(); ++i) {
    EXPECT_LE(page->items(i - 1).sent_at().seconds(), page->items(i).sent_at().seconds());
  }
  EXPECT_EQ(page->items(0).client().value(), client.value());
  EXPECT_FALSE(page->items(0).client_name().empty());

  v1::ListCommunicationsRequest newest_first = ListFor(kAgentA, {client});
  newest_first.set_descending(true);
  auto desc = QuickList(newest_first);
  ASSERT_TRUE(desc.ok()) << desc.status();
  ASSERT_EQ(desc->items_size(), 100);
  EXPECT_GE(desc->items(0).sent_at().seconds(), page->items(99).sent_at().seconds());

  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.clntcomm_lists, 2);
  EXPECT_EQ(stats.clntcomm_bulk, 0);
}

TEST_F(ClntcommTest, BulkListReturnsEveryMatchAndBulkGetEachDocumentOnce) {
  const v1::ClientId client = Tfn(12);
  Seed(kAgentA, client, 150, 8);
  bool more = true;
  auto listed = ReadAll(Bulk(kAgentA, ebms::kActionClntcommList,
                             WriteListRequest(ListFor(kAgentA, {client})), kClntcommListRequest),
                        &more);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 150u);
  EXPECT_FALSE(more);
  google::protobuf::RepeatedPtrField<v1::CommunicationItem> items;
  std::set<std::string> ids;
  for (const ResponseEntry& e : *listed) {
    *items.Add() = e.document.item;
    ids.insert(e.document.item.document_id());
  }
  ASSERT_EQ(ids.size(), 150u);

  auto got = ReadAll(Bulk(kAgentA, ebms::kActionClntcommGet,
                          WriteGetRequest(GetFor(kAgentA, items)), kClntcommGetRequest));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 150u);
  std::set<std::string> got_ids;
  for (const ResponseEntry& e : *got) {
    ASSERT_TRUE(e.status.ok()) << e.status;
    EXPECT_TRUE(got_ids.insert(e.document.item.document_id()).second)
        << e.document.item.document_id() << " twice";
    if (e.document.mime_type == "application/pdf") {
      EXPECT_EQ(e.document.content.substr(0, 8), "%PDF-1.4");
      EXPECT_THAT(e.document.content, HasSubstr(e.document.item.document_id()));
    } else {
      EXPECT_EQ(e.document.item.channel(), v1::SMS);
    }
  }
  EXPECT_EQ(got_ids, ids);

  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.clntcomm_bulk, 2);
  EXPECT_EQ(stats.clntcomm_lists, 1);
  EXPECT_EQ(stats.clntcomm_gets, 1);
  EXPECT_EQ(stats.clntcomm_documents, 150);
  ASSERT_EQ(stats.messages.size(), 2u);
  EXPECT_EQ(stats.messages[0].service, ebms::kServiceClntcomm);
}

TEST_F(ClntcommTest, SingleGetReturnsTheDocumentAndIsDeterministic) {
  const v1::ClientId client = Tfn(13);
  Seed(kAgentA, client, 5, 9);
  auto page = QuickList(ListFor(kAgentA, {client}));
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items_size(), 5);
  auto doc = GetOne(kAgentA, page->items(0));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->item.document_id(), page->items(0).document_id());
  EXPECT_EQ(doc->item.title(), page->items(0).title());
  auto again = sim_->clntcomm().Get(kAgentA, client, page->items(0).document_id());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->content, doc->content);
  EXPECT_EQ(sim_->Stats().clntcomm_gets, 1);
  EXPECT_EQ(sim_->Stats().clntcomm_documents, 1);

  v1::CommunicationItem missing = page->items(0);
  missing.set_document_id("CC0000000000000000");
  EXPECT_EQ(GetOne(kAgentA, missing).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ClntcommTest, VisibilityFollowsTheLinkLevel) {
  const v1::ClientId client = Tfn(14);
  const v1::ClientId other = Tfn(15);
  Seed(kAgentA, client, 80, 10);                                   // client level
  Seed(kAgentB, client, 80, 10, LinkLevel::kAccount, {"AS:001"});  // same items
  Seed(kAgentC, other, 10, 11);                                    // not linked to client

  auto all = QuickList(ListFor(kAgentA, {client}));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->items_size(), 80);
  std::set<std::string> expected;
  int payg = 0, hidden = 0;
  for (const v1::CommunicationItem& i : all->items()) {
    const bool instalment = IsPaygInstalmentTitle(i.title());
    if (instalment) {
      ++payg;
      EXPECT_EQ(i.account(), "IT");
    }
    if (i.account() == "AS:001" || instalment) {
      expected.insert(i.document_id());
    } else {
      ++hidden;
    }
  }
  ASSERT_GT(payg, 0);
  ASSERT_GT(hidden, 0);

  auto account = QuickList(ListFor(kAgentB, {client}));
  ASSERT_TRUE(account.ok()) << account.status();
  std::set<std::string> seen;
  const v1::CommunicationItem* instalment = nullptr;
  for (const v1::CommunicationItem& i : account->items()) {
    seen.insert(i.document_id());
    if (IsPaygInstalmentTitle(i.title())) instalment = &i;
  }
  EXPECT_EQ(seen, expected);
  ASSERT_NE(instalment, nullptr);
  EXPECT_TRUE(GetOne(kAgentB, *instalment).ok());
  for (const v1::CommunicationItem& i : all->items()) {
    if (expected.count(i.document_id()) == 0) {
      EXPECT_EQ(GetOne(kAgentB, i).status().code(), absl::StatusCode::kPermissionDenied);
      break;
    }
  }

  // No link: nothing listed, nothing retrieved.
  auto none = QuickList(ListFor(kAgentC, {client}));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->items_size(), 0);
  EXPECT_FALSE(none->more_results());
  EXPECT_EQ(GetOne(kAgentC, all->items(0)).status().code(), absl::StatusCode::kPermissionDenied);
  auto not_linked = QuickList(ListFor(kAgentA, {other}));
  ASSERT_TRUE(not_linked.ok()) << not_linked.status();
  EXPECT_EQ(not_linked->items_size(), 0);

  // A bulk get naming documents it may not see gets a failure for each.
  google::protobuf::RepeatedPtrField<v1::CommunicationItem> items(all->items().begin(),
                                                                  all->items().end());
  auto got = ReadAll(Bulk(kAgentB, ebms::kActionClntcommGet,
                          WriteGetRequest(GetFor(kAgentB, items)), kClntcommGetRequest));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 80u);
  std::set<std::string> delivered;
  for (const ResponseEntry& e : *got) {
    if (e.status.ok()) {
      delivered.insert(e.document.item.document_id());
    } else {
      EXPECT_EQ(e.status.code(), absl::StatusCode::kPermissionDenied);
    }
  }
  EXPECT_EQ(delivered, expected);
}

TEST_F(ClntcommTest, WholeOfPracticeListsEveryLinkedClient) {
  Seed(kAgentA, Tfn(16), 40, 12, LinkLevel::kClient, {}, 20);
  Seed(kAgentA, Tfn(17), 40, 13, LinkLevel::kClient, {}, 20);
  v1::ListCommunicationsRequest r = ListFor(kAgentA, {});
  r.set_from_date(absl::FormatCivilTime(today_ - 6));
  r.set_sort(v1::SORT_CLIENT_NAME);
  auto page = QuickList(r);
  ASSERT_TRUE(page.ok()) << page.status();
  auto direct = sim_->clntcomm().List(kAgentA, r, 0);
  ASSERT_TRUE(direct.ok());
  ASSERT_GT(direct->items_size(), 0);
  std::set<std::string> names;
  for (const v1::CommunicationItem& i : page->items()) names.insert(i.client_name());
  EXPECT_EQ(names.size(), 2u);
  EXPECT_EQ(page->items_size(), direct->items_size());
  for (int i = 1; i < page->items_size(); ++i) {
    EXPECT_LE(page->items(i - 1).client_name(), page->items(i).client_name());
  }

  r.set_from_date(absl::FormatCivilTime(today_ - 30));
  EXPECT_EQ(QuickList(r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClntcommTest, TheAgentMustBeTheSender) {
  const v1::ClientId client = Tfn(18);
  Seed(kAgentA, client, 5, 14);
  Seed(kAgentB, Tfn(19), 5, 15);
  v1::ListCommunicationsRequest r = ListFor(kAgentA, {client});
  auto body = Single(kAgentB, ebms::kActionClntcommList, WriteListRequest(r));
  ASSERT_TRUE(body.ok()) << body.status();
  auto refused = ReadListResponse(*body);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(), HasSubstr("SBR.GEN.AUTH.006"));

  r.mutable_agent()->set_ran("99999999");
  EXPECT_EQ(QuickList(r).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(sim_->Stats().clntcomm_refused, 2);
}

TEST_F(ClntcommTest, RequestsOutsideTheAtoLimitsAreRefused) {
  const v1::ClientId client = Tfn(20);
  Seed(kAgentA, client, 5, 16);
  v1::ListCommunicationsRequest no_channel = ListFor(kAgentA, {client});
  no_channel.clear_channels();
  EXPECT_EQ(QuickList(no_channel).status().code(), absl::StatusCode::kInvalidArgument);
  v1::ListCommunicationsRequest too_long = ListFor(kAgentA, {client});
  too_long.set_from_date("2008-07-01");
  EXPECT_EQ(QuickList(too_long).status().code(), absl::StatusCode::kInvalidArgument);
  v1::ListCommunicationsRequest bad_tfn = ListFor(kAgentA, {client});
  bad_tfn.mutable_clients(0)->set_value(identifiers::MakeInvalidTfn(3));
  EXPECT_THAT(QuickList(bad_tfn).status().message(), HasSubstr("clients[0]"));
  // Duplicates are refused, not collapsed, as clntcomm::ValidateListRequest says.
  v1::ListCommunicationsRequest paper_twice = ListFor(kAgentA, {client});
  paper_twice.add_channels(v1::PAPER);
  EXPECT_THAT(QuickList(paper_twice).status().message(), HasSubstr("channels[6]"));
}

TEST_F(ClntcommTest, SeedsFromTheAdminEndpoint) {
  httplib::Client admin("127.0.0.1", sim_->admin_port());
  const std::string tfn = identifiers::MakeValidTfn(21);
  const std::string json =
      absl::StrCat(R"([{"agent_abn": ")", kAgentA,
                   R"(", "ran": "12345678", "client": {"type": "TFN", "value": ")", tfn,
                   R"("}, "name": "Alex Citizen", "count": 12, "seed": 3,
      "level": "account", "accounts": ["AS:001"]}])");
  auto res = admin.Post("/admin/clntcomm/seed", json, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(res->body, HasSubstr("\"added\": 12"));
  // Seeding again adds nothing: the same seed gives the same communications.
  res = admin.Post("/admin/clntcomm/seed", json, "application/json");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, HasSubstr("\"added\": 0"));
  EXPECT_EQ(sim_->clntcomm().size(), 12u);

  res = admin.Post("/admin/clntcomm/seed", R"({"agent_abn": "1", "ran": "1", "count": 1})",
                   "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_THAT(res->body, HasSubstr("agent_abn"));
  EXPECT_FALSE(ParseSeedJson(R"({"agent_abn": "x", "ran": "1", "count": 1, "colour": 2})").ok());
  EXPECT_FALSE(
      ParseSeedJson(R"({"agent_abn": "x", "ran": "1", "count": 1, "level": "practice"})").ok());

  auto stats = admin.Get("/admin/stats");
  ASSERT_TRUE(stats);
  EXPECT_THAT(stats->body, HasSubstr("clntcomm_lists"));
}

std::vector<std::string> DocumentIds(const v1::ListCommunicationsResponse& page) {
  std::vector<std::string> ids;
  for (const v1::CommunicationItem& i : page.items()) ids.push_back(i.document_id());
  return ids;
}

TEST_F(ClntcommTest, CorpusAndCountersSurviveARestart) {
  const v1::ClientId client = Tfn(31);
  Seed(kAgentA, client, 20, 4);
  Seed(kAgentB, client, 0, 4, LinkLevel::kAccount, {"AS:001"});
  auto a_before = QuickList(ListFor(kAgentA, {client}));
  ASSERT_TRUE(a_before.ok()) << a_before.status();
  ASSERT_EQ(a_before->items_size(), 20);
  auto b_before = QuickList(ListFor(kAgentB, {client}));
  ASSERT_TRUE(b_before.ok()) << b_before.status();
  EXPECT_LT(b_before->items_size(), 20);  // an account-level link sees less
  auto doc_before = GetOne(kAgentA, a_before->items(0));
  ASSERT_TRUE(doc_before.ok()) << doc_before.status();

  Restart();
  EXPECT_EQ(sim_->clntcomm().size(), 20u);
  auto a_after = QuickList(ListFor(kAgentA, {client}));
  ASSERT_TRUE(a_after.ok()) << a_after.status();
  EXPECT_EQ(DocumentIds(*a_after), DocumentIds(*a_before));
  auto b_after = QuickList(ListFor(kAgentB, {client}));
  ASSERT_TRUE(b_after.ok()) << b_after.status();
  EXPECT_EQ(DocumentIds(*b_after), DocumentIds(*b_before));
  auto doc_after = GetOne(kAgentA, a_before->items(0));
  ASSERT_TRUE(doc_after.ok()) << doc_after.status();
  EXPECT_EQ(doc_after->content, doc_before->content);
  const SimulatorStats stats = sim_->Stats();
  EXPECT_EQ(stats.clntcomm_lists, 4);
  EXPECT_EQ(stats.clntcomm_gets, 2);
  EXPECT_EQ(stats.clntcomm_documents, 2);

  // What was seeded before the restart is there: seeding it again adds nothing.
  ClntcommSeed again;
  again.agent_abn = kAgentA;
  again.ran = kAgentA.substr(0, 8);
  again.client = client;
  again.count = 20;
  again.seed = 4;
  again.from = today_ - 3 * 365;
  auto seeded = sim_->clntcomm().SeedClient(again);
  ASSERT_TRUE(seeded.ok()) << seeded.status();
  EXPECT_EQ(seeded->added, 0);
}

TEST_F(ClntcommTest, PostedCorrespondenceIsFiledOnceSeenAtClientLevelAndSurvivesARestart) {
  v1::ClientId employer;
  employer.set_type(v1::ABN);
  employer.set_value(identifiers::MakeValidAbn(201));
  Correspondence letter;
  letter.document_id = "MF0123456789ABCDEF";
  letter.client = employer;
  letter.client_name = "Harbour Cafe Pty Ltd";
  letter.title = "Payroll event: TFN matching failures";
  letter.sent_at = clock_.Now();
  letter.lines = {"1.3 | E1000002 | Smith | ******782"};
  absl::StatusOr<bool> posted = sim_->clntcomm().Post(letter);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_TRUE(*posted);
  // The same document id again (the message processed again) adds nothing.
  posted = sim_->clntcomm().Post(letter);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_FALSE(*posted);
  EXPECT_EQ(sim_->clntcomm().size(), 1u);

  // Filed under no account: a client-level link sees it, an account-level
  // one does not, and neither does an agent with no link.
  Seed(kAgentA, employer, 3, 21);
  Seed(kAgentB, employer, 0, 21, LinkLevel::kAccount, {"AS:001"});
  Seed(kAgentC, Tfn(23), 0, 23);  // registered, with no link to the employer
  auto listed = QuickList(ListFor(kAgentA, {employer}));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->items_size(), 4);
  auto it = std::find_if(
      listed->items().begin(), listed->items().end(),
      [&](const v1::CommunicationItem& i) { return i.document_id() == letter.document_id; });
  ASSERT_NE(it, listed->items().end());
  EXPECT_EQ(it->client_name(), "Harbour Cafe Pty Ltd");  // the poster named the client first
  EXPECT_EQ(it->channel(), v1::PAPER);
  auto doc = GetOne(kAgentA, *it);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->mime_type, "application/pdf");
  EXPECT_THAT(doc->content, HasSubstr("(1.3 | E1000002 | Smith | ******782) '"));
  EXPECT_THAT(doc->content, HasSubstr("(Document ID: MF0123456789ABCDEF) '"));
  EXPECT_EQ(GetOne(kAgentB, *it).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(GetOne(kAgentC, *it).status().code(), absl::StatusCode::kPermissionDenied);
  auto none = QuickList(ListFor(kAgentC, {employer}));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->items_size(), 0);

  Restart();
  EXPECT_EQ(sim_->clntcomm().size(), 4u);
  auto after = QuickList(ListFor(kAgentA, {employer}));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(DocumentIds(*after), DocumentIds(*listed));
  auto doc_after = GetOne(kAgentA, *it);
  ASSERT_TRUE(doc_after.ok()) << doc_after.status();
  EXPECT_EQ(doc_after->content, doc->content);
  posted = sim_->clntcomm().Post(letter);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_FALSE(*posted);
}

TEST_F(ClntcommTest, ALongLetterRunsOverSeveralPages) {
  v1::ClientId employer;
  employer.set_type(v1::ABN);
  employer.set_value(identifiers::MakeValidAbn(202));
  Correspondence letter;
  letter.document_id = "MFFEDCBA9876543210";
  letter.client = employer;
  letter.title = "Payroll event: TFN matching failures";
  letter.sent_at = clock_.Now();
  for (int i = 0; i < 120; ++i) letter.lines.push_back(absl::StrCat("line ", i));
  ASSERT_TRUE(sim_->clntcomm().Post(letter).ok());
  Seed(kAgentA, employer, 0, 22);
  auto doc = sim_->clntcomm().Get(kAgentA, employer, letter.document_id);
  ASSERT_TRUE(doc.ok()) << doc.status();
  // 6 heading lines and 120 more: three pages of 50.
  EXPECT_THAT(doc->content, HasSubstr("/Count 3 >>"));
  EXPECT_THAT(doc->content, HasSubstr("(line 119) '"));
}

TEST_F(ClntcommTest, PayEventOnSingleSyncIsRefused) {
  auto body = Single(kAgentA, ebms::kActionPayevntSubmit, "<x/>");
  EXPECT_FALSE(body.ok());
  EXPECT_THAT(body.status().message(), HasSubstr("EBMS:0010"));
}

}  // namespace
}  // namespace sbrgate::sim

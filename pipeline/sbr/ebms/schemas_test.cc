// The shipped schemas: envelope.xsd compiles from the runfiles with network
// access off, every import it relies on resolves to a file beside it, and the
// third-party files keep their licence headers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pipeline/platform/common/resources.h"
#include "pipeline/platform/xml/document.h"
#include "pipeline/platform/xml/dom.h"
#include "pipeline/platform/xml/schema.h"

namespace sbrgate {
namespace {

std::string Dir() {
  absl::StatusOr<std::string> envelope = ResourcePath("pipeline/sbr/ebms/schemas/envelope.xsd");
  EXPECT_TRUE(envelope.ok()) << envelope.status();
  return envelope->substr(0, envelope->rfind('/'));
}

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SchemasTest, EnvelopeSchemaCompilesOffline) {
  absl::StatusOr<std::shared_ptr<const xml::Schema>> schema =
      xml::Schema::Load(Dir() + "/envelope.xsd");
  ASSERT_TRUE(schema.ok()) << schema.status();
}

TEST(SchemasTest, ImportsAreLocalFilesBesideTheSchema) {
  std::vector<std::string> locations;
  for (const char* name :
       {"envelope.xsd", "ebms-header-3_0-200704.xsd", "soap11.xsd", "soap12.xsd", "xml.xsd"}) {
    SCOPED_TRACE(name);
    const std::string text = Read(absl::StrCat(Dir(), "/", name));
    absl::StatusOr<xml::Document> doc = xml::ParseDocument(text, name);
    ASSERT_TRUE(doc.ok()) << doc.status();
    for (xmlNode* import : xml::Children(xmlDocGetRootElement(doc->get()), "import")) {
      const std::string location = xml::Attribute(import, "schemaLocation");
      if (location.empty()) continue;  // the xml namespace, imported by envelope.xsd first
      EXPECT_FALSE(absl::StrContains(location, ":")) << location;
      EXPECT_FALSE(absl::StrContains(location, "/")) << location;
      EXPECT_FALSE(Read(absl::StrCat(Dir(), "/", location)).empty()) << location;
      locations.push_back(absl::StrCat(name, " -> ", location));
    }
  }
  EXPECT_THAT(locations,
              testing::ElementsAre("envelope.xsd -> xml.xsd", "envelope.xsd -> soap12.xsd",
                                   "envelope.xsd -> soap11.xsd",
                                   "envelope.xsd -> ebms-header-3_0-200704.xsd",
                                   "ebms-header-3_0-200704.xsd -> soap11.xsd",
                                   "ebms-header-3_0-200704.xsd -> soap12.xsd"));
}

TEST(SchemasTest, ThirdPartyFilesKeepTheirLicence) {
  for (const char* name : {"ebms-header-3_0-200704.xsd", "soap11.xsd", "soap12.xsd"}) {
    const std::string text = Read(absl::StrCat(Dir(), "/", name));
    EXPECT_THAT(text, testing::HasSubstr("Licensed under the Apache License, Version 2.0")) << name;
  }
}

}  // namespace
}  // namespace sbrgate

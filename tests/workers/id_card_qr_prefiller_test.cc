#include "workers/id_card_qr_prefiller.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tests/workers/qr_photo.h"
#include "tests/workers/workers_test_util.h"

namespace cdkv::workers {
namespace {

const records::FieldRow& Field(const PrefillResult& result,
                               const std::string& key) {
  for (const records::FieldRow& f : result.fields) {
    if (f.key == key) return f;
  }
  FAIL("no field " << key);
  throw std::logic_error("unreachable");
}

const domain::Procedure& Procedure(const Env& env) {
  const domain::Procedure* p = env.catalog->FindProcedure(kProcedure);
  REQUIRE(p != nullptr);
  return *p;
}

// The test relies on the catalog sourcing these from the ID card.
void RequireCatalogAsExpected(const domain::Procedure& p) {
  int from_card = 0;
  for (const auto& f : p.form_fields)
    from_card += f.source_document == "id_card";
  REQUIRE(from_card == 5);
}

TEST_CASE("IdCardQrPrefiller fills ID card fields from the card's QR code") {
  Env env;
  const domain::Procedure& procedure = Procedure(env);
  RequireCatalogAsExpected(procedure);
  IdCardQrPrefiller prefiller;
  std::vector<DocumentInput> docs = {
      {"d0", "other", "not an image"},
      {"d1", "other", QrPhotoPng(kCardPayload)},
  };
  auto result = prefiller.Prefill(procedure, docs);
  REQUIRE(result.ok());
  REQUIRE(result->fields.size() == procedure.form_fields.size());
  CHECK(result->detected_kinds ==
        std::vector<std::pair<std::string, std::string>>{{"d1", "id_card"}});

  const records::FieldRow& name = Field(*result, "requester.full_name");
  CHECK(name.value == "Nguyễn Văn An");
  CHECK(name.method == "qr");
  CHECK(name.confidence == Approx(0.98));
  CHECK(name.document_id == "d1");
  CHECK_FALSE(name.needs_review);
  CHECK(name.form_code == "to_khai_xac_nhan_thong_tin_cu_tru");
  CHECK(Field(*result, "requester.id_number").value == "087090001234");
  CHECK(Field(*result, "requester.date_of_birth").value == "01/02/1990");
  CHECK(Field(*result, "requester.sex").value == "Nam");
  CHECK(Field(*result, "requester.residence").value ==
        "Ấp 1, xã Tân Mỹ, huyện Lấp Vò, Đồng Tháp");

  // The region is the QR symbol's corners in the photo.
  nlohmann::json region = nlohmann::json::parse(name.region_json);
  REQUIRE(region.size() == 4);
  CHECK(region[0][0].get<int>() == Approx(kQrLeft).margin(kModulePixels));
  CHECK(region[0][1].get<int>() == Approx(kQrTop).margin(kModulePixels));
  nlohmann::json readings = nlohmann::json::parse(name.readings_json);
  REQUIRE(readings.size() == 1);
  CHECK(readings[0]["method"] == "qr");
  CHECK(readings[0]["region"] == region);

  // Fields with no source on the card are left for the officer, not guessed.
  for (size_t i = 0; i < procedure.form_fields.size(); ++i) {
    if (procedure.form_fields[i].source_document == "id_card") continue;
    const records::FieldRow& f = result->fields[i];
    CHECK(f.value.empty());
    CHECK(f.needs_review);
    CHECK(f.review_reason == "không có nguồn");
    CHECK(f.method.empty());
  }
}

TEST_CASE("A card whose ID number contradicts its birth data needs review") {
  Env env;
  IdCardQrPrefiller prefiller;
  // Digit 4 says female, digits 5-6 say 2023; the payload says Nam, 1990.
  const std::string payload =
      "087123456789||Nguyễn Văn An|01021990|Nam|"
      "Ấp 1, xã Tân Mỹ, huyện Lấp Vò, Đồng Tháp|15082021";
  auto result = prefiller.Prefill(Procedure(env),
                                  {{"d1", "id_card", QrPhotoPng(payload)}});
  REQUIRE(result.ok());
  const records::FieldRow& id = Field(*result, "requester.id_number");
  CHECK(id.value == "087123456789");
  CHECK(id.needs_review);
  CHECK_FALSE(id.review_reason.empty());
}

TEST_CASE("Without a readable card every field is left empty for review") {
  Env env;
  IdCardQrPrefiller prefiller;
  auto result = prefiller.Prefill(
      Procedure(env), {{"d1", "id_card", QrPhotoPng("not a card payload")},
                       {"d2", "id_card", "\x89PNG broken"}});
  REQUIRE(result.ok());
  CHECK(result->detected_kinds.empty());
  for (const records::FieldRow& f : result->fields) {
    CHECK(f.value.empty());
    CHECK(f.needs_review);
    CHECK(f.review_reason == "không có nguồn");
  }
}

}  // namespace
}  // namespace cdkv::workers

// FilingPrefiller: each procedure's form filled from the committed
// cdkv-synth pages (tests/ocr/data/synth_pages) and ID cards
// (tests/ocr/data/synth), photos classified from their titles whatever kind
// the citizen declared.
#include "workers/filing_prefiller.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "ocr/id_card_reader.h"
#include "services/domain/catalog_loader.h"
#include "tests/workers/qr_photo.h"

namespace cdkv::workers {
namespace {

const std::string kPages = CDKV_SOURCE_DIR "/tests/ocr/data/synth_pages/";
const std::string kCards = CDKV_SOURCE_DIR "/tests/ocr/data/synth/";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), {});
}

nlohmann::json Truth(const std::string& path) {
  return nlohmann::json::parse(Read(path));
}

const records::FieldRow& Field(const PrefillResult& result,
                               const std::string& key) {
  for (const records::FieldRow& f : result.fields) {
    if (f.key == key) return f;
  }
  FAIL("no field " << key);
  static records::FieldRow none;
  return none;
}

const domain::Procedure& Procedure(const std::string& code) {
  static auto catalog =
      domain::LoadCatalog(CDKV_SOURCE_DIR "/data/catalog/procedures.json",
                          CDKV_SOURCE_DIR "/data/catalog/lap_vo.json");
  REQUIRE(catalog.ok());
  const domain::Procedure* p = catalog->FindProcedure(code);
  REQUIRE(p != nullptr);
  return *p;
}

std::string KindOf(const PrefillResult& r, const std::string& document_id) {
  for (const auto& [id, kind] : r.detected_kinds) {
    if (id == document_id) return kind;
  }
  return "";
}

// Every field filled must match the truth when it is not flagged, and a
// field with no source in the filing must be empty and flagged.
void CheckNoConfidentWrong(const PrefillResult& r,
                           const std::map<std::string, std::string>& truth) {
  for (const records::FieldRow& f : r.fields) {
    INFO(f.key << " = " << f.value);
    auto it = truth.find(f.key);
    if (it == truth.end()) {
      if (f.value.empty()) CHECK(f.needs_review);
      continue;
    }
    if (!f.needs_review) CHECK(f.value == it->second);
    CHECK(f.confidence < 1.0);
  }
}

FilingPrefiller& Prefiller() {
  static FilingPrefiller prefiller;
  return prefiller;
}

TEST_CASE(
    "birth registration: child from the birth notice, requester from "
    "the ID card, declared kinds ignored") {
  const auto notice = Truth(kPages + "0000.json");
  const auto card = Truth(kCards + "0000.json");
  REQUIRE(notice["kind"] == "birth_notice");
  REQUIRE(card["kind"] == "front");
  // Declared the wrong way round on purpose.
  auto r =
      Prefiller().Prefill(Procedure("dang_ky_khai_sinh"),
                          {{"P", "id_card", Read(kPages + "0000.jpg")},
                           {"C", "birth_notice", Read(kCards + "0000.jpg")}});
  REQUIRE(r.ok());
  CHECK(KindOf(*r, "P") == "birth_notice");
  CHECK(KindOf(*r, "C") == "id_card");
  const auto& f = notice["fields"];
  const std::map<std::string, std::string> truth = {
      {"child.full_name", f["child_name"]},
      {"child.date_of_birth", f["date_of_birth"]},
      {"child.sex", f["sex"]},
      {"child.place_of_birth", f["place_of_birth"]},
      {"mother.full_name", f["mother_name"]},
      {"requester.full_name", card["fields"]["full_name"]},
      {"requester.id_number", card["fields"]["id_number"]}};
  for (const auto& [key, value] : truth) {
    INFO(key);
    CHECK(Field(*r, key).value == value);
  }
  CHECK(Field(*r, "child.full_name").document_id == "P");
  CHECK(Field(*r, "child.full_name").method == "printed_text");
  CHECK_FALSE(Field(*r, "child.date_of_birth").region_json.empty());
  // A name read from one paper goes to the officer.
  CHECK(Field(*r, "child.full_name").needs_review);
  CHECK(Field(*r, "requester.id_number").document_id == "C");
  // No source in the filing: empty and flagged, never guessed.
  CHECK(Field(*r, "child.ethnicity").value.empty());
  CHECK(Field(*r, "child.ethnicity").needs_review);
  CHECK(Field(*r, "father.full_name").value.empty());
  CheckNoConfidentWrong(*r, truth);
  // The probes used for cross-checks never reach the form.
  for (const auto& row : r->fields) CHECK(row.key.rfind("__", 0) != 0);
}

TEST_CASE("death registration: the deceased from the death notice") {
  const auto notice = Truth(kPages + "0001.json");
  REQUIRE(notice["kind"] == "death_notice");
  auto r = Prefiller().Prefill(Procedure("dang_ky_khai_tu"),
                               {{"P", "", Read(kPages + "0001.jpg")}});
  REQUIRE(r.ok());
  CHECK(KindOf(*r, "P") == "death_notice");
  const auto& f = notice["fields"];
  const std::map<std::string, std::string> truth = {
      {"deceased.full_name", f["deceased_name"]},
      {"deceased.date_of_birth", f["date_of_birth"]},
      {"deceased.sex", f["sex"]},
      {"deceased.id_number", f["id_number"]},
      {"death.date", f["date_of_death"]},
      {"death.place", f["place_of_death"]},
      {"death.cause", f["cause"]}};
  for (const auto& [key, value] : truth) {
    INFO(key);
    CHECK(Field(*r, key).value == value);
  }
  // Validated against the birth date and sex on the same paper.
  CHECK_FALSE(Field(*r, "deceased.id_number").needs_review);
  // No ID card in this filing.
  CHECK(Field(*r, "requester.full_name").value.empty());
  CHECK(Field(*r, "requester.full_name").needs_review);
  CheckNoConfidentWrong(*r, truth);
}

TEST_CASE("civil-status extract copy: the record from the extract") {
  const auto extract = Truth(kPages + "0006.json");  // Level 1.
  REQUIRE(extract["kind"] == "civil_status_extract");
  auto r = Prefiller().Prefill(Procedure("cap_ban_sao_trich_luc_ho_tich"),
                               {{"P", "", Read(kPages + "0006.jpg")}});
  REQUIRE(r.ok());
  CHECK(KindOf(*r, "P") == "civil_status_extract");
  const auto& f = extract["fields"];
  const std::map<std::string, std::string> truth = {
      {"record.person_name", f["person_name"]},
      {"record.registration_number", f["registration_number"]},
      {"record.registration_date", f["registration_date"]}};
  for (const auto& [key, value] : truth) {
    INFO(key);
    CHECK(Field(*r, key).value == value);
  }
  CheckNoConfidentWrong(*r, truth);
}

TEST_CASE(
    "certification of copies: title, issuer, number, date of the "
    "original, an unrelated paper fills no birth fields") {
  const auto other = Truth(kPages + "0003.json");
  REQUIRE(other["kind"] == "other_document");
  auto r = Prefiller().Prefill(
      Procedure("chung_thuc_ban_sao_tu_ban_chinh"),
      {{"P", "original_document", Read(kPages + "0003.jpg")}});
  REQUIRE(r.ok());
  CHECK(KindOf(*r, "P") == "other_document");
  const auto& f = other["fields"];
  const std::map<std::string, std::string> truth = {
      {"document.title", f["title"]},
      {"document.issuer", f["issuer"]},
      {"document.number", f["number"]},
      {"document.issue_date", f["issue_date"]}};
  int right = 0;
  for (const auto& [key, value] : truth) {
    right += Field(*r, key).value == value;
  }
  CHECK(right >= 3);
  CheckNoConfidentWrong(*r, truth);

  // The same paper in a birth registration: recognised as another paper,
  // and not one birth field is filled from it.
  auto birth =
      Prefiller().Prefill(Procedure("dang_ky_khai_sinh"),
                          {{"P", "birth_notice", Read(kPages + "0003.jpg")}});
  REQUIRE(birth.ok());
  CHECK(KindOf(*birth, "P") == "other_document");
  for (const records::FieldRow& row : birth->fields) {
    INFO(row.key);
    CHECK(row.value.empty());
    CHECK(row.needs_review);
  }
}

TEST_CASE("the mother's ID card cross-checks the birth notice") {
  const auto notice = Truth(kPages + "0000.json");
  const auto& f = notice["fields"];
  const std::string mother_name = f["mother_name"];
  const std::string mother_id = f["mother_id_number"];
  const std::string year = f["mother_birth_year"];
  auto card = [&](const std::string& name) {
    return QrPhotoPng(mother_id + "||" + name + "|0101" + year + "|Nữ|" +
                      f["mother_residence"].get<std::string>() + "|15082021");
  };

  SECTION("same person: the name is confirmed by the card") {
    auto r = Prefiller().Prefill(
        Procedure("dang_ky_khai_sinh"),
        {{"P", "", Read(kPages + "0000.jpg")}, {"M", "", card(mother_name)}});
    REQUIRE(r.ok());
    CHECK(KindOf(*r, "M") == "id_card");
    const records::FieldRow& mother = Field(*r, "mother.full_name");
    CHECK(mother.value == mother_name);
    CHECK(mother.method == "cross_checked");
    CHECK(mother.confidence >= ocr::kReviewThreshold);
    CHECK_FALSE(mother.needs_review);
    // The mother brought the child: she is the requester too.
    CHECK(Field(*r, "requester.full_name").value == mother_name);
  }

  SECTION("a card with the mother's ID number but another name: flagged") {
    auto r = Prefiller().Prefill(Procedure("dang_ky_khai_sinh"),
                                 {{"P", "", Read(kPages + "0000.jpg")},
                                  {"M", "", card("Trần Thị Bích Ngọc")}});
    REQUIRE(r.ok());
    const records::FieldRow& mother = Field(*r, "mother.full_name");
    CHECK(mother.needs_review);
    CHECK(mother.confidence < ocr::kReviewThreshold);
    CHECK(mother.readings_json.find("Trần Thị Bích Ngọc") != std::string::npos);
  }
}

}  // namespace
}  // namespace cdkv::workers

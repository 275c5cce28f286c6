#include "services/domain/catalog_loader.h"

#include <catch2/catch.hpp>
#include <functional>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "tests/domain/catalog_test_data.h"

namespace cdkv::domain {
namespace {

using nlohmann::json;
using testing::ProceduresPath;
using testing::ReadText;
using testing::ShippedCatalog;
using testing::UnitsPath;

// Loads the shipped files, lets `edit` break one of them, and returns the
// loader's answer.
absl::Status LoadEdited(
    const std::function<void(json& procedures, json& units)>& edit) {
  json procedures = json::parse(ReadText(ProceduresPath()));
  json units = json::parse(ReadText(UnitsPath()));
  edit(procedures, units);
  return ParseCatalog(procedures.dump(), units.dump()).status();
}

void ExpectInvalid(const absl::Status& status, const std::string& message) {
  INFO(status.ToString());
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()) == message);
}

TEST_CASE("the shipped catalog loads", "[catalog]") {
  const Catalog& catalog = ShippedCatalog();
  const CatalogData& data = catalog.data();
  CHECK(data.procedures.size() == 6);
  CHECK(data.districts.size() == 1);
  CHECK(data.communes.size() == 13);  // "13 xã, thị trấn" of Lấp Vò
  CHECK(data.desks.size() == 14);     // 13 communes + the district
  CHECK(data.bundles.size() == 2);

  std::set<std::string> fields_seen;
  for (const Procedure& procedure : data.procedures) {
    INFO(procedure.code);
    fields_seen.insert(std::string(ProcedureFieldName(procedure.field)));
    CHECK_FALSE(procedure.processing.source.empty());
    CHECK_FALSE(procedure.baseline.source.empty());
    CHECK_FALSE(procedure.form_fields.empty());
  }
  CHECK(fields_seen ==
        std::set<std::string>{"ho_tich", "chung_thuc", "cu_tru", "dat_dai"});
}

TEST_CASE("catalog facts used by routing and deadlines", "[catalog]") {
  const Catalog& catalog = ShippedCatalog();
  const Procedure* birth = catalog.FindProcedure("dang_ky_khai_sinh");
  REQUIRE(birth != nullptr);
  CHECK(birth->name_vi == "Đăng ký khai sinh");
  CHECK(birth->level == Level::kCommune);
  CHECK(birth->processing.working_days == 0);
  const FormField* child_name = nullptr;
  for (const FormField& field : birth->form_fields) {
    if (field.key == "child.full_name") child_name = &field;
  }
  REQUIRE(child_name != nullptr);
  CHECK(child_name->source_document == "birth_notice");
  CHECK(child_name->source_field == "child_name");

  const Procedure* land = catalog.FindProcedure("dang_ky_bien_dong_dat_dai");
  REQUIRE(land != nullptr);
  CHECK(land->level == Level::kDistrict);
  CHECK(land->processing.working_days == 10);

  const Procedure* residence =
      catalog.FindProcedure("xac_nhan_thong_tin_cu_tru");
  REQUIRE(residence != nullptr);
  CHECK(residence->processing.working_days == 0);
  CHECK(residence->processing.verification_working_days == 3);

  const Commune* town = catalog.FindCommune("lv.thi_tran_lap_vo");
  REQUIRE(town != nullptr);
  CHECK(town->name_vi == "Thị trấn Lấp Vò");
  CHECK(catalog.FindDesk(town->desk_code) != nullptr);
  CHECK(catalog.FindDistrict("875")->name_vi == "Huyện Lấp Vò");
  CHECK(catalog.FindProcedure("khong_co") == nullptr);
  CHECK(catalog.FindCommune("") == nullptr);
}

TEST_CASE("bundles are found from any member in the catalog", "[catalog]") {
  const Catalog& catalog = ShippedCatalog();
  std::vector<const Bundle*> birth =
      catalog.BundlesContaining("dang_ky_khai_sinh");
  REQUIRE(birth.size() == 1);
  CHECK(birth[0]->code == "lien_thong_khai_sinh_thuong_tru_bhyt");
  CHECK(birth[0]->members.size() == 3);
  std::vector<const Bundle*> death =
      catalog.BundlesContaining("dang_ky_khai_tu");
  REQUIRE(death.size() == 1);
  CHECK(death[0]->code == "lien_thong_khai_tu_xoa_thuong_tru_mai_tang");
  CHECK(catalog.BundlesContaining("chung_thuc_ban_sao_tu_ban_chinh").empty());
  CHECK(catalog.BundlesContaining("").empty());
  CHECK(catalog.FindBundle("lien_thong_khai_tu_xoa_thuong_tru_mai_tang") ==
        death[0]);
}

TEST_CASE("malformed JSON is refused with its position", "[catalog]") {
  absl::Status status =
      ParseCatalog("{\"procedures\": [", ReadText(UnitsPath())).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("procedures: not valid JSON"));
  status = ParseCatalog(ReadText(ProceduresPath()), "[1, 2]").status();
  CHECK(std::string(status.message()) == "units: $ must be a JSON object");
}

TEST_CASE("missing files are NOT_FOUND", "[catalog]") {
  absl::Status status =
      LoadCatalog("/nonexistent/procedures.json", UnitsPath()).status();
  CHECK(status.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("/nonexistent/procedures.json"));
}

TEST_CASE("bad procedures name the JSON path", "[catalog]") {
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][1]["code"] = p["procedures"][0]["code"];
                }),
                "procedures: $.procedures[1].code: duplicate code "
                "\"dang_ky_khai_sinh\"");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][2]["processing"]["working_days"] = -1;
                }),
                "procedures: $.procedures[2].processing.working_days: must "
                "not be negative");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["baseline"]["citizen_form_minutes"] = -5;
                }),
                "procedures: $.procedures[0].baseline.citizen_form_minutes: "
                "must not be negative");
  ExpectInvalid(
      LoadEdited([](json& p, json&) { p["procedures"][0].erase("name_vi"); }),
      "procedures: $.procedures[0].name_vi: is missing");
  ExpectInvalid(
      LoadEdited([](json& p, json&) { p["procedures"][3]["field"] = "thue"; }),
      "procedures: $.procedures[3].field: unknown field \"thue\"; "
      "expected ho_tich, chung_thuc, cu_tru or dat_dai");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["level"] = "province";
                }),
                "procedures: $.procedures[0].level: unknown level "
                "\"province\"; expected commune or district");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["form_fields"][0]["from"]["document"] =
                      "land_use_certificate";
                }),
                "procedures: $.procedures[0].form_fields[0].from.document: "
                "document kind \"land_use_certificate\" is not among this "
                "procedure's documents");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["form_fields"][10].erase("enum_values");
                }),
                "procedures: $.procedures[0].form_fields[10].enum_values: an "
                "enum field must list its values");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["processing"]["forwarding_working_days"] =
                      2;
                }),
                "procedures: $.procedures[0].processing."
                "forwarding_working_days: only a district-level procedure is "
                "forwarded");
  ExpectInvalid(
      LoadEdited([](json& p, json&) {
        p["procedures"][4]["processing"]["verification_working_days"] = 0.5;
      }),
      "procedures: $.procedures[4].processing."
      "verification_working_days: must be a whole number");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["documents"] = json::array();
                }),
                "procedures: $.procedures[0].documents: must list at least "
                "one document");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["documents"][1]["kind"] = "birth_notice";
                }),
                "procedures: $.procedures[0].documents[1].kind: duplicate "
                "code \"birth_notice\"");
  ExpectInvalid(LoadEdited([](json& p, json&) { p["procedures"] = "none"; }),
                "procedures: $.procedures: must be an array");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["procedures"][0]["documents"][0]["required"] = "yes";
                }),
                "procedures: $.procedures[0].documents[0].required: must be "
                "true or false");
}

TEST_CASE("misspelt keys are refused, not ignored", "[catalog]") {
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  json& processing = p["procedures"][5]["processing"];
                  processing["forwarding_workingdays"] =
                      processing["forwarding_working_days"];
                  processing.erase("forwarding_working_days");
                }),
                "procedures: $.procedures[5].processing.forwarding_workingdays:"
                " unknown key; expected one of working_days, "
                "verification_working_days, forwarding_working_days, source");
  ExpectInvalid(LoadEdited([](json&, json& u) { u["desk"] = json::array(); }),
                "units: $.desk: unknown key; expected one of version, notes, "
                "districts, communes, desks");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["communes"][3]["offical_code"] = "30193";
                }),
                "units: $.communes[3].offical_code: unknown key; expected one "
                "of code, official_code, name_vi, district, desk");
}

TEST_CASE("bad bundles name the JSON path", "[catalog]") {
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  p["bundles"][0]["members"][0]["procedure"] = "khai_sinh";
                }),
                "procedures: $.bundles[0].members[0].procedure: unknown "
                "procedure \"khai_sinh\"");
  ExpectInvalid(LoadEdited([](json& p, json&) {
                  json& members = p["bundles"][1]["members"];
                  members.erase(members.begin() + 1, members.end());
                }),
                "procedures: $.bundles[1].members: a bundle combines at least "
                "two procedures");
}

TEST_CASE("bad units name the JSON path", "[catalog]") {
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["communes"][4]["desk"] = "desk.lv.khong_co";
                }),
                "units: $.communes[4].desk: unknown desk \"desk.lv.khong_co\"");
  ExpectInvalid(
      LoadEdited([](json&, json& u) { u["communes"][4]["district"] = "876"; }),
      "units: $.communes[4].district: unknown district \"876\"");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["communes"][12]["code"] = u["communes"][0]["code"];
                }),
                "units: $.communes[12].code: duplicate code "
                "\"lv.thi_tran_lap_vo\"");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["districts"][0]["desk"] = "desk.tinh";
                }),
                "units: $.districts[0].desk: unknown desk \"desk.tinh\"");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["desks"][2]["hours"][0]["open"] = "7h";
                }),
                "units: $.desks[2].hours[0].open: \"7h\" is not a time like "
                "\"07:30\"");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["desks"][2]["hours"][1]["close"] = "12:00";
                }),
                "units: $.desks[2].hours[1]: opens at or after it closes");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["desks"][0]["hours"][0]["days"][0] = "monday";
                }),
                "units: $.desks[0].hours[0].days[0]: must be one of mon, tue, "
                "wed, thu, fri, sat, sun");
  ExpectInvalid(
      LoadEdited([](json&, json& u) { u["communes"] = json::array(); }),
      "units: $.communes: must list at least one commune");
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  u["communes"][0] = "lv.thi_tran_lap_vo";
                }),
                "units: $.communes[0]: must be an object");
}

TEST_CASE("a loaded catalog survives being moved", "[catalog]") {
  absl::StatusOr<Catalog> loaded = LoadCatalog(ProceduresPath(), UnitsPath());
  REQUIRE(loaded.ok());
  Catalog moved = std::move(*loaded);
  const Procedure* death = moved.FindProcedure("dang_ky_khai_tu");
  REQUIRE(death != nullptr);
  CHECK(death->name_vi == "Đăng ký khai tử");
}

TEST_CASE("provinces come from the districts, one code one name", "[catalog]") {
  const Catalog& catalog = ShippedCatalog();
  const Province* dong_thap = catalog.FindProvince("87");
  REQUIRE(dong_thap != nullptr);
  CHECK(dong_thap->name_vi == "Tỉnh Đồng Tháp");
  CHECK(catalog.provinces().size() == 1);
  CHECK(catalog.FindDistrict("875")->province_code == "87");
  CHECK(catalog.FindProvince("89") == nullptr);
  CHECK(catalog.FindProvince("") == nullptr);

  ExpectInvalid(
      LoadEdited([](json&, json& u) { u["districts"][0].erase("province"); }),
      "units: $.districts[0].province: is missing");
  ExpectInvalid(
      LoadEdited([](json&, json& u) { u["districts"][0]["province"] = ""; }),
      "units: $.districts[0].province: must not be empty");
  // A second district of the same province under another name.
  ExpectInvalid(LoadEdited([](json&, json& u) {
                  json other = u["districts"][0];
                  other["code"] = "876";
                  other["province_vi"] = "Tỉnh Đồng Tháp cũ";
                  u["districts"].push_back(other);
                }),
                "units: $.districts[1].province_vi: province \"87\" is named "
                "\"Tỉnh Đồng Tháp\" by an earlier district");
  // Two districts of one province, one of another: two provinces.
  json procedures = json::parse(ReadText(ProceduresPath()));
  json units = json::parse(ReadText(UnitsPath()));
  json same = units["districts"][0];
  same["code"] = "876";
  json other = units["districts"][0];
  other["code"] = "889";
  other["province"] = "89";
  other["province_vi"] = "Tỉnh An Giang";
  units["districts"].push_back(same);
  units["districts"].push_back(other);
  absl::StatusOr<Catalog> two = ParseCatalog(procedures.dump(), units.dump());
  REQUIRE(two.ok());
  REQUIRE(two->provinces().size() == 2);
  CHECK(two->FindProvince("89")->name_vi == "Tỉnh An Giang");
  CHECK(two->FindProvince("87")->name_vi == "Tỉnh Đồng Tháp");
}

}  // namespace
}  // namespace cdkv::domain

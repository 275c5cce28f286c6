#include "services/domain/routing.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/status/status.h"
#include "tests/domain/catalog_test_data.h"

namespace cdkv::domain {
namespace {

using testing::ShippedCatalog;

TEST_CASE("a commune procedure stays at the citizen's commune", "[routing]") {
  absl::StatusOr<Route> route =
      RouteFiling(ShippedCatalog(), "dang_ky_khai_sinh", "lv.binh_thanh");
  REQUIRE(route.ok());
  CHECK(*route == Route{"dang_ky_khai_sinh", "lv.binh_thanh",
                        "desk.lv.binh_thanh", "desk.lv.binh_thanh", false, 0,
                        0});
}

TEST_CASE("verification extends the deadline where the law allows it",
          "[routing]") {
  absl::StatusOr<Route> death =
      RouteFiling(ShippedCatalog(), "dang_ky_khai_tu", "lv.dinh_yen");
  REQUIRE(death.ok());
  CHECK(death->deadline_working_days == 0);
  CHECK(death->verification_deadline_working_days == 3);
}

TEST_CASE("every commune routes every procedure", "[routing]") {
  const Catalog& catalog = ShippedCatalog();
  for (const Commune& commune : catalog.data().communes) {
    for (const Procedure& procedure : catalog.data().procedures) {
      absl::StatusOr<Route> route =
          RouteFiling(catalog, procedure.code, commune.code);
      INFO(procedure.code << " from " << commune.code);
      REQUIRE(route.ok());
      CHECK(route->receiving_desk_code == commune.desk_code);
      CHECK(route->forwarded == (procedure.level == Level::kDistrict));
    }
  }
}

TEST_CASE("a district procedure is received at the commune and forwarded",
          "[routing]") {
  absl::StatusOr<Route> route = RouteFiling(
      ShippedCatalog(), "dang_ky_bien_dong_dat_dai", "lv.tan_khanh_trung");
  REQUIRE(route.ok());
  CHECK(route->receiving_desk_code == "desk.lv.tan_khanh_trung");
  CHECK(route->competent_desk_code == "desk.huyen_lap_vo");
  CHECK(route->forwarded);
  // 10 legal working days at the district plus 3 for forwarding.
  CHECK(route->deadline_working_days == 13);
  CHECK(route->verification_deadline_working_days == 13);
}

TEST_CASE("unknown or missing codes get clear errors", "[routing]") {
  const Catalog& catalog = ShippedCatalog();
  absl::Status status =
      RouteFiling(catalog, "dang_ky_ket_hon", "lv.binh_thanh").status();
  CHECK(status.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(status.message()) ==
        "unknown procedure \"dang_ky_ket_hon\"; it is not in the catalog");

  status = RouteFiling(catalog, "dang_ky_khai_sinh", "lv.phu_quoc").status();
  CHECK(status.code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("unknown commune \"lv.phu_quoc\""));

  CHECK(RouteFiling(catalog, "", "lv.binh_thanh").status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(RouteFiling(catalog, "dang_ky_khai_sinh", "").status().code() ==
        absl::StatusCode::kInvalidArgument);
}

CatalogData MinimalData() {
  CatalogData data;
  Procedure land;
  land.code = "dat";
  land.level = Level::kDistrict;
  land.processing.working_days = 10;
  data.procedures.push_back(land);
  data.desks.push_back({"desk.xa", "xã", "địa chỉ", {{1, 420, 660}}, "test"});
  data.districts.push_back({"d1", "huyện", "tỉnh", "desk.huyen", "p1"});
  data.communes.push_back({"xa", "", "xã", "d1", "desk.xa"});
  return data;
}

TEST_CASE("a catalog missing the district desk is reported", "[routing]") {
  // The loader refuses such data; routing still must not crash on it.
  Catalog catalog(MinimalData());
  absl::Status status = RouteFiling(catalog, "dat", "xa").status();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("district \"d1\" of commune \"xa\" has no desk"));

  CatalogData no_commune_desk = MinimalData();
  no_commune_desk.desks.clear();
  Catalog broken(std::move(no_commune_desk));
  CHECK(RouteFiling(broken, "dat", "xa").status().code() ==
        absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace cdkv::domain

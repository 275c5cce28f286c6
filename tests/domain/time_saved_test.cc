#include "services/domain/time_saved.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "services/domain/working_calendar.h"
#include "tests/domain/catalog_test_data.h"

namespace cdkv::domain {
namespace {

using testing::ShippedCatalog;

absl::Time Local(int y, int m, int d, int hh) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0),
                         WorkingCalendar::Zone());
}

TEST_CASE("one filing keeps each component apart", "[time_saved]") {
  TimeBaseline baseline;
  baseline.citizen_form_minutes = 15;
  baseline.officer_form_minutes = 10;
  baseline.trips_avoided = 2;
  baseline.minutes_per_trip = 45;
  absl::StatusOr<TimeSavedBreakdown> saved =
      TimeSavedForFiling(baseline, absl::Minutes(4));
  REQUIRE(saved.ok());
  CHECK(saved->citizen_form_minutes == 15);
  CHECK(saved->officer_form_minutes == 10);
  CHECK(saved->trip_minutes == 90);
  CHECK(saved->officer_handling_minutes == 4);
  CHECK(saved->NetMinutes() == 111);

  // A slow review can cost more than the paper form did.
  TimeBaseline small;
  small.officer_form_minutes = 5;
  absl::StatusOr<TimeSavedBreakdown> negative =
      TimeSavedForFiling(small, absl::Minutes(8));
  REQUIRE(negative.ok());
  CHECK(negative->NetMinutes() == -3);

  CHECK(TimeSavedForFiling(baseline, absl::Minutes(-1)).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

std::vector<FilingFacts> SampleFilings() {
  FilingFacts birth;
  birth.procedure_code = "dang_ky_khai_sinh";
  birth.commune_code = "lv.binh_thanh";
  birth.received = Local(2026, 3, 2, 9);
  birth.officer_handling = absl::Minutes(5);
  birth.on_time = true;
  birth.fields_prefilled = 10;
  birth.fields_corrected = 1;

  FilingFacts late_birth = birth;
  late_birth.received = Local(2026, 3, 2, 14);
  late_birth.on_time = false;
  late_birth.fields_corrected = 3;

  FilingFacts pending = birth;  // not yet confirmed: counted, saves nothing
  pending.commune_code = "lv.thi_tran_lap_vo";
  pending.received = Local(2026, 3, 20, 10);
  pending.officer_handling.reset();
  pending.on_time.reset();
  pending.fields_prefilled = 8;
  pending.fields_corrected = 0;

  FilingFacts land;
  land.procedure_code = "dang_ky_bien_dong_dat_dai";
  land.commune_code = "lv.thi_tran_lap_vo";
  land.received = Local(2026, 4, 1, 8);
  land.officer_handling = absl::Minutes(10);
  land.fields_prefilled = 0;
  return {birth, late_birth, pending, land};
}

TEST_CASE("aggregate per commune and day", "[time_saved]") {
  absl::StatusOr<std::vector<SavingsRow>> rows = AggregateTimeSaved(
      ShippedCatalog(), SampleFilings(), GroupBy::kCommune, Period::kDay);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);

  const SavingsRow& binh_thanh = (*rows)[0];
  CHECK(binh_thanh.key == "lv.binh_thanh");
  CHECK(binh_thanh.period_start == absl::CivilDay(2026, 3, 2));
  CHECK(binh_thanh.filings == 2);
  CHECK(binh_thanh.confirmed == 2);
  // Khai sinh baseline: 15 + 10 form minutes, 1 trip of 60 minutes.
  CHECK(binh_thanh.saved.citizen_form_minutes == 30);
  CHECK(binh_thanh.saved.officer_form_minutes == 20);
  CHECK(binh_thanh.saved.trip_minutes == 120);
  CHECK(binh_thanh.saved.officer_handling_minutes == 10);
  CHECK(binh_thanh.saved.NetMinutes() == 160);
  CHECK(binh_thanh.OnTimeRate() == Approx(0.5));
  CHECK(binh_thanh.CorrectionRate() == Approx(4.0 / 20));

  const SavingsRow& town_march = (*rows)[1];
  CHECK(town_march.key == "lv.thi_tran_lap_vo");
  CHECK(town_march.period_start == absl::CivilDay(2026, 3, 20));
  CHECK(town_march.filings == 1);
  CHECK(town_march.confirmed == 0);
  CHECK(town_march.saved.NetMinutes() == 0);
  CHECK_FALSE(town_march.OnTimeRate().has_value());
  CHECK(town_march.CorrectionRate() == Approx(0.0));

  const SavingsRow& town_april = (*rows)[2];
  CHECK(town_april.period_start == absl::CivilDay(2026, 4, 1));
  // Land baseline: 30 + 20 form minutes, 2 trips of 90 minutes, minus 10.
  CHECK(town_april.saved.NetMinutes() == 30 + 20 + 180 - 10);
  CHECK_FALSE(town_april.CorrectionRate().has_value());
}

TEST_CASE("aggregate per district, procedure and month", "[time_saved]") {
  absl::StatusOr<std::vector<SavingsRow>> district = AggregateTimeSaved(
      ShippedCatalog(), SampleFilings(), GroupBy::kDistrict, Period::kMonth);
  REQUIRE(district.ok());
  REQUIRE(district->size() == 2);
  CHECK((*district)[0].key == "875");
  CHECK((*district)[0].period_start == absl::CivilDay(2026, 3, 1));
  CHECK((*district)[0].filings == 3);
  CHECK((*district)[0].saved.NetMinutes() == 160);
  CHECK((*district)[1].period_start == absl::CivilDay(2026, 4, 1));

  absl::StatusOr<std::vector<SavingsRow>> procedure = AggregateTimeSaved(
      ShippedCatalog(), SampleFilings(), GroupBy::kProcedure, Period::kMonth);
  REQUIRE(procedure.ok());
  REQUIRE(procedure->size() == 2);
  CHECK((*procedure)[0].key == "dang_ky_bien_dong_dat_dai");
  CHECK((*procedure)[1].key == "dang_ky_khai_sinh");
  CHECK((*procedure)[1].filings == 3);
}

TEST_CASE("the local day decides the period", "[time_saved]") {
  FilingFacts filing = SampleFilings()[0];
  // 23:30 UTC on 31 March is 06:30 on 1 April in Vietnam.
  filing.received = absl::FromCivil(absl::CivilSecond(2026, 3, 31, 23, 30, 0),
                                    absl::UTCTimeZone());
  absl::StatusOr<std::vector<SavingsRow>> rows = AggregateTimeSaved(
      ShippedCatalog(), {filing}, GroupBy::kCommune, Period::kMonth);
  REQUIRE(rows.ok());
  CHECK((*rows)[0].period_start == absl::CivilDay(2026, 4, 1));
}

TEST_CASE("bad filings are refused by index", "[time_saved]") {
  std::vector<FilingFacts> filings = SampleFilings();
  filings[2].procedure_code = "khai_sinh";
  absl::Status status = AggregateTimeSaved(ShippedCatalog(), filings,
                                           GroupBy::kCommune, Period::kDay)
                            .status();
  CHECK(status.code() == absl::StatusCode::kNotFound);
  CHECK(std::string(status.message()) ==
        "filing #2: unknown procedure \"khai_sinh\"");

  filings = SampleFilings();
  filings[1].commune_code = "lv.khong_co";
  CHECK(AggregateTimeSaved(ShippedCatalog(), filings, GroupBy::kCommune,
                           Period::kDay)
            .status()
            .code() == absl::StatusCode::kNotFound);

  filings = SampleFilings();
  filings[0].fields_corrected = 11;
  status = AggregateTimeSaved(ShippedCatalog(), filings, GroupBy::kCommune,
                              Period::kDay)
               .status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()),
             Catch::StartsWith("filing #0: 11 corrected of 10"));

  filings = SampleFilings();
  filings[3].officer_handling = absl::Minutes(-2);
  status = AggregateTimeSaved(ShippedCatalog(), filings, GroupBy::kCommune,
                              Period::kDay)
               .status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()), Catch::StartsWith("filing #3:"));

  absl::StatusOr<std::vector<SavingsRow>> empty =
      AggregateTimeSaved(ShippedCatalog(), {}, GroupBy::kCommune, Period::kDay);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

}  // namespace
}  // namespace cdkv::domain

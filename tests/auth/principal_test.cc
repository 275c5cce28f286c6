#include "services/auth/principal.h"

#include <catch2/catch.hpp>

namespace cdkv::auth {
namespace {

TEST_CASE("an officer may use only their own desks", "[principal]") {
  Principal officer;
  officer.role = domain::Role::kOfficer;
  officer.desk_codes = {"XA-1-MC", "XA-1-TP"};
  CHECK(officer.MayUseDesk("XA-1-MC"));
  CHECK(officer.MayUseDesk("XA-1-TP"));
  CHECK_FALSE(officer.MayUseDesk("XA-2-MC"));
  CHECK_FALSE(officer.MayUseDesk(""));
  CHECK_FALSE(officer.Oversees("271", "01"));

  Principal supervisor = officer;
  supervisor.role = domain::Role::kSupervisor;
  CHECK_FALSE(supervisor.MayUseDesk("XA-1-MC"));
}

TEST_CASE("a supervisor oversees their district or their province",
          "[principal]") {
  Principal district;
  district.role = domain::Role::kSupervisor;
  district.district_code = "271";
  district.province_code = "01";
  CHECK(district.Oversees("271", "01"));
  CHECK_FALSE(district.Oversees("272", "01"));  // Same province, not theirs.

  Principal province;
  province.role = domain::Role::kSupervisor;
  province.province_code = "01";
  CHECK(province.Oversees("271", "01"));
  CHECK(province.Oversees("272", "01"));
  CHECK_FALSE(province.Oversees("760", "79"));

  Principal nowhere;
  nowhere.role = domain::Role::kSupervisor;
  CHECK_FALSE(nowhere.Oversees("", ""));
}

TEST_CASE("a citizen is matched to their own account only", "[principal]") {
  Principal citizen;
  citizen.account_id = "cit_a";
  citizen.role = domain::Role::kCitizen;
  CHECK(citizen.IsCitizen("cit_a"));
  CHECK_FALSE(citizen.IsCitizen("cit_b"));

  Principal officer;
  officer.account_id = "cit_a";
  officer.role = domain::Role::kOfficer;
  CHECK_FALSE(officer.IsCitizen("cit_a"));
}

}  // namespace
}  // namespace cdkv::auth

#include <catch2/catch.hpp>
#include <random>

#include "ocr/id_number.h"
#include "ocr/mrz.h"
#include "ocr/qr_payload.h"
#include "ocr/text_utf8.h"
#include "tools/synth/identity.h"

namespace cdkv::synth {
namespace {

const ocr::Date kToday{2026, 11, 22};

TEST_CASE("Random identities are valid and self-consistent", "[ocr][synth]") {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 300; ++i) {
    const Identity p = RandomIdentity(rng);
    auto id = ocr::ParseCitizenId(p.id);
    REQUIRE(id.ok());
    CHECK(ocr::CheckCitizenIdAgainst(*id, p.birth_date, p.sex).empty());
    CHECK(ocr::IsComposedVietnamese(p.full_name));
    CHECK(p.expiry_date > p.issue_date);
    CHECK(p.issue_date > p.birth_date);

    auto qr = ocr::ParseIdCardQr(QrPayload(p));
    REQUIRE(qr.ok());
    CHECK(qr->id.number == p.id);
    CHECK(qr->full_name == p.full_name);
    CHECK(qr->birth_date == p.birth_date);
    CHECK(qr->id_disagreements.empty());

    const auto lines = MrzLines(p);
    auto mrz =
        ocr::ParseTd1(lines[0] + "\n" + lines[1] + "\n" + lines[2], kToday);
    REQUIRE(mrz.ok());
    CHECK(mrz->composite_verified);
    REQUIRE(mrz->citizen_id.has_value());
    CHECK(mrz->citizen_id->value == p.id);
    CHECK(mrz->citizen_id->verified);
    CHECK(mrz->birth_date == p.birth_date);
    CHECK(mrz->sex == p.sex);
    CHECK(*ocr::MrzNameMatches(*mrz, p.full_name));
  }
}

TEST_CASE("Identities are deterministic for a seed", "[ocr][synth]") {
  std::mt19937_64 a(7), b(7), c(8);
  const Identity x = RandomIdentity(a), y = RandomIdentity(b),
                 z = RandomIdentity(c);
  CHECK(QrPayload(x) == QrPayload(y));
  CHECK(QrPayload(x) != QrPayload(z));
}

}  // namespace
}  // namespace cdkv::synth

// The paper-document classifier and reader on the committed cdkv-synth pages
// (tests/ocr/data/synth_pages: --count 8 --seed 2026 --width 2048, kinds
// birth_notice death_notice extract other, levels 0 and 1).
#include "ocr/page_reader.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "ocr/document_classifier.h"
#include "ocr/id_card_reader.h"
#include "ocr/id_number.h"
#include "tests/ocr/synth_test_util.h"
#include "tools/synth/identity.h"
#include "tools/synth/page_render.h"
#include "tools/synth/photograph.h"

namespace cdkv::ocr {
namespace {

std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), {}};
}

PageReader& Reader() {
  static std::unique_ptr<PageReader> reader = [] {
    auto r = PageReader::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  return *reader;
}

TEST_CASE("titles are matched folded, with a tolerance, and only as titles") {
  CHECK(FoldForMatching("Họ, chữ đệm, tên:") == "HO CHU DEM TEN");
  CHECK(FoldForMatching("\xff\xfe").empty());
  CHECK(ClassifyTitle({"GIẤY CHỨNG SINH"}).kind == DocumentKind::kBirthNotice);
  // A dropped tone mark and a misread letter still match.
  CHECK(ClassifyTitle({"GIAY CHÚNG SINH"}).kind == DocumentKind::kBirthNotice);
  CHECK(ClassifyTitle({"GIẤY BÁO TỬ"}).kind == DocumentKind::kDeathNotice);
  CHECK(ClassifyTitle({"TRÍCH LỤC KHAI SINH"}).kind ==
        DocumentKind::kBirthExtract);
  CHECK(ClassifyTitle({"GIẤY KHAI SINH"}).kind == DocumentKind::kBirthExtract);
  // One word apart from a known title is another paper.
  CHECK(ClassifyTitle({"GIẤY CHỨNG NHẬN"}).kind == DocumentKind::kOther);
  // A sentence mentioning a title is not the title.
  CHECK(ClassifyTitle({"Kèm theo bản sao giấy khai sinh của con và hồ sơ "
                       "đăng ký thường trú tại địa phương"})
            .kind == DocumentKind::kOther);
  const TitleClass motto = ClassifyTitle(
      {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"});
  CHECK(motto.motto_seen);
  CHECK(motto.kind == DocumentKind::kOther);
  CHECK(ClassifyTitle({}).kind == DocumentKind::kOther);
  CHECK_FALSE(ClassifyTitle({"", "\xc3"}).motto_seen);
}

TEST_CASE("synthetic pages are deterministic and internally consistent") {
  auto renderer = synth::PageRenderer::Create();
  REQUIRE(renderer.ok());
  for (synth::PageKind kind :
       {synth::PageKind::kBirthNotice, synth::PageKind::kDeathNotice,
        synth::PageKind::kBirthExtract, synth::PageKind::kOther}) {
    INFO(synth::PageKindName(kind));
    std::mt19937_64 a(42), b(42);
    const synth::PageContent ca = synth::RandomPageContent(kind, a);
    const synth::PageContent cb = synth::RandomPageContent(kind, b);
    CHECK(ca.fields == cb.fields);
    const cv::Mat pa = renderer->Render(ca, 600, a);
    const cv::Mat pb = renderer->Render(cb, 600, b);
    REQUIRE(pa.size() == cv::Size(600, 849));
    CHECK(cv::norm(pa, pb, cv::NORM_INF) == 0);
    std::map<std::string, std::string> f(ca.fields.begin(), ca.fields.end());
    // Whoever the ID number belongs to, it agrees with what the page says.
    if (kind == synth::PageKind::kBirthNotice) {
      auto id = ParseCitizenId(f["mother_id_number"]);
      REQUIRE(id.ok());
      CHECK(id->sex == Sex::kFemale);
      CHECK(std::to_string(id->birth_year) == f["mother_birth_year"]);
    } else if (kind != synth::PageKind::kOther) {
      auto id = ParseCitizenId(f["id_number"]);
      REQUIRE(id.ok());
      auto dob = ParsePrintedDate(f["date_of_birth"]);
      REQUIRE(dob.ok());
      CHECK(id->birth_year == dob->year);
      CHECK((id->sex == Sex::kMale ? "Nam" : "Nữ") == f["sex"]);
    }
    if (kind == synth::PageKind::kDeathNotice) {
      CHECK(*ParsePrintedDate(f["date_of_birth"]) <
            *ParsePrintedDate(f["date_of_death"]));
    }
  }
}

TEST_CASE("committed pages: kind detected, fields right, none wrong and sure") {
  const std::string dir = CDKV_OCR_TEST_DATA "/synth_pages/";
  int fields = 0, right = 0;
  for (int i = 0; i < 8; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%04d", i);
    INFO(name);
    std::ifstream truth_in(dir + name + ".json");
    const nlohmann::json truth = nlohmann::json::parse(truth_in);
    auto reading = Reader().Read(ReadBytes(dir + name + ".jpg"), i);
    REQUIRE(reading.ok());
    CHECK(DocumentKindName(reading->kind) == truth["kind"].get<std::string>());
    CHECK(reading->motto_seen);
    CHECK(reading->page_quad.has_value());
    CHECK_FALSE(reading->full_text.empty());
    for (const auto& [key, value] : truth["fields"].items()) {
      if (key == "holder_name") continue;  // Not read from other papers.
      INFO(key);
      ++fields;
      auto it = reading->fields.find(key);
      if (it == reading->fields.end()) continue;
      const Reading& best = it->second.best;
      right += best.value == value.get<std::string>();
      CHECK(best.method == ReadMethod::kPrintedText);
      CHECK(best.photo_index == i);
      // The worst defect: a wrong value the officer would not be shown.
      if (best.confidence >= kReviewThreshold) {
        CHECK(best.value == value.get<std::string>());
      }
      // Regions point into the photo.
      for (const auto& p : best.region) {
        CHECK(p.x >= -50);
        CHECK(p.y >= -50);
        CHECK(p.x <= truth["width"].get<int>() + 50);
        CHECK(p.y <= truth["height"].get<int>() + 50);
      }
    }
  }
  INFO(right << " of " << fields);
  CHECK(right >= fields * 90 / 100);
}

// Photo `index` of `cdkv-synth --seed SEED --width 3000 --level 3 --kinds
// birth_notice death_notice extract other`, made in memory.
struct PagePhoto {
  std::map<std::string, std::string> fields;
  std::vector<uint8_t> jpeg;
};

PagePhoto LevelThreePage(uint32_t seed, uint32_t index, synth::PageKind kind,
                         int width = 3000, int level = 3) {
  static const synth::PageRenderer renderer = [] {
    auto r = synth::PageRenderer::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  std::seed_seq seq{seed, 0u, index};
  std::mt19937_64 rng(seq);
  synth::RandomIdentity(rng);  // As the generator does, to stay in step.
  const synth::PageContent content = synth::RandomPageContent(kind, rng);
  synth::PhotoOptions options;
  options.level = level;
  options.frame = cv::Size(width * 3 / 4, width);
  const synth::Photo photo =
      synth::Photograph(renderer.Render(content, width, rng), options, rng);
  return {{content.fields.begin(), content.fields.end()}, testing::Jpeg(photo)};
}

TEST_CASE("blurred level-3 extracts: labels found and names keep their marks") {
  // Photos 6 and 10 of seed 11 are blurred, low-contrast extracts on which
  // the Sauvola layout pass found no line at all (0 of 22 fields), and
  // photo 14 had three names with dropped tone marks ("PHAM", "ĐÁNG").
  int fields = 0, right = 0;
  for (uint32_t index : {6u, 10u, 14u}) {
    INFO("photo " << index);
    const PagePhoto page =
        LevelThreePage(11, index, synth::PageKind::kBirthExtract);
    auto reading = Reader().Read(page.jpeg, 0);
    REQUIRE(reading.ok());
    CHECK(reading->kind == DocumentKind::kBirthExtract);
    for (const char* key :
         {"person_name", "date_of_birth", "sex", "id_number", "mother_name",
          "father_name", "registration_date"}) {
      INFO(key);
      ++fields;
      auto it = reading->fields.find(key);
      if (it == reading->fields.end()) continue;
      const Reading& best = it->second.best;
      const bool ok = best.value == page.fields.at(key);
      right += ok;
      if (!ok) CHECK(best.confidence < kReviewThreshold);
    }
  }
  INFO(right << " of " << fields);
  CHECK(right >= fields * 85 / 100);
}

TEST_CASE("12-MP level-3 other documents: the italic date line is found") {
  // Photos 3, 35 and 39 of `cdkv-synth --seed 515 --width 4000 --level 3`:
  // the layout pass skipped the blurred date line (3, 35) or read its year
  // 2025 as 2029, a date not come yet (39).
  const std::map<uint32_t, std::string> want = {
      {3, "06/08/2018"}, {35, "27/07/2019"}, {39, "22/07/2025"}};
  for (const auto& [index, date] : want) {
    INFO("photo " << index);
    const PagePhoto page =
        LevelThreePage(515, index, synth::PageKind::kOther, 4000);
    REQUIRE(page.fields.at("issue_date") == date);
    auto reading = Reader().Read(page.jpeg, 0);
    REQUIRE(reading.ok());
    CHECK(reading->kind == DocumentKind::kOther);
    REQUIRE(reading->fields.count("issue_date"));
    const Reading& best = reading->fields["issue_date"].best;
    CHECK(best.value == date);
    if (best.value != date) CHECK(best.confidence < kReviewThreshold);
  }
}

TEST_CASE("a shadow across the labels does not hide the fields") {
  // A level-0 death notice with the right part of the photo in a shadow
  // whose edge crosses the labels: Sauvola read "Họ và tên người chết" as
  // "Hộ và Lên 00001) chiết" and Otsu lost the shaded half.
  const PagePhoto page =
      LevelThreePage(515, 1, synth::PageKind::kDeathNotice, 4000, 0);
  cv::Mat photo = cv::imdecode(page.jpeg, cv::IMREAD_COLOR);
  REQUIRE(!photo.empty());
  cv::Mat mask(photo.size(), CV_32F, cv::Scalar(1.0));
  std::vector<cv::Point> shade = {{photo.cols * 2 / 5, 0},
                                  {photo.cols, 0},
                                  {photo.cols, photo.rows},
                                  {photo.cols / 2, photo.rows}};
  cv::fillConvexPoly(mask, shade, cv::Scalar(0.3));
  // As soft as the generator's level-3 shadow, twice as deep (70% of the
  // light taken, against 35%); the reader before 2026-11-23 missed two or
  // more of the five fields.
  cv::GaussianBlur(mask, mask, {0, 0}, photo.cols / 80.0);
  cv::Mat f;
  photo.convertTo(f, CV_32FC3);
  std::vector<cv::Mat> channels;
  cv::split(f, channels);
  for (cv::Mat& c : channels) c = c.mul(mask);
  cv::merge(channels, f);
  f.convertTo(photo, CV_8UC3);
  std::vector<uint8_t> jpeg;
  REQUIRE(cv::imencode(".jpg", photo, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90}));
  auto reading = Reader().Read(jpeg, 0);
  REQUIRE(reading.ok());
  CHECK(reading->kind == DocumentKind::kDeathNotice);
  int right = 0, fields = 0;
  for (const char* key : {"deceased_name", "date_of_birth", "sex", "id_number",
                          "date_of_death"}) {
    INFO(key);
    ++fields;
    auto it = reading->fields.find(key);
    if (it == reading->fields.end()) continue;
    const bool ok = it->second.best.value == page.fields.at(key);
    right += ok;
    if (!ok) CHECK(it->second.best.confidence < kReviewThreshold);
  }
  CHECK(right >= fields - 1);
}

TEST_CASE("a page smeared by camera shake is restored before it is read") {
  // A level-0 death notice (12 MP) smeared 13 px along 30°, as a shaking
  // hand does at level 3; a note tells the officer the photo was restored.
  const PagePhoto page =
      LevelThreePage(515, 1, synth::PageKind::kDeathNotice, 4000, 0);
  const cv::Mat sharp = cv::imdecode(page.jpeg, cv::IMREAD_COLOR);
  REQUIRE(!sharp.empty());
  auto restored_note = [](const PageReading& r) {
    for (const std::string& note : r.notes) {
      if (note.find("rung máy") != std::string::npos) return true;
    }
    return false;
  };
  auto sharp_reading = Reader().Read(page.jpeg, 0);
  REQUIRE(sharp_reading.ok());
  CHECK_FALSE(restored_note(*sharp_reading));

  constexpr int kSize = 27;
  cv::Mat fine = cv::Mat::zeros(kSize * 8, kSize * 8, CV_32F);
  const cv::Point2d c(kSize * 4.0, kSize * 4.0);
  const cv::Point2d d(std::cos(CV_PI / 6) * 13 * 4,
                      std::sin(CV_PI / 6) * 13 * 4);
  cv::line(fine, c - d, c + d, cv::Scalar(1.0), 3, cv::LINE_AA);
  cv::Mat kernel;
  cv::resize(fine, kernel, {kSize, kSize}, 0, 0, cv::INTER_AREA);
  kernel /= cv::sum(kernel)[0];
  cv::Mat smeared;
  cv::filter2D(sharp, smeared, -1, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
  std::vector<uint8_t> jpeg;
  REQUIRE(cv::imencode(".jpg", smeared, jpeg, {cv::IMWRITE_JPEG_QUALITY, 80}));
  auto reading = Reader().Read(jpeg, 0);
  REQUIRE(reading.ok());
  CHECK(restored_note(*reading));
  CHECK(reading->kind == DocumentKind::kDeathNotice);
  int right = 0, fields = 0;
  for (const char* key : {"deceased_name", "date_of_birth", "sex", "id_number",
                          "date_of_death"}) {
    INFO(key);
    ++fields;
    auto it = reading->fields.find(key);
    if (it == reading->fields.end()) continue;
    const bool ok = it->second.best.value == page.fields.at(key);
    right += ok;
    if (!ok) CHECK(it->second.best.confidence < kReviewThreshold);
  }
  CHECK(right >= fields - 1);
}

TEST_CASE("the detail photo: the same page read from a reduced copy") {
  const std::string dir = CDKV_OCR_TEST_DATA "/synth_pages/";
  const std::vector<uint8_t> bytes = ReadBytes(dir + "0001.jpg");
  const cv::Mat full = cv::imdecode(bytes, cv::IMREAD_COLOR);
  REQUIRE(!full.empty());
  cv::Mat half;
  cv::resize(full, half, {}, 0.5, 0.5, cv::INTER_AREA);
  cv::Mat gray;
  cv::cvtColor(full, gray, cv::COLOR_BGR2GRAY);
  auto whole = Reader().Read(bytes, 0);
  REQUIRE(whole.ok());
  for (const cv::Mat& detail : {full, gray}) {
    auto reading = Reader().ReadDecoded(half, 2.0, 0, detail);
    REQUIRE(reading.ok());
    CHECK(reading->kind == whole->kind);
    for (const char* key : {"deceased_name", "id_number", "date_of_birth"}) {
      INFO(key);
      REQUIRE(reading->fields.count(key));
      CHECK(reading->fields[key].best.value == whole->fields[key].best.value);
    }
  }
  // A detail photo smaller than the copy, or of another pixel type, is a
  // caller's mistake.
  CHECK(Reader().ReadDecoded(full, 1.0, 0, half).status().code() ==
        absl::StatusCode::kInvalidArgument);
  cv::Mat wide;
  full.convertTo(wide, CV_16UC3);
  CHECK(Reader().ReadDecoded(half, 2.0, 0, wide).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a name is never sure from one page, a validated ID number is") {
  const std::string dir = CDKV_OCR_TEST_DATA "/synth_pages/";
  auto reading = Reader().Read(ReadBytes(dir + "0001.jpg"), 0);  // Death.
  REQUIRE(reading.ok());
  REQUIRE(reading->fields.count("deceased_name"));
  CHECK(reading->fields["deceased_name"].best.confidence < kReviewThreshold);
  REQUIRE(reading->fields.count("id_number"));
  CHECK(reading->fields["id_number"].best.confidence >= kReviewThreshold);
}

TEST_CASE("bad input to the page reader: errors or empty readings") {
  std::mt19937 rng(7);
  std::vector<uint8_t> noise(5000);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  CHECK_FALSE(Reader().Read(noise, 0).ok());
  CHECK_FALSE(Reader().Read({}, 0).ok());
  CHECK_FALSE(Reader().ReadDecoded(cv::Mat(), 1.0, 0).ok());
  CHECK_FALSE(Reader().ReadDecoded(cv::Mat(50, 50, CV_8UC1), 1.0, 0).ok());

  // A blank wall: nothing found, nothing read.
  const auto wall = testing::MakePhoto(testing::Side::kNothing, 0, 5);
  auto blank = Reader().Read(testing::Jpeg(wall.photo), 0);
  REQUIRE(blank.ok());
  CHECK(blank->kind == DocumentKind::kNone);
  CHECK(blank->fields.empty());
  CHECK_FALSE(blank->notes.empty());

  // An ID card is not a page: handed back for the card reader, no fields.
  const auto card = testing::MakePhoto(testing::Side::kFront, 0, 9);
  auto as_page = Reader().Read(testing::Jpeg(card.photo), 0);
  REQUIRE(as_page.ok());
  CHECK((as_page->kind == DocumentKind::kIdCard ||
         as_page->kind == DocumentKind::kNone));
  CHECK(as_page->fields.empty());

  // A page cut in half (truncated JPEG) is refused by the decoder.
  auto bytes = ReadBytes(CDKV_OCR_TEST_DATA "/synth_pages/0000.jpg");
  bytes.resize(bytes.size() / 2);
  CHECK_FALSE(Reader().Read(bytes, 0).ok());
}

// A level-0 12-MP photo of `content` after `edit` changed the printed page.
template <typename Edit>
std::vector<uint8_t> EditedPagePhoto(const synth::PageContent& content,
                                     uint32_t seed, Edit edit) {
  static const synth::PageRenderer renderer = [] {
    auto r = synth::PageRenderer::Create();
    REQUIRE(r.ok());
    return *std::move(r);
  }();
  std::mt19937_64 rng(seed);
  cv::Mat page = renderer.Render(content, 3000, rng);
  edit(page);
  synth::PhotoOptions options;
  options.level = 0;
  options.frame = cv::Size(3000, 4000);
  return testing::Jpeg(synth::Photograph(page, options, rng));
}

TEST_CASE("a misprinted sex label: the value is still read, below review") {
  // "Gán tính" (two edits from "Giới tính") is beyond the label's budget;
  // the line under the birth date is read again for Nam/Nữ.
  std::mt19937_64 rng(404);
  synth::RandomIdentity(rng);
  synth::PageContent content =
      synth::RandomPageContent(synth::PageKind::kBirthExtract, rng);
  bool replaced = false;
  for (std::string& line : content.body) {
    if (line.rfind("Giới tính: ", 0) == 0) {
      line.replace(0, std::string("Giới tính").size(), "Gán tính");
      replaced = true;
    }
  }
  REQUIRE(replaced);
  std::string sex;
  for (const auto& [key, value] : content.fields) {
    if (key == "sex") sex = value;
  }
  REQUIRE(!sex.empty());
  auto reading =
      Reader().Read(EditedPagePhoto(content, 404, [](cv::Mat&) {}), 0);
  REQUIRE(reading.ok());
  CHECK(reading->kind == DocumentKind::kBirthExtract);
  REQUIRE(reading->fields.count("sex"));
  CHECK(reading->fields["sex"].best.value == sex);
  CHECK(reading->fields["sex"].best.confidence < kReviewThreshold);
}

TEST_CASE("a title below the header band still picks the paper's fields") {
  // A tall issuer block pushes the title out of the band read to orient
  // the page: the band shows only the motto, so the paper first looks like
  // an "other document", which has no fields. The whole page's lines then
  // find the title, and the extract's fields must be looked for as such.
  std::mt19937_64 rng(406);
  synth::RandomIdentity(rng);
  const synth::PageContent content =
      synth::RandomPageContent(synth::PageKind::kBirthExtract, rng);
  std::vector<uint8_t> jpeg = EditedPagePhoto(content, 406, [](cv::Mat& page) {
    // Everything from just under the motto down moves a quarter of the page
    // lower; the page's foot, the signature, falls off.
    const int from = page.rows * 14 / 100;
    const int shift = page.rows * 26 / 100;
    cv::Mat moved =
        page(cv::Rect(0, from, page.cols, page.rows - from - shift)).clone();
    page(cv::Rect(0, from, page.cols, shift)).setTo(cv::Scalar(255, 255, 255));
    moved.copyTo(page(cv::Rect(0, from + shift, page.cols, moved.rows)));
  });
  auto reading = Reader().Read(jpeg, 0);
  REQUIRE(reading.ok());
  CHECK(reading->kind == DocumentKind::kBirthExtract);
  int right = 0;
  for (const auto& [key, value] : content.fields) {
    auto it = reading->fields.find(key);
    if (it != reading->fields.end() && it->second.best.value == value) ++right;
  }
  CHECK(right >= 5);
}

TEST_CASE("an upside-down page with no readable header is an other document") {
  // The top of the page (issuer, motto, title) wiped out, the photo turned
  // upside down: the way up comes from the body's text.
  std::mt19937_64 rng(405);
  synth::RandomIdentity(rng);
  const synth::PageContent content =
      synth::RandomPageContent(synth::PageKind::kOther, rng);
  std::vector<uint8_t> jpeg = EditedPagePhoto(content, 405, [](cv::Mat& page) {
    cv::rectangle(page, cv::Rect(0, 0, page.cols, page.rows * 30 / 100),
                  cv::Scalar(255, 255, 255), cv::FILLED);
  });
  cv::Mat photo = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  cv::rotate(photo, photo, cv::ROTATE_180);
  std::vector<uint8_t> turned;
  REQUIRE(cv::imencode(".jpg", photo, turned));
  auto reading = Reader().Read(turned, 0);
  REQUIRE(reading.ok());
  CHECK(reading->kind == DocumentKind::kOther);
  std::string date;
  for (const auto& [key, value] : content.fields) {
    if (key == "issue_date") date = value;
  }
  REQUIRE(reading->fields.count("issue_date"));
  CHECK(reading->fields["issue_date"].best.value == date);
  // A blank page turned either way is still nothing.
  cv::Mat blank(4000, 3000, CV_8UC3, cv::Scalar(200, 200, 200));
  std::vector<uint8_t> blank_jpeg;
  REQUIRE(cv::imencode(".jpg", blank, blank_jpeg));
  auto nothing = Reader().Read(blank_jpeg, 0);
  REQUIRE(nothing.ok());
  CHECK(nothing->kind == DocumentKind::kNone);
}

}  // namespace
}  // namespace cdkv::ocr

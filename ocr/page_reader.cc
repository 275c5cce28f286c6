#include "ocr/page_reader.h"

#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ocr/citizen_id_vote.h"
#include "ocr/dates.h"
#include "ocr/id_card_reader.h"
#include "ocr/id_number.h"
#include "ocr/motion_blur.h"
#include "ocr/page_lines.h"
#include "ocr/page_values.h"
#include "ocr/qr_payload.h"
#include "ocr/qr_reader.h"
#include "ocr/string_view_compat.h"
#include "ocr/text_utf8.h"
#include "ocr/vietnamese_name.h"

namespace cdkv::ocr {
namespace {

// Values whose validation passes, read alike twice with Tesseract sure of
// both readings.
constexpr double kProvenConfidence = 0.9;
// A closed-set word (sex, nationality) or a validated number read alike
// twice, with nothing else to check it against.
constexpr double kClosedSetConfidence = 0.85;
constexpr double kMinTesseractForProof = 0.85;
// Free text (names, addresses) cannot be validated from one page.
constexpr double kUnverifiableCap = 0.75;
constexpr double kUnprovenConfidence = 0.6;
constexpr double kContradictedConfidence = 0.3;
// The best spelling of a name must beat the runner-up by this much
// (log-probability, about 2x) for its tone marks to count as read.
constexpr double kNameClearMargin = 0.7;
// Spellings of a name kept from the vote: enough to hold the father's
// family name among a child's (BestWithFamily).
constexpr size_t kNameCandidates = 16;
// A name's word this many line heights past the one before it is still the
// name's when it is a capitalised syllable: blur shrinks a word's box
// ("ĐỨC" boxed as "ĐỤ"), and the gap after it then passes for a cell's.
constexpr double kNameTailGapLines = 3.5;
// Names, and dates and numbers whose readings disagree, are also read on an
// unsharp-masked crop (this sigma, in page pixels): blur drops different
// marks on it.
constexpr double kSharpenSigma = 1.5;
constexpr double kSharpenAmount = 1.0;
// The header (issuer, motto, title) lies in this top share of the page.
constexpr double kHeaderShare = 0.4;
// Two cells of one printed line are separated by more than this many line
// heights ("Giới tính: Nam        Dân tộc: Kinh").
constexpr double kCellGapLines = 2.2;
constexpr double kSqrt2 = 1.41421356;
// The light is estimated with a closing this many times narrower than the
// page: wider than the title's bold strokes, narrower than a shadow's edge.
constexpr int kLightKernelDivisor = 76;
// Lines right of centre read again when the layout pass found no date line.
constexpr size_t kMaxDateLineCandidates = 6;
// Field lines are re-warped from the full photo at up to this many times
// the page's scale; Tesseract shrinks lines to about 48 px anyway.
constexpr double kMaxDetailScale = 2.0;
constexpr size_t kIdDigits = 12;
// A line whose label was not read is taken for the ID number's when it
// holds at least this many digits.
constexpr size_t kMinUnlabelledIdDigits = 9;
// A page whose title was not read is turned the way that gives at least
// this many words Tesseract is sure of (this sure), and this many times
// more than the other way.
constexpr double kSureWordConfidence = 0.8;
constexpr double kMinSureWordsToOrient = 12;
constexpr double kOrientationRatio = 2.0;

struct Word {
  std::string text;
  std::string folded;
  cv::Rect box;
  double confidence = 0;
};

struct Line {
  std::vector<Word> words;
  cv::Rect box;
  std::string Text() const {
    std::string s;
    for (const Word& w : words) {
      if (!s.empty()) s.push_back(' ');
      s += w.text;
    }
    return s;
  }
};

// A run of words on one line with no wide gap: one label and its value.
struct Cell {
  int line = 0;
  std::vector<Word> words;
  bool used = false;
};

std::string Lower(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  u.toLower(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string TitleCase(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  u.toLower(icu::Locale("vi"));
  u.toTitle(nullptr, icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string Upper(const std::string& s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  u.toUpper(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string DigitsOf(std::string_view text) {
  std::string d;
  for (char c : text) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  return d;
}

cv::Rect Union(const std::vector<Word>& words, size_t from) {
  cv::Rect r;
  for (size_t i = from; i < words.size(); ++i) {
    r = r.area() == 0 ? words[i].box : (r | words[i].box);
  }
  return r;
}

std::string JoinText(const std::vector<Word>& words, size_t from) {
  std::string s;
  for (size_t i = from; i < words.size(); ++i) {
    if (!s.empty()) s.push_back(' ');
    s += words[i].text;
  }
  return s;
}

double MinConfidence(const std::vector<Word>& words, size_t from) {
  double c = 1.0;
  for (size_t i = from; i < words.size(); ++i) {
    c = std::min(c, words[i].confidence);
  }
  return from < words.size() ? c : 0.0;
}

// Agency names are words only: stray marks Tesseract reads around them
// (quotes, a full stop from the underline) are dropped, spaces collapsed.
std::string LettersAndSpaces(const std::string& text) {
  auto cps = DecodeUtf8(text);
  if (!cps.ok()) return text;
  icu::UnicodeString kept;
  for (char32_t cp : *cps) {
    if (u_isalnum(static_cast<UChar32>(cp))) {
      kept.append(static_cast<UChar32>(cp));
    } else if (kept.length() > 0 && kept.charAt(kept.length() - 1) != ' ') {
      kept.append(static_cast<UChar32>(' '));
    }
  }
  kept.trim();
  std::string out;
  kept.toUTF8String(out);
  return out;
}

// Tesseract's layout pass over `roi` of a grey page; `mode` PSM_SINGLE_LINE
// reads a band known to hold one line even where the layout analysis would
// take its blurred strokes for an image.
std::vector<Line> LayoutLines(
    tesseract::TessBaseAPI& api, const cv::Mat& gray, const cv::Rect& roi,
    tesseract::PageSegMode mode = tesseract::PSM_AUTO) {
  std::vector<Line> lines;
  api.SetPageSegMode(mode);
  // A sub-image rather than SetRectangle: Tesseract 5.3 read the top band
  // of our pages as garbage through SetRectangle (see ocr/README.md).
  const cv::Mat part = gray(roi);
  api.SetImage(part.data, part.cols, part.rows, 1,
               static_cast<int>(part.step[0]));
  if (api.Recognize(nullptr) != 0) {
    api.Clear();
    return lines;
  }
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  if (it != nullptr) {
    do {
      if (it->Empty(tesseract::RIL_WORD)) continue;
      std::unique_ptr<char[]> raw(it->GetUTF8Text(tesseract::RIL_WORD));
      if (raw == nullptr) continue;
      auto nfc = NormalizeNfc(raw.get());
      if (!nfc.ok() || nfc->empty()) continue;
      int x0, y0, x1, y1;
      it->BoundingBox(tesseract::RIL_WORD, &x0, &y0, &x1, &y1);
      if (lines.empty() || it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
        lines.emplace_back();
      }
      Word w;
      w.text = *std::move(nfc);
      w.folded = FoldForMatching(w.text);
      w.box = cv::Rect(roi.x + x0, roi.y + y0, std::max(1, x1 - x0),
                       std::max(1, y1 - y0));
      w.confidence =
          std::clamp(it->Confidence(tesseract::RIL_WORD) / 100.0, 0.0, 1.0);
      lines.back().words.push_back(std::move(w));
    } while (it->Next(tesseract::RIL_WORD));
  }
  api.Clear();
  std::erase_if(lines, [](const Line& l) { return l.words.empty(); });
  for (Line& l : lines) l.box = Union(l.words, 0);
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    return a.box.y + a.box.height / 2 < b.box.y + b.box.height / 2;
  });
  return lines;
}

std::vector<std::string> Texts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const Line& l : lines) out.push_back(l.Text());
  return out;
}

std::vector<Cell> Cells(const std::vector<Line>& lines) {
  std::vector<Cell> cells;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    Cell cell{static_cast<int>(i), {}, false};
    for (const Word& w : line.words) {
      if (!cell.words.empty()) {
        const Word& prev = cell.words.back();
        const int gap = w.box.x - prev.box.br().x;
        if (gap > kCellGapLines * std::max(prev.box.height, w.box.height)) {
          cells.push_back(std::move(cell));
          cell = Cell{static_cast<int>(i), {}, false};
        }
      }
      cell.words.push_back(w);
    }
    if (!cell.words.empty()) cells.push_back(std::move(cell));
  }
  return cells;
}

// A nationality read within this many letters of VIETNAM ("Việt Nazn";
// the nationalities papers give are far from it: Lào, Trung Quốc).
constexpr int kNationalityEdits = 2;

// The ethnic group two readings of a value give: one spelled exactly
// (diacritics aside) before one spelled nearly, the re-read line first.
std::optional<EthnicGroupMatch> BestEthnicGroup(std::string_view line,
                                                std::string_view page) {
  const auto a = EthnicGroupOf(line);
  const auto b = EthnicGroupOf(page);
  if (a.has_value() && a->exact) return a;
  if (b.has_value() && b->exact) return b;
  return a.has_value() ? a : b;
}

// Whether both readings spell the same ethnic group (diacritics aside).
bool EthnicGroupsAgree(std::string_view line, std::string_view page) {
  const auto a = EthnicGroupOf(line);
  const auto b = EthnicGroupOf(page);
  return a.has_value() && b.has_value() && a->exact && b->exact &&
         a->name == b->name;
}

enum class ValueKind {
  kName,
  kDate,
  kIdNumber,
  kSex,
  kYear,
  kText,
  kTimeDate,
  kNationality,
  kEthnicity,
  kWeight,
};

struct FieldSpec {
  std::string_view key;
  std::vector<std::string_view> labels;  // Folded.
  ValueKind kind;
  // For kTimeDate: the time's key.
  std::string_view time_key = {};
};

const std::vector<FieldSpec>& Specs(DocumentKind kind) {
  static const std::vector<FieldSpec> kBirth = {
      {"mother_name", {"HO VA TEN ME", "HO TEN ME"}, ValueKind::kName},
      {"mother_birth_year", {"NAM SINH"}, ValueKind::kYear},
      {"mother_id_number",
       {"SO CCCD", "SO CMND CCCD", "SO DINH DANH CA NHAN"},
       ValueKind::kIdNumber},
      {"mother_residence", {"NOI THUONG TRU", "NOI CU TRU"}, ValueKind::kText},
      {"date_of_birth",
       {"DA SINH CON VAO LUC", "SINH CON VAO LUC"},
       ValueKind::kTimeDate,
       "time_of_birth"},
      {"place_of_birth", {"TAI", "NOI SINH"}, ValueKind::kText},
      {"sex", {"GIOI TINH CUA CON", "GIOI TINH"}, ValueKind::kSex},
      {"weight_grams", {"CAN NANG"}, ValueKind::kWeight},
      {"child_name", {"DU DINH DAT TEN CON"}, ValueKind::kName},
  };
  static const std::vector<FieldSpec> kDeath = {
      {"deceased_name", {"HO VA TEN NGUOI CHET"}, ValueKind::kName},
      {"date_of_birth", {"NGAY THANG NAM SINH"}, ValueKind::kDate},
      {"sex", {"GIOI TINH"}, ValueKind::kSex},
      {"id_number",
       {"SO CCCD", "SO CMND CCCD", "SO DINH DANH CA NHAN"},
       ValueKind::kIdNumber},
      {"residence", {"NOI THUONG TRU", "NOI CU TRU"}, ValueKind::kText},
      {"date_of_death",
       {"DA CHET VAO LUC", "CHET VAO LUC"},
       ValueKind::kTimeDate,
       "time_of_death"},
      {"place_of_death", {"NOI CHET"}, ValueKind::kText},
      {"cause", {"NGUYEN NHAN CHET"}, ValueKind::kText},
  };
  static const std::vector<FieldSpec> kExtract = {
      {"mother_name", {"HO CHU DEM TEN NGUOI ME"}, ValueKind::kName},
      {"father_name", {"HO CHU DEM TEN NGUOI CHA"}, ValueKind::kName},
      {"person_name", {"HO CHU DEM TEN", "HO VA TEN"}, ValueKind::kName},
      {"date_of_birth", {"NGAY THANG NAM SINH"}, ValueKind::kDate},
      {"sex", {"GIOI TINH"}, ValueKind::kSex},
      {"ethnicity", {"DAN TOC"}, ValueKind::kEthnicity},
      {"nationality", {"QUOC TICH"}, ValueKind::kNationality},
      {"place_of_birth", {"NOI SINH"}, ValueKind::kText},
      {"id_number", {"SO DINH DANH CA NHAN"}, ValueKind::kIdNumber},
      {"registration_date", {"NGAY DANG KY"}, ValueKind::kDate},
  };
  static const std::vector<FieldSpec> kNone = {};
  switch (kind) {
    case DocumentKind::kBirthNotice:
      return kBirth;
    case DocumentKind::kDeathNotice:
      return kDeath;
    case DocumentKind::kBirthExtract:
      return kExtract;
    default:
      return kNone;
  }
}

// How many leading words of `cell` spell `label` (within one edit per six
// characters), or 0.
size_t MatchLabel(const Cell& cell, std::string_view label, int* distance) {
  const int budget = static_cast<int>(label.size()) / 6;
  std::string prefix;
  size_t best_k = 0;
  int best_d = budget + 1;
  for (size_t k = 0; k < cell.words.size() && k < 10; ++k) {
    if (cell.words[k].folded.empty()) continue;
    if (!prefix.empty()) prefix.push_back(' ');
    prefix += cell.words[k].folded;
    if (prefix.size() > label.size() + budget + 1) break;
    const int d = EditDistance(prefix, label);
    if (d < best_d) best_d = d, best_k = k + 1;
  }
  if (best_k == 0) return 0;
  *distance = best_d;
  // The label ends at its colon: a colon further on means this is a longer
  // label that only starts like this one ("Họ, chữ đệm, tên người mẹ:").
  const std::string& last = cell.words[best_k - 1].text;
  if (last.find(':') != std::string::npos) return best_k;
  for (size_t k = best_k; k < cell.words.size() && k < best_k + 4; ++k) {
    if (cell.words[k].text.find(':') != std::string::npos) {
      return cell.words[k].text == ":" && k == best_k ? best_k + 1 : 0;
    }
  }
  return best_k;
}

struct Located {
  std::vector<Word> words;  // The value's words.
  int line = 0;
  int label_right = -1;  // Right edge of the label's last word.
};

// Where each field's value is, by its label, longest labels first so that
// "Ngày, tháng, năm sinh" is not taken for "Năm sinh".
std::map<std::string, Located> Locate(std::vector<Cell>& cells,
                                      const std::vector<FieldSpec>& specs) {
  std::map<std::string, Located> out;
  for (Cell& cell : cells) {
    // The label this cell spells best; on a tie the longer one, so that
    // "Họ, chữ đệm, tên người mẹ" is not taken for "Họ, chữ đệm, tên".
    const FieldSpec* best = nullptr;
    size_t best_k = 0;
    int best_d = 1 << 20;
    size_t best_len = 0;
    for (const FieldSpec& spec : specs) {
      if (out.count(std::string(spec.key))) continue;
      for (std::string_view label : spec.labels) {
        int d = 0;
        const size_t k = MatchLabel(cell, label, &d);
        if (k == 0 || k >= cell.words.size()) continue;
        if (d < best_d || (d == best_d && label.size() > best_len)) {
          best = &spec, best_k = k, best_d = d, best_len = label.size();
        }
      }
    }
    if (best == nullptr) continue;
    Located loc;
    loc.line = cell.line;
    loc.label_right = cell.words[best_k - 1].box.br().x;
    for (size_t i = best_k; i < cell.words.size(); ++i) {
      if (cell.words[i].text == ":") continue;
      loc.words.push_back(cell.words[i]);
    }
    if (loc.words.empty()) continue;
    // A colon glued to the value ("mẹ:NGUYỄN") stays with the label.
    Word& first = loc.words.front();
    while (!first.text.empty() && first.text.front() == ':') {
      first.text.erase(0, 1);
    }
    cell.used = true;
    out[std::string(best->key)] = std::move(loc);
  }
  return out;
}

// Puts `line` into `lines` in reading order (PlaceLine), with the fields
// `found` on it, and keeps the line indices in `where` pointing at their
// lines: the sex is looked for on the line under the birth date's.
void AddLine(Line line, const std::map<std::string, Located>& found,
             std::vector<Line>& lines, std::map<std::string, Located>& where) {
  std::set<int> taken;
  for (const auto& [k, l] : where) taken.insert(l.line);
  std::vector<cv::Rect> boxes;
  for (const Line& l : lines) boxes.push_back(l.box);
  const LinePlace place = PlaceLine(boxes, taken, line.box);
  if (place.replace) {
    lines[place.index] = std::move(line);
  } else {
    lines.insert(lines.begin() + place.index, std::move(line));
    for (auto& [k, l] : where) {
      if (l.line >= place.index) ++l.line;
    }
  }
  for (const auto& [key, loc] : found) {
    if (where.count(key)) continue;
    Located moved = loc;
    moved.line = place.index;
    where[key] = std::move(moved);
  }
}

// Fields `other` (another layout pass over the same page) located and
// `where` did not, added with their lines: Sauvola and Otsu each lose
// different blurred lines, and keeping one pass whole lost a birth date
// the other pass had read.
void MergeMissingFields(const std::vector<Line>& other_lines,
                        const std::map<std::string, Located>& other,
                        std::vector<Line>& lines,
                        std::map<std::string, Located>& where) {
  std::map<int, std::map<std::string, Located>> by_line;
  for (const auto& [key, loc] : other) {
    if (where.count(key) || loc.line < 0 ||
        loc.line >= static_cast<int>(other_lines.size())) {
      continue;
    }
    by_line[loc.line][key] = loc;
  }
  for (const auto& [line, found] : by_line) {
    AddLine(other_lines[line], found, lines, where);
  }
}

// Fields both layout passes lost with their whole line: each line missing
// between the field lines (GapsBetweenFieldLines) is read alone as one
// line, with Sauvola and then Otsu; the page's layout analysis took its
// blurred strokes for an image.
void FindLinesInGaps(tesseract::TessBaseAPI& api, const cv::Mat& gray,
                     const std::vector<FieldSpec>& specs,
                     std::vector<Line>& lines,
                     std::map<std::string, Located>& where) {
  if (where.size() >= specs.size()) return;
  std::set<int> rows;
  for (const auto& [k, l] : where) {
    if (l.line >= 0 && l.line < static_cast<int>(lines.size())) {
      rows.insert(l.line);
    }
  }
  std::vector<cv::Rect> boxes;
  for (int r : rows) boxes.push_back(lines[r].box);
  for (const cv::Rect& gap : GapsBetweenFieldLines(boxes, gray.cols)) {
    for (const char* method : {"2", "0"}) {
      if (where.size() >= specs.size()) return;
      api.SetVariable("thresholding_method", method);
      const std::vector<Line> found_lines =
          LayoutLines(api, gray, gap & cv::Rect(0, 0, gray.cols, gray.rows),
                      tesseract::PSM_SINGLE_LINE);
      api.SetVariable("thresholding_method", "2");
      std::vector<Cell> cells = Cells(found_lines);
      const std::map<std::string, Located> found = Locate(cells, specs);
      const size_t before = where.size();
      MergeMissingFields(found_lines, found, lines, where);
      if (where.size() > before) break;
    }
  }
}

// The page's light without its ink: a closing wider than any stroke, on a
// quarter-size copy (the light varies slowly), smoothed and brought back to
// full size. CV_32F, at least 1.
cv::Mat LightOf(const cv::Mat& gray) {
  cv::Mat small, light;
  cv::resize(gray, small, {}, 0.25, 0.25, cv::INTER_AREA);
  const int k = std::max(3, small.cols / kLightKernelDivisor) | 1;
  cv::morphologyEx(small, small, cv::MORPH_CLOSE,
                   cv::getStructuringElement(cv::MORPH_RECT, {k, k}));
  cv::GaussianBlur(small, small, {}, k);
  cv::resize(small, light, gray.size(), 0, 0, cv::INTER_LINEAR);
  light.convertTo(light, CV_32F);
  return cv::max(light, 1.0);
}

// Ink over even paper: `gray` divided by its light. A shadow's edge across a
// label broke both of Tesseract's thresholds on level-3 pages (Sauvola read
// "Họ và tên người chết" as "Hộ và Lên 00001) chiết"; Otsu lost the shaded
// half), so no field was found.
cv::Mat Flatten(const cv::Mat& gray, const cv::Mat& light) {
  cv::Mat f, out;
  gray.convertTo(f, CV_32F);
  cv::divide(f, light, f, 255.0);
  f.convertTo(out, CV_8U);
  return out;
}

struct NameVote {
  std::string text;        // Upper case, syllables separated by single spaces.
  double confidence = 0;   // Tesseract's, averaged over the readings.
  bool all_valid = false;  // Every syllable is well-formed Vietnamese.
  // Score over the runner-up (log-probability); infinite when alone.
  double margin = std::numeric_limits<double>::infinity();
  std::string runner_up;
  bool by_family = false;  // The father's family name chose the spelling.
};

// Where field lines are re-read from: the photo at its best resolution,
// with the page's quad in its pixels.
struct Detail {
  cv::Mat gray;            // Empty: re-read from the rectified page.
  cv::Mat page_to_detail;  // 3x3, rectified page pixels to `gray` pixels.
  double scale = 1.0;      // Detail pixels per page pixel, at least 1.
};

// Whether the page's motto shows blur drawing graves as acutes: "CỘNG
// HÒA" read "CỘNG HÓA". A photo's blur is the same across the page, so an
// acute on a name line is then no evidence against a grave ("Thúy" for a
// middle name "Thùy").
bool MottoShowsGraveAsAcute(const std::vector<Line>& lines) {
  for (const Line& line : lines) {
    for (size_t i = 0; i + 1 < line.words.size(); ++i) {
      if (FoldForMatching(line.words[i].text) != "CONG" ||
          FoldForMatching(line.words[i + 1].text) != "HOA") {
        continue;
      }
      const auto hoa = ParseSyllable(line.words[i + 1].text);
      return hoa.has_value() && hoa->tone == Tone::kRising;
    }
  }
  return false;
}

class FieldReader {
 public:
  FieldReader(TesseractReader& tesseract, const cv::Mat& page,
              const cv::Mat& light, const Detail& detail, const Quad& quad,
              double to_original, int photo_index, bool graves_read_as_acutes)
      : tesseract_(tesseract),
        page_(page),
        light_(light),
        detail_(detail),
        quad_(quad),
        to_original_(to_original),
        photo_index_(photo_index),
        graves_read_as_acutes_(graves_read_as_acutes) {}

  cv::Size PageSize() const { return page_.size(); }

  // Re-reads the region at another line height or binarisation.
  LineReading RereadWith(const cv::Rect& box, LineKind kind, double line_scale,
                         Binarization binarization) const {
    double scale = 1.0;
    const cv::Mat crop = Crop(box, false, &scale);
    if (crop.empty()) return {};
    auto read =
        tesseract_.ReadLineChoices(crop, kind, line_scale, binarization);
    if (!read.ok()) return {};
    TrimLeadingMarks(read->reading.text);
    return std::move(read->reading);
  }

  // The region read like RereadWith, sharpened or not, with each
  // character's alternatives; nullopt when nothing could be read.
  std::optional<LineChoices> ReadChoices(const cv::Rect& box, LineKind kind,
                                         bool sharpen, double line_scale,
                                         Binarization binarization) const {
    double scale = 1.0;
    const cv::Mat crop = Crop(box, sharpen, &scale);
    if (crop.empty()) return std::nullopt;
    auto read =
        tesseract_.ReadLineChoices(crop, kind, line_scale, binarization);
    if (!read.ok()) return std::nullopt;
    TrimLeadingMarks(read->reading.text);
    return *std::move(read);
  }

  // Re-reads the words' region alone, with `kind`'s settings.
  LineReading Reread(const cv::Rect& box, LineKind kind,
                     bool sharpen = false) const {
    double scale = 1.0;
    const cv::Mat crop = Crop(box, sharpen, &scale);
    if (crop.empty()) return {};
    auto read = tesseract_.ReadLine(crop, kind);
    if (!read.ok()) return {};
    TrimLeadingMarks(read->text);
    return *std::move(read);
  }

  // A printed name read several ways (sharpened or not, other line heights,
  // Sauvola or Otsu), the readings' character alternatives pooled per
  // syllable and judged by Vietnamese spelling and name frequency
  // (ocr/vietnamese_name.h): blur drops a different tone mark in each
  // reading, and of "TUẦN"/"TUẤN" the LSTM's scores alone often pick wrong.
  // nullopt when no reading has a word.
  // `family`, when not empty, is the family name the person most likely
  // bears (a child its father's): a spelling with it wins when it scores
  // within kFatherFamilyMargin of the best.
  std::optional<NameVote> ReadName(const cv::Rect& box,
                                   std::string_view family = {}) const {
    struct Way {
      bool sharpen;
      double line_scale;
      Binarization binarization;
    };
    static constexpr Way kWays[] = {{false, 1.0, Binarization::kSauvola},
                                    {true, 1.0, Binarization::kSauvola},
                                    {false, 1.35, Binarization::kOtsu},
                                    {true, 0.8, Binarization::kOtsu}};
    std::vector<std::vector<WordChoices>> readings;
    double confidence = 0;
    for (const Way& way : kWays) {
      double scale = 1.0;
      const cv::Mat crop = Crop(box, way.sharpen, &scale);
      if (crop.empty()) continue;
      auto r = tesseract_.ReadLineChoices(crop, LineKind::kName, way.line_scale,
                                          way.binarization);
      if (!r.ok() || r->words.empty()) continue;
      KeepNameSyllables(r->words);
      if (r->words.size() < 2) continue;
      confidence += r->reading.confidence;
      readings.push_back(std::move(r->words));
    }
    if (readings.empty()) return std::nullopt;
    const int read = static_cast<int>(readings.size());
    std::vector<NameCandidate> ranked =
        VoteName(readings, kNameCandidates, graves_read_as_acutes_);
    if (ranked.empty()) return std::nullopt;
    NameVote vote;
    if (auto kin = BestWithFamily(ranked, family, kFatherFamilyMargin);
        kin.has_value() && kin->name != ranked[0].name) {
      // The family name decided against the readings: a near tie at best.
      vote.by_family = true;
      vote.margin = 0;
      vote.runner_up = ranked[0].name;
      ranked[0] = *std::move(kin);
    } else if (ranked.size() > 1) {
      vote.margin = ranked[0].score - ranked[1].score;
      vote.runner_up = ranked[1].name;
    }
    vote.text = ranked[0].name;
    vote.confidence = confidence / read;
    vote.all_valid = ranked[0].all_valid;
    return vote;
  }

  ReadField Make(std::string value, double confidence,
                 const cv::Rect& box) const {
    ReadField f;
    f.best.value = std::move(value);
    f.best.confidence = confidence;
    f.best.method = ReadMethod::kPrintedText;
    f.best.photo_index = photo_index_;
    Quad q = MapToPhoto(quad_, page_.size(), box);
    for (auto& p : q) p *= static_cast<float>(to_original_);
    f.best.region = q;
    return f;
  }

 private:
  // The words' region with room around it, from the detail photo when there
  // is one; `scale` is its pixels per page pixel. Empty when too small.
  cv::Mat Crop(const cv::Rect& box, bool sharpen, double* scale) const {
    // Room above for stacked marks (Ấ, Ầ, Ẫ reach 40% of the capitals'
    // height over them) and below for the dot of nặng.
    const int pad_y = std::max(4, box.height * 2 / 5);
    const int pad_x = std::max(6, box.height / 2);
    const int pad_left = std::max(2, box.height / 8);
    cv::Rect r(box.x - pad_left, box.y - pad_y, box.width + pad_left + pad_x,
               box.height + 2 * pad_y);
    r &= cv::Rect(0, 0, page_.cols, page_.rows);
    if (r.width < 8 || r.height < 8) return {};
    cv::Mat crop;
    *scale = 1.0;
    if (detail_.gray.empty()) {
      crop = page_(r);
    } else {
      // The line warped again straight from the photo's own pixels, at the
      // photo's resolution, and evened with the page's light.
      *scale = detail_.scale;
      const cv::Size size(static_cast<int>(std::lround(r.width * *scale)),
                          static_cast<int>(std::lround(r.height * *scale)));
      const cv::Matx33d to_page(1 / *scale, 0, r.x, 0, 1 / *scale, r.y, 0, 0,
                                1);
      const cv::Mat m = detail_.page_to_detail * cv::Mat(to_page);
      cv::Mat warped, light;
      cv::warpPerspective(detail_.gray, warped, m, size,
                          cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                          cv::BORDER_REPLICATE);
      cv::resize(light_(r), light, size, 0, 0, cv::INTER_LINEAR);
      crop = Flatten(warped, light);
    }
    if (sharpen) {
      // Unsharp mask, into a new image (the crop may share the page's
      // pixels): blurred strokes and tone marks regain their edges.
      cv::Mat soft, sharp;
      cv::GaussianBlur(crop, soft, {}, kSharpenSigma * *scale);
      cv::addWeighted(crop, 1 + kSharpenAmount, soft, -kSharpenAmount, 0,
                      sharp);
      crop = sharp;
    }
    return crop;
  }

  // The label's colon may creep into the crop.
  static void TrimLeadingMarks(std::string& t) {
    while (!t.empty() && std::string_view(":;=-.,_|'\" ").find(t.front()) !=
                             std::string_view::npos) {
      t.erase(0, 1);
    }
  }

  TesseractReader& tesseract_;
  const cv::Mat& page_;
  const cv::Mat& light_;
  const Detail& detail_;
  const Quad& quad_;
  double to_original_;
  int photo_index_;
  bool graves_read_as_acutes_;
};

// Other ways a digit line (a date, an ID number) is read when its first
// readings disagree: blur drops or confuses a different digit under each
// sharpening, binarisation and line height. The Vietnamese model, sharpened
// or under Otsu's threshold, alone reads level-3 ID numbers worse, but it
// blurs digits differently: its votes (and its digits' alternatives) often
// keep the digit the English model lost.
struct DigitWay {
  LineKind kind;
  bool sharpen;
  double line_scale;
  Binarization binarization;
};
constexpr DigitWay kDigitWays[] = {
    {LineKind::kDigits, true, 1.0, Binarization::kSauvola},
    {LineKind::kDigits, false, 1.0, Binarization::kOtsu},
    {LineKind::kDigits, false, 1.35, Binarization::kSauvola},
    {LineKind::kDigits, true, 0.8, Binarization::kOtsu},
    {LineKind::kDigits, false, 1.35, Binarization::kOtsu},
    {LineKind::kDigits, false, 0.8, Binarization::kSauvola},
    {LineKind::kDigitsVietnamese, true, 1.0, Binarization::kSauvola},
    {LineKind::kDigitsVietnamese, false, 1.0, Binarization::kOtsu},
};

Date Today();

// Line heights a printed DD/MM/YYYY spans, with room.
constexpr double kDateWidthLines = 7.5;
// Line heights of room left of a date's first digit for the re-reads that
// vote (WithLeftRoom): the digits-only model drops a day's first digit
// that touches the crop's edge ("8/09/2001", "/06/2009" for 30/06/2009),
// and the layout reading alone then decides the day.
constexpr double kDateLeftRoomLines = 0.5;

// The box of a date the layout pass kept only part of (blur took the rest
// for a gap or specks): to the right as wide as a whole date when its year
// was not read, up to the line's next cell and the margin; from the
// label's end too when neither day nor month was.
cv::Rect WholeDateBox(cv::Rect box, const std::string& text, int label_right,
                      const Line& line, int page_width) {
  const DateParts parts = DatePartsInDigits(text);
  if (parts.year.has_value()) return box;
  if (box.height < line.box.height / 2) {
    box.y = line.box.y;
    box.height = line.box.height;
  }
  const int h = box.height;
  const bool from_label = !parts.day.has_value() && !parts.month.has_value() &&
                          label_right >= 0 && label_right < box.x;
  const int x = from_label ? label_right + 1 : box.x;
  int right = std::max(box.br().x, x + static_cast<int>(kDateWidthLines * h));
  for (const Word& w : line.words) {
    if (w.box.x >= box.br().x + kCellGapLines * h) {
      right = std::min(right, w.box.x - h / 2);
      break;
    }
  }
  right = std::min(right, page_width * 19 / 20);
  if (right <= x) return box;
  return cv::Rect(x, box.y, right - x, box.height);
}

struct DateRead {
  Date date;
  double confidence = 0;
  std::vector<Date> others;  // Other dates single readings gave.
};

// Weight of a reading's vote beyond Tesseract's confidence in it: a
// reading Tesseract doubts still saw most digits right.
constexpr double kBaseDigitVote = 0.2;

// A printed DD/MM/YYYY in `box` whose layout reading is `page_text`. When
// the layout pass and a digits-only re-read agree, Tesseract sure of both,
// the date is proven; otherwise the line is read the other ways, and day,
// month and year are each voted on, weighed by Tesseract's confidence:
// each reading confuses other digits (8 and 6 the most), and Tesseract is
// surer of the right ones. The winner is unproven. `raw` gets the first
// re-read's text when no date was read. A date before `earliest` is not
// this line's. When the first re-read lost the day, the other ways read
// the line WithLeftRoom (`label_right`).
std::optional<DateRead> ReadDate(const FieldReader& reader, const cv::Rect& box,
                                 const std::string& page_text, double page_conf,
                                 std::string* raw,
                                 const std::optional<Date>& earliest,
                                 int label_right) {
  const LineReading line = reader.Reread(box, LineKind::kDigits);
  auto d1 = ParsePrintedDate(page_text);
  auto d2 = ParsePrintedDate(line.text);
  if (d1.ok() && d2.ok() && *d1 == *d2 &&
      line.confidence >= kMinTesseractForProof &&
      page_conf >= kMinTesseractForProof) {
    return DateRead{*d2, kProvenConfidence, {}};
  }
  std::vector<WeightedDateParts> parts = {
      {DatePartsInDigits(page_text), kBaseDigitVote + page_conf},
      {DatePartsInDigits(line.text), kBaseDigitVote + line.confidence}};
  std::vector<Date> seen;
  for (const auto& d : {d1, d2}) {
    if (d.ok()) seen.push_back(*d);
  }
  // A first re-read that lost the day while the layout pass read one: its
  // crop began on the day's first digit, so the other ways get room.
  const cv::Rect ways_box =
      !parts[1].parts.day.has_value() && parts[0].parts.day.has_value()
          ? WithLeftRoom(box, label_right, kDateLeftRoomLines)
          : box;
  for (const DigitWay& way : kDigitWays) {
    const std::optional<LineChoices> r = reader.ReadChoices(
        ways_box, way.kind, way.sharpen, way.line_scale, way.binarization);
    if (!r.has_value()) continue;
    parts.push_back({DatePartsInDigits(r->reading.text),
                     kBaseDigitVote + r->reading.confidence});
    if (auto d = ParsePrintedDate(r->reading.text); d.ok()) seen.push_back(*d);
  }
  const std::optional<DatePartsVote> best =
      VoteWeightedDateParts(parts, Today(), earliest);
  if (!best.has_value()) {
    if (raw != nullptr) *raw = line.text;
    return std::nullopt;
  }
  DateRead out{
      best->date,
      std::min(std::max(line.confidence, page_conf), kUnprovenConfidence),
      {}};
  for (const Date& d : seen) {
    if (d != out.date && std::find(out.others.begin(), out.others.end(), d) ==
                             out.others.end()) {
      out.others.push_back(d);
    }
  }
  return out;
}

// The name's words with those the layout pass put in the next cell of its
// line (NameTailLength).
std::vector<Word> WithNameTail(const std::vector<Word>& words,
                               const Line& line) {
  std::vector<Word> out = words;
  if (out.empty()) return out;
  std::vector<cv::Rect> boxes;
  std::vector<std::string> texts;
  size_t first = 0;
  while (first < line.words.size() &&
         line.words[first].box.x <= out.back().box.br().x) {
    ++first;
  }
  for (size_t i = first; i < line.words.size(); ++i) {
    boxes.push_back(line.words[i].box);
    texts.push_back(line.words[i].text);
  }
  const size_t n =
      NameTailLength(out.back().box, boxes, texts, kNameTailGapLines);
  out.insert(out.end(), line.words.begin() + first,
             line.words.begin() + first + n);
  return out;
}

bool PlausibleName(const std::string& text) {
  const std::string folded = FoldForMatching(text);
  if (folded.empty() || folded.find(' ') == std::string::npos) return false;
  if (Lower(text) == text) return false;  // Names are printed in capitals.
  auto raw = FoldVietnameseToAsciiUpper(text);
  return raw.ok() && std::all_of(raw->begin(), raw->end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || c == ' ';
         });
}

// CorrectPrintedName on a reading that looks like a printed name; anything
// else is left alone so that PlausibleName still rejects it.
std::string RepairName(const std::string& text) {
  // Names hold no colon: one means the label's tail crept into the crop
  // ("cha: VÕ", read "M: VÕ"). Quotes and specks beside the name ("“NGÔ")
  // are not part of it either.
  const size_t colon = text.rfind(':');
  auto cps = DecodeUtf8(colon == std::string::npos
                            ? std::string_view(text)
                            : std::string_view(text).substr(colon + 1));
  if (!cps.ok()) return text;
  size_t from = 0, to = cps->size();
  auto letter = [&](size_t i) {
    return u_isalpha(static_cast<UChar32>((*cps)[i])) != 0;
  };
  while (from < to && !letter(from)) ++from;
  while (to > from && !letter(to - 1)) --to;
  icu::UnicodeString u;
  for (size_t i = from; i < to; ++i) u.append(static_cast<UChar32>((*cps)[i]));
  std::string trimmed;
  u.toUTF8String(trimmed);
  if (!PlausibleName(trimmed)) return text;
  return CorrectPrintedName(Upper(trimmed));
}

std::optional<Sex> SexOf(const std::string& text) {
  const std::string f = FoldForMatching(text);
  if (f == "NAM") return Sex::kMale;
  if (f == "NU") return Sex::kFemale;
  return std::nullopt;
}

std::string SexWord(Sex s) { return s == Sex::kMale ? "Nam" : "Nữ"; }

struct TimeOfDay {
  int hour = 0;
  int minute = 0;
};

std::optional<TimeOfDay> ParseTime(const std::string& text) {
  static const std::regex kTime(R"((\d{1,2})\s*GIO\s*(\d{1,2})\s*PHUT)");
  std::smatch m;
  const std::string folded = FoldForMatching(text);
  if (!std::regex_search(folded, m, kTime)) return std::nullopt;
  const int h = std::stoi(m[1]), mi = std::stoi(m[2]);
  if (h > 23 || mi > 59) return std::nullopt;
  return TimeOfDay{h, mi};
}

std::string Hhmm(const TimeOfDay& t) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour, t.minute);
  return buf;
}

// Reads every located field of a known document kind.
// The sex when its label was not matched ("Gán tính", or the whole line
// lost by the layout pass). On the death notice and the extract the line
// "Giới tính: …  Dân tộc: …" is the one under the birth date: that line is
// read again, or, when the layout pass went straight to "Quốc tịch", the
// band between them. The value is a closed set (Nam, Nữ); without its label
// it stays below the review threshold.
std::optional<Sex> ReadSexByPosition(
    const std::vector<Line>& lines, const std::map<std::string, Located>& where,
    const FieldReader& reader, PageReading& out) {
  auto dob = where.find("date_of_birth");
  if (dob == where.end() || dob->second.line < 0 ||
      dob->second.line >= static_cast<int>(lines.size())) {
    return std::nullopt;
  }
  const Line& above = lines[dob->second.line];
  const int pitch = std::max(above.box.height * 2, 8);
  std::optional<cv::Rect> box;
  if (dob->second.line + 1 < static_cast<int>(lines.size())) {
    const Line& next = lines[dob->second.line + 1];
    const int gap = next.box.y - above.box.br().y;
    const std::string folded = FoldForMatching(next.Text());
    const bool nationality = ContainsFuzzy(
        folded.substr(0, std::min<size_t>(folded.size(), 12)), "QUOC TICH");
    if (!nationality && gap < pitch) {
      box = next.box;
    } else if (nationality && gap >= above.box.height) {
      // A line as tall as the birth date's, midway.
      const int mid = (above.box.br().y + next.box.y) / 2;
      const int h = std::min(above.box.height, next.box.height);
      box = cv::Rect(above.box.x, mid - h / 2,
                     reader.PageSize().width / 2 - above.box.x, h);
    }
  }
  if (!box.has_value() || box->width < 8 || box->height < 4) {
    return std::nullopt;
  }
  // Two readings must not contradict each other; one that finds no word
  // of the set does not count against the other.
  std::optional<Sex> found;
  for (int way = 0; way < 3; ++way) {
    const std::string t =
        way < 2
            ? reader.Reread(*box, LineKind::kName, way == 1).text
            : reader.RereadWith(*box, LineKind::kName, 1.0, Binarization::kOtsu)
                  .text;
    const auto s = SexAfterLabel(t);
    if (!s.has_value()) continue;
    if (found.has_value() && *found != *s) return std::nullopt;
    found = s;
  }
  if (!found.has_value()) return std::nullopt;
  out.fields["sex"] = reader.Make(SexWord(*found), kUnprovenConfidence, *box);
  return found;
}

// Fields whose label was misread beyond matching ("Só CCCGED.", "EM chót
// vào lúc"), found by what their line holds instead, on lines no field
// took: an ID number is the line starting with a word like "Số" followed
// by an ID's worth of digits; a time and date ("05 giờ 33 phút, ngày
// 12/02/2024") the line with a word like "giờ" or "phút" and a date. The
// value starts after the label's colon, or at its first digits. Such
// fields stay unproven.
std::map<std::string, Located> LocateByContent(
    const std::vector<FieldSpec>& specs, const std::vector<Line>& lines,
    const std::map<std::string, Located>& where) {
  std::map<std::string, Located> out;
  std::set<int> taken;
  for (const auto& [k, l] : where) taken.insert(l.line);
  auto fuzzy_word = [](const Line& line, std::string_view word) {
    return std::any_of(line.words.begin(), line.words.end(),
                       [&](const Word& w) {
                         return w.folded.size() + 1 >= word.size() &&
                                EditDistance(w.folded, word) <= 1;
                       });
  };
  for (const FieldSpec& spec : specs) {
    if (where.count(std::string(spec.key)) ||
        (spec.kind != ValueKind::kIdNumber &&
         spec.kind != ValueKind::kTimeDate)) {
      continue;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      const Line& line = lines[i];
      if (taken.count(static_cast<int>(i)) || line.words.size() < 2) continue;
      size_t from = 1;
      if (spec.kind == ValueKind::kIdNumber) {
        if (EditDistance(line.words[0].folded, "SO") > 1) continue;
        while (from < line.words.size() &&
               DigitsOf(line.words[from].text).size() < 3) {
          ++from;
        }
        if (from >= line.words.size() || from > 3) continue;
        const size_t n = DigitsOf(JoinText(line.words, from)).size();
        if (n < kMinUnlabelledIdDigits || n > kIdDigits + 2) continue;
      } else {
        const bool dated = std::any_of(
            line.words.begin(), line.words.end(), [](const Word& w) {
              return std::count(w.text.begin(), w.text.end(), '/') >= 1 &&
                     DigitsOf(w.text).size() >= 5;
            });
        if (!dated || !(fuzzy_word(line, "GIO") || fuzzy_word(line, "PHUT"))) {
          continue;
        }
        from = line.words.size();
        for (size_t k = 0; k + 1 < line.words.size(); ++k) {
          if (line.words[k].text.find(':') != std::string::npos) {
            from = k + 1;
            break;
          }
        }
        if (from == line.words.size()) {
          from = 0;
          while (from < line.words.size() &&
                 DigitsOf(line.words[from].text).empty()) {
            ++from;
          }
        }
        if (from == 0 || from >= line.words.size()) continue;
      }
      Located loc;
      loc.line = static_cast<int>(i);
      loc.label_right = line.words[from - 1].box.br().x;
      loc.words.assign(line.words.begin() + static_cast<std::ptrdiff_t>(from),
                       line.words.end());
      taken.insert(loc.line);
      out[std::string(spec.key)] = std::move(loc);
      break;
    }
  }
  return out;
}

void ReadFields(const std::vector<FieldSpec>& specs,
                const std::vector<Line>& lines,
                const std::map<std::string, Located>& where,
                const FieldReader& reader, PageReading& out) {
  // Dates and sex first: the ID number is checked against them.
  std::optional<Date> birth;
  bool birth_proven = false;
  std::optional<Sex> sex;
  std::optional<int> birth_year;
  const std::map<std::string, Located> unlabelled =
      LocateByContent(specs, lines, where);
  auto located = [&](std::string_view key) -> const Located* {
    auto it = where.find(std::string(key));
    if (it != where.end()) return &it->second;
    it = unlabelled.find(std::string(key));
    return it == unlabelled.end() ? nullptr : &it->second;
  };
  auto both_sure = [](double a, double b) {
    return a >= kMinTesseractForProof && b >= kMinTesseractForProof;
  };
  std::vector<std::pair<const FieldSpec*, const Located*>> ids;
  for (const FieldSpec& spec : specs) {
    const Located* loc = located(spec.key);
    if (loc == nullptr) continue;
    const cv::Rect box = Union(loc->words, 0);
    const std::string page_text = JoinText(loc->words, 0);
    const double page_conf = MinConfidence(loc->words, 0);
    const std::string key(spec.key);
    switch (spec.kind) {
      case ValueKind::kName: {
        const std::vector<Word> name_words =
            loc->line >= 0 && loc->line < static_cast<int>(lines.size())
                ? WithNameTail(loc->words, lines[loc->line])
                : loc->words;
        // On a blurred page the layout pass may glue the name's first
        // capital to the label ("mẹ:N GÔ"): the re-read starts where the
        // label ends, and a colon that creeps in is trimmed.
        cv::Rect name_box = Union(name_words, 0);
        if (loc->label_right >= 0 && loc->label_right < box.x &&
            box.x - loc->label_right < 2 * box.height) {
          name_box.width += box.x - loc->label_right;
          name_box.x = loc->label_right;
        }
        const std::string page_name = RepairName(JoinText(name_words, 0));
        // A child's family name is most likely its father's.
        std::string family;
        if (spec.key == "person_name") {
          if (auto father = out.fields.find("father_name");
              father != out.fields.end()) {
            const std::string f = Upper(father->second.best.value);
            family = f.substr(0, f.find(' '));
          }
        }
        const std::optional<NameVote> vote = reader.ReadName(name_box, family);
        if (!vote.has_value()) {
          if (PlausibleName(page_name)) {
            out.fields[key] =
                reader.Make(TitleCase(page_name),
                            std::min(page_conf, kUnprovenConfidence), box);
          }
          break;
        }
        // Blur drops tone marks on capitals ("PHAM", "ĐĂNG" for "ĐẶNG"):
        // the ID card's family-name repair applies to both readings, so
        // they agree more often when both lost the same mark.
        std::string text = RepairName(vote->text);
        // The re-reads lost the name's first word, which the layout pass
        // read: only one reading holds it, so the officer must look.
        const std::optional<std::string> mended =
            MendLostSyllables(text, page_name);
        if (mended.has_value()) text = *mended;
        const bool agree = Lower(text) == Lower(page_name);
        double conf =
            PlausibleName(text) && vote->all_valid
                ? std::min({vote->confidence, page_conf, kUnverifiableCap})
                : kContradictedConfidence;
        // A tone mark the readings could not settle, or a layout reading
        // that spells it otherwise: the officer must look.
        const bool settled =
            vote->margin >= kNameClearMargin && !mended.has_value();
        if (!agree || !settled) conf = std::min(conf, kUnprovenConfidence);
        ReadField f = reader.Make(TitleCase(text), conf, box);
        for (const std::string& other :
             {page_name,
              settled ? std::string() : RepairName(vote->runner_up)}) {
          if (other.empty() || !PlausibleName(other) ||
              Lower(other) == Lower(text)) {
            continue;
          }
          bool seen = false;
          for (const Reading& a : f.alternatives) {
            seen |= Lower(a.value) == Lower(TitleCase(other));
          }
          if (!seen) {
            f.alternatives.push_back(
                reader.Make(TitleCase(other), conf, box).best);
          }
        }
        out.fields[key] = std::move(f);
        break;
      }
      case ValueKind::kDate: {
        std::string raw;
        const cv::Rect date_box =
            loc->line >= 0 && loc->line < static_cast<int>(lines.size())
                ? WholeDateBox(box, page_text, loc->label_right,
                               lines[loc->line], reader.PageSize().width)
                : box;
        const std::optional<DateRead> d =
            ReadDate(reader, date_box, page_text, page_conf, &raw,
                     spec.key == "registration_date" ? birth : std::nullopt,
                     loc->label_right);
        if (d.has_value()) {
          out.fields[key] =
              reader.Make(FormatDate(d->date), d->confidence, box);
          for (const Date& other : d->others) {
            out.fields[key].alternatives.push_back(
                reader.Make(FormatDate(other), kUnprovenConfidence, box).best);
          }
          if (spec.key == "date_of_birth") {
            birth = d->date;
            birth_proven = d->confidence >= kProvenConfidence;
          }
        } else if (!raw.empty()) {
          out.fields[key] = reader.Make(raw, kContradictedConfidence, box);
        }
        break;
      }
      case ValueKind::kSex: {
        const LineReading line = reader.Reread(box, LineKind::kName);
        const auto s2 = SexOf(line.text);
        const auto s1 = SexOf(page_text);
        if (s2.has_value() || s1.has_value()) {
          const Sex s = s2.value_or(*s1);
          const bool agree = s1 == s2;
          out.fields[key] =
              reader.Make(SexWord(s),
                          agree && both_sure(line.confidence, page_conf)
                              ? kClosedSetConfidence
                              : kUnprovenConfidence,
                          box);
          if (spec.key == "sex") sex = s;
        }
        break;
      }
      case ValueKind::kYear: {
        const LineReading line = reader.Reread(box, LineKind::kDigits);
        const std::string y2 = DigitsOf(line.text), y1 = DigitsOf(page_text);
        if (y2.size() == 4 && y2 >= "1900" && y2 <= "2100") {
          const bool agree = y1 == y2;
          out.fields[key] =
              reader.Make(y2,
                          agree && both_sure(line.confidence, page_conf)
                              ? kUnverifiableCap
                              : kUnprovenConfidence,
                          box);
          birth_year = std::stoi(y2);
        } else if (!y2.empty()) {
          out.fields[key] = reader.Make(y2, kContradictedConfidence, box);
        }
        break;
      }
      case ValueKind::kIdNumber:
        ids.emplace_back(&spec, loc);
        break;
      case ValueKind::kTimeDate: {
        // "08 giờ 30 phút, ngày 12/03/2026": the date is the word with
        // slashes, read again with digits only; the time is read in words.
        size_t date_at = loc->words.size();
        for (size_t i = 0; i < loc->words.size(); ++i) {
          if (std::count(loc->words[i].text.begin(), loc->words[i].text.end(),
                         '/') >= 1 &&
              DigitsOf(loc->words[i].text).size() >= 5) {
            date_at = i;
          }
        }
        if (date_at < loc->words.size()) {
          const Word& w = loc->words[date_at];
          // Only to the right: the time precedes the date.
          const cv::Rect date_box =
              loc->line >= 0 && loc->line < static_cast<int>(lines.size())
                  ? WholeDateBox(w.box, w.text, -1, lines[loc->line],
                                 reader.PageSize().width)
                  : w.box;
          const std::optional<DateRead> d =
              ReadDate(reader, date_box, w.text, w.confidence, nullptr,
                       std::nullopt, -1);
          if (d.has_value()) {
            out.fields[key] =
                reader.Make(FormatDate(d->date), d->confidence, w.box);
            for (const Date& other : d->others) {
              out.fields[key].alternatives.push_back(
                  reader.Make(FormatDate(other), kUnprovenConfidence, w.box)
                      .best);
            }
            if (spec.key == "date_of_birth") birth = d->date;
          }
        }
        const std::vector<Word> time_words(
            loc->words.begin(),
            loc->words.begin() + std::min(date_at, loc->words.size()));
        if (!time_words.empty() && !spec.time_key.empty()) {
          const cv::Rect tbox = Union(time_words, 0);
          const LineReading line = reader.Reread(tbox, LineKind::kName);
          const auto t1 = ParseTime(JoinText(time_words, 0));
          const auto t2 = ParseTime(line.text);
          if (t1.has_value() || t2.has_value()) {
            const TimeOfDay t = t2.value_or(*t1);
            const bool agree = t1.has_value() && t2.has_value() &&
                               t1->hour == t2->hour && t1->minute == t2->minute;
            // Nothing on the page checks a time, and two readings of the same
            // blurred digits agree on a wrong one ("03:35" for 03:25 at
            // level 3): an officer always looks.
            out.fields[std::string(spec.time_key)] =
                reader.Make(Hhmm(t),
                            agree && both_sure(line.confidence,
                                               MinConfidence(time_words, 0))
                                ? kUnverifiableCap
                                : kUnprovenConfidence,
                            tbox);
          }
        }
        break;
      }
      case ValueKind::kNationality:
      case ValueKind::kEthnicity:
      case ValueKind::kText: {
        const LineReading line = reader.Reread(box, LineKind::kName);
        const std::string text =
            line.text.empty() || line.confidence < page_conf ? page_text
                                                             : line.text;
        if (text.empty()) break;
        double conf = std::min({line.confidence, page_conf, kUnverifiableCap});
        std::string value = text;
        const bool sure = both_sure(line.confidence, page_conf);
        // Closed sets: a value both readings spell alike (diacritics
        // aside) is sure; one a reading nearly spells is the officer's to
        // confirm, and is still worth writing right.
        if (spec.kind == ValueKind::kNationality &&
            (IsVietNam(line.text, kNationalityEdits) ||
             IsVietNam(page_text, kNationalityEdits))) {
          value = "Việt Nam";
          conf = IsVietNam(line.text, 0) && IsVietNam(page_text, 0) && sure
                     ? kClosedSetConfidence
                     : kUnprovenConfidence;
        } else if (const auto group =
                       spec.kind == ValueKind::kEthnicity
                           ? BestEthnicGroup(line.text, page_text)
                           : std::nullopt;
                   group.has_value()) {
          value = group->name;
          conf = EthnicGroupsAgree(line.text, page_text) && sure
                     ? kClosedSetConfidence
                     : kUnprovenConfidence;
        } else if (Lower(line.text) != Lower(page_text)) {
          conf = std::min(conf, kUnprovenConfidence);
        }
        out.fields[key] = reader.Make(value, conf, box);
        break;
      }
      case ValueKind::kWeight: {
        const Word& w = loc->words.front();
        const LineReading line = reader.Reread(w.box, LineKind::kDigits);
        const std::string g2 = DigitsOf(line.text), g1 = DigitsOf(w.text);
        if (!g2.empty() && g2.size() <= 4) {
          const int grams = std::stoi(g2);
          const bool valid = grams >= 300 && grams <= 7000;
          out.fields[key] = reader.Make(
              g2,
              valid && g1 == g2 && both_sure(line.confidence, w.confidence)
                  ? kClosedSetConfidence
                  : kUnprovenConfidence,
              w.box);
        }
        break;
      }
    }
  }
  for (const FieldSpec& spec : specs) {
    if (!unlabelled.count(std::string(spec.key))) continue;
    for (std::string_view k : {spec.key, spec.time_key}) {
      auto f = out.fields.find(std::string(k));
      if (f != out.fields.end()) {
        f->second.best.confidence =
            std::min(f->second.best.confidence, kUnprovenConfidence);
      }
    }
  }
  // Only where the sex shares the line under the birth date (death notice,
  // extract), not the birth notice's "Giới tính của con".
  const bool sex_under_birth =
      std::any_of(specs.begin(), specs.end(), [](const FieldSpec& s) {
        return s.key == "sex" && s.labels.front() == "GIOI TINH";
      });
  if (sex_under_birth && !out.fields.count("sex") && !sex.has_value()) {
    sex = ReadSexByPosition(lines, where, reader, out);
  }
  // The ID number's century/sex/year digits against the birth date (or
  // year) and sex printed on the same paper; a birth notice's ID is the
  // mother's, so her sex is known.
  for (const auto& [spec, loc] : ids) {
    cv::Rect box = Union(loc->words, 0);
    const std::string n1 = DigitsOf(JoinText(loc->words, 0));
    const int right_margin = reader.PageSize().width * 19 / 20;
    if (n1.size() < kIdDigits && loc->label_right >= 0 &&
        loc->label_right < right_margin - box.height) {
      // The layout pass kept only part of the number (a blurred digit
      // taken for a gap): the value runs from the label to the margin.
      const int x = std::min(box.x, loc->label_right + 1);
      box = cv::Rect(x, box.y, right_margin - x, box.height);
    }
    const bool mother = spec->key == "mother_id_number";
    IdHolder holder;
    holder.sex = mother ? std::optional<Sex>(Sex::kFemale) : sex;
    if (mother && birth_year.has_value()) {
      holder.birth_year = *birth_year;
    } else if (!mother && birth.has_value()) {
      holder.birth_year = birth->year;
      holder.sure = birth_proven && sex.has_value();
    }
    const LineReading line = reader.Reread(box, LineKind::kDigits);
    const std::string n2 = DigitsOf(line.text);
    // The re-read first: on a tie its digit wins.
    std::vector<IdReading> readings = {
        {n2, {}, kBaseDigitVote + line.confidence},
        {n1, {}, kBaseDigitVote + MinConfidence(loc->words, 0)}};
    if (n2 != n1 || !ConsistentCitizenId(n2, holder)) {
      // Blurred 3, 6 and 8 pass for each other, differently under each
      // binarisation and scale: more readings to vote digit by digit,
      // each digit weighed by the LSTM's scores for it and its
      // alternatives.
      for (const DigitWay& way : kDigitWays) {
        const std::optional<LineChoices> r = reader.ReadChoices(
            box, way.kind, way.sharpen, way.line_scale, way.binarization);
        if (!r.has_value()) continue;
        readings.push_back(
            IdReadingOf(*r, kBaseDigitVote + r->reading.confidence));
      }
    }
    const std::optional<IdVote> vote = VoteCitizenId(readings, holder);
    std::string number = vote.has_value() ? vote->number : n2;
    if (number.empty()) number = n1;
    if (number.empty()) continue;
    auto id = ParseCitizenId(number);
    // A number that contradicts the holder's birth year while the sex is
    // unread (so the check below cannot run), or whose century/sex digit
    // no person has, is no surer than one of unknown province.
    double conf = id.ok() && (!vote.has_value() || vote->consistent)
                      ? kUnprovenConfidence
                      : kContradictedConfidence;
    const std::optional<Sex> who_sex = holder.sex;
    std::optional<Date> who_birth;
    if (mother && birth_year.has_value()) {
      who_birth = Date{*birth_year, 1, 1};
    } else if (!mother) {
      who_birth = birth;
    }
    if (id.ok() && who_sex.has_value() && who_birth.has_value()) {
      const auto found = CheckCitizenIdAgainst(*id, *who_birth, *who_sex);
      if (found.empty()) {
        // Proven only when read alike without repair: a repaired digit
        // was chosen to agree, so the agreement proves nothing.
        if (n1 == n2 && n2 == number && vote.has_value() && !vote->repaired &&
            both_sure(line.confidence, MinConfidence(loc->words, 0))) {
          conf = kProvenConfidence;
        }
      } else {
        conf = kContradictedConfidence;
        out.notes.push_back(absl::StrCat(
            "Số định danh trên giấy không khớp: ",
            DescribeDisagreements(*id, *who_birth, *who_sex, found)));
      }
    }
    if (unlabelled.count(std::string(spec->key))) {
      conf = std::min(conf, kUnprovenConfidence);
    }
    ReadField f = reader.Make(number, conf, box);
    for (const std::string& other : {n2, n1}) {
      if (other.size() != kIdDigits || other == number) continue;
      bool seen = false;
      for (const Reading& a : f.alternatives) seen |= a.value == other;
      if (!seen) {
        f.alternatives.push_back(
            reader.Make(other, kContradictedConfidence, box).best);
      }
    }
    out.fields[std::string(spec->key)] = std::move(f);
  }
  // The holder's sex not read at all (its line blurred to "j4 tính: 4Œ"):
  // the ID number's century/sex digit says it, no surer than the number.
  if (sex_under_birth && !out.fields.count("sex")) {
    auto id_field = out.fields.find("id_number");
    if (id_field != out.fields.end()) {
      // Not from a century/sex digit no person has (4-9).
      if (auto id = ParseCitizenId(id_field->second.best.value, Today());
          id.ok()) {
        ReadField f = id_field->second;
        f.alternatives.clear();
        f.best.value = SexWord(id->sex);
        f.best.confidence = std::min(f.best.confidence, kUnprovenConfidence);
        out.fields["sex"] = std::move(f);
        out.notes.push_back(
            "Không đọc được giới tính; suy ra từ số định danh cá nhân.");
      }
    }
  }
  // Values proven only together: the birth year and sex are confirmed by an
  // ID number that agrees with them.
  for (const auto& [spec, loc] : ids) {
    auto it = out.fields.find(std::string(spec->key));
    if (it == out.fields.end() ||
        it->second.best.confidence < kProvenConfidence) {
      continue;
    }
    const bool mother = spec->key == "mother_id_number";
    for (std::string_view k :
         mother ? std::vector<std::string_view>{"mother_birth_year"}
                : std::vector<std::string_view>{"date_of_birth", "sex"}) {
      auto f = out.fields.find(std::string(k));
      if (f != out.fields.end() &&
          f->second.best.confidence >= kUnverifiableCap) {
        f->second.best.confidence =
            std::max(f->second.best.confidence, kProvenConfidence);
      }
    }
  }
}

// Today's date in Vietnam (UTC+7), where papers are dated.
Date Today() {
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(7);
  const std::chrono::year_month_day ymd{
      std::chrono::floor<std::chrono::days>(now)};
  return Date{static_cast<int>(ymd.year()),
              static_cast<int>(static_cast<unsigned>(ymd.month())),
              static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

// "…, ngày 12 tháng 05 năm 2020" anywhere in `text`, the numbers forgiving
// the letters Tesseract reads for digits in italics (O, I, L).
std::optional<Date> DateInWords(const std::string& text) {
  static const std::regex kDateWords(
      R"(NGAY ?([0-9OIL]{1,2}) ?THANG ?([0-9OIL]{1,2}) ?NAM ?([0-9OIL]{4}))");
  const std::string folded = FoldForMatching(text);
  std::smatch m;
  if (!std::regex_search(folded, m, kDateWords)) return std::nullopt;
  auto number = [](std::string s) {
    for (char& c : s) {
      if (c == 'O') c = '0';
      if (c == 'I' || c == 'L') c = '1';
    }
    return std::stoi(s);
  };
  auto d = MakeDate(number(m[3]), number(m[2]), number(m[1]));
  if (!d.ok() || *d > Today()) return std::nullopt;  // Not issued yet.
  return *d;
}

// The place-and-date line above the signature ("…, ngày 12 tháng 05 năm
// 2020") as an other document's issue date. It is set in italics, right of
// centre, and on a blurred page the layout pass often reads it as specks:
// lines there are read again alone. False when no date was read.
bool ReadIssueDate(const std::vector<Line>& lines, const cv::Size page_size,
                   const FieldReader& reader, PageReading& out) {
  const Line* dated = nullptr;
  std::optional<Date> d1;
  for (const Line& line : lines) {
    d1 = DateInWords(line.Text());
    if (d1.has_value()) {
      dated = &line;
      break;
    }
  }
  std::vector<const Line*> candidates;
  if (dated != nullptr) {
    candidates.push_back(dated);
  } else {
    for (const Line& line : lines) {
      const int cx = line.box.x + line.box.width / 2;
      if (line.box.y > page_size.height / 8 && cx > page_size.width / 2 &&
          line.box.width > page_size.width / 5 &&
          candidates.size() < kMaxDateLineCandidates) {
        candidates.push_back(&line);
      }
    }
  }
  for (const Line* line : candidates) {
    // The year may have been left out of the line's box: read to the
    // right margin.
    cv::Rect box = line->box;
    box.width = std::max(box.width, page_size.width * 19 / 20 - box.x);
    const LineReading r = reader.Reread(box, LineKind::kName);
    // Italic digits blur into each other (5 read as 9, 06 as 00), a
    // different one under each sharpening, binarisation and scale: the
    // day, month and year are each voted over the readings.
    const LineReading sharp = reader.Reread(box, LineKind::kName, true);
    std::vector<DateParts> parts = {DatePartsInWords(line->Text()),
                                    DatePartsInWords(r.text),
                                    DatePartsInWords(sharp.text)};
    const bool date_line =
        std::any_of(parts.begin(), parts.end(), [](const DateParts& p) {
          return p.day.has_value() || p.month.has_value() || p.year.has_value();
        });
    if (!date_line) continue;
    for (const auto& [scale, binarization] :
         {std::pair{1.0, Binarization::kOtsu},
          std::pair{1.35, Binarization::kSauvola}}) {
      parts.push_back(DatePartsInWords(
          reader.RereadWith(box, LineKind::kName, scale, binarization).text));
    }
    bool unanimous = false;
    std::optional<Date> d = VoteDateParts(parts, Today(), &unanimous);
    if (!d.has_value()) {
      // No part seen twice: the first whole, real, past date of the plain,
      // sharpened and layout readings, kept for the officer's review.
      for (size_t i : {1, 2, 0}) {
        const DateParts& p = parts[i];
        if (!p.day.has_value() || !p.month.has_value() || !p.year.has_value()) {
          continue;
        }
        auto whole = MakeDate(*p.year, *p.month, *p.day);
        if (whole.ok() && !(Today() < *whole)) {
          d = *whole;
          break;
        }
      }
    }
    if (!d.has_value()) continue;
    out.fields["issue_date"] = reader.Make(
        FormatDate(*d),
        unanimous && d1.has_value() && *d1 == *d &&
                r.confidence >= kMinTesseractForProof &&
                MinConfidence(line->words, 0) >= kMinTesseractForProof
            ? kClosedSetConfidence
            : kUnprovenConfidence,
        line->box);
    if (d1.has_value() && *d1 != *d) {
      out.fields["issue_date"].alternatives.push_back(
          reader.Make(FormatDate(*d1), kUnprovenConfidence, line->box).best);
    }
    return true;
  }
  return false;
}

// Registration number ("Số: 45/2026") and date line ("…, ngày 12 tháng 05
// năm 2020") in the header and footer, and an other document's title and
// issuer.
void ReadHeader(const std::vector<Line>& lines, const cv::Size page_size,
                const FieldReader& reader, DocumentKind kind,
                PageReading& out) {
  const int header_bottom = static_cast<int>(page_size.height * kHeaderShare);
  const int left_limit = page_size.width * 45 / 100;
  // "Số: …" under the issuer.
  for (const Line& line : lines) {
    if (line.box.y > header_bottom || line.words.size() < 2) continue;
    // "Số:" itself, not a label that starts with the word ("Số định danh").
    const bool number_label =
        line.words[0].folded == "SO" &&
        (line.words[0].text.find(':') != std::string::npos ||
         line.words[1].text.front() == ':');
    if (!number_label || line.box.x > left_limit) continue;
    // Only the first cell: the motto's second line may share the row.
    size_t end = 1;
    while (end < line.words.size() &&
           line.words[end].box.x - line.words[end - 1].box.br().x <
               kCellGapLines * line.words[end].box.height) {
      ++end;
    }
    std::vector<Word> value(line.words.begin() + 1, line.words.begin() + end);
    while (!value.empty() && value.front().text == ":") {
      value.erase(value.begin());
    }
    if (value.empty()) break;
    std::string page_text = JoinText(value, 0);
    if (!page_text.empty() && page_text.front() == ':') page_text.erase(0, 1);
    const cv::Rect box = Union(value, 0);
    if (kind == DocumentKind::kBirthExtract) {
      const LineReading r = reader.Reread(box, LineKind::kDigits);
      static const std::regex kNumber(R"(^(\d{1,5})/(\d{4})$)");
      std::smatch m;
      std::string text = r.text;
      if (std::regex_match(text, m, kNumber)) {
        double conf = text == page_text ? kUnprovenConfidence : 0.5;
        // The book's year is the registration year; the entry's number
        // has nothing to check it against (two blurred readings agreed on
        // "2635/2001" for 265/2001), so it stays below review.
        auto reg = out.fields.find("registration_date");
        if (text == page_text && reg != out.fields.end() &&
            reg->second.best.confidence >= kProvenConfidence &&
            reg->second.best.value.substr(6) == m[2].str()) {
          conf = kUnverifiableCap;
        }
        out.fields["registration_number"] = reader.Make(text, conf, box);
      } else if (!text.empty()) {
        out.fields["registration_number"] =
            reader.Make(text, kContradictedConfidence, box);
      }
    } else if (kind == DocumentKind::kOther) {
      const LineReading r = reader.Reread(box, LineKind::kName);
      std::string text = r.text.empty() ? page_text : r.text;
      std::erase(text, ' ');
      std::string page_compact = page_text;
      std::erase(page_compact, ' ');
      out.fields["number"] = reader.Make(
          text,
          std::min({r.confidence, kUnverifiableCap,
                    text == page_compact ? 1.0 : kUnprovenConfidence}),
          box);
    }
    break;
  }
  if (kind != DocumentKind::kOther) return;
  ReadIssueDate(lines, page_size, reader, out);
  // The title: the tallest line of the header below the motto, centred.
  const Line* title = nullptr;
  double title_height = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.box.y > header_bottom) break;
    const std::string folded = FoldForMatching(line.Text());
    if (ContainsFuzzy(folded, "CONG HOA XA HOI CHU NGHIA VIET NAM") ||
        ContainsFuzzy(folded, "DOC LAP TU DO HANH PHUC")) {
      continue;
    }
    // A title is a few capitalised words, not a stray mark.
    if (folded.size() < 6 || LowerVietnamese(line.Text()) == line.Text()) {
      continue;
    }
    const int cx = line.box.x + line.box.width / 2;
    if (std::abs(cx - page_size.width / 2) > page_size.width / 8) continue;
    double h = 0;
    for (const Word& w : line.words) h += w.box.height;
    h /= line.words.size();
    if (h > title_height) title_height = h, title = &line;
  }
  if (title != nullptr) {
    const LineReading r = reader.Reread(title->box, LineKind::kName);
    const std::string text = r.text.empty() ? title->Text() : r.text;
    out.fields["title"] = reader.Make(
        text,
        std::min(
            {r.confidence, kUnverifiableCap,
             Lower(text) == Lower(title->Text()) ? 1.0 : kUnprovenConfidence}),
        title->box);
    // The issuer: the capitals at top left, above the number.
    std::vector<Word> issuer;
    for (const Line& line : lines) {
      if (line.box.y >= title->box.y) break;
      // The left column only (up to the motto's column, which starts at
      // about 43% of the width): Tesseract may join the two.
      size_t end = 0;
      while (end < line.words.size() &&
             line.words[end].box.x + line.words[end].box.width / 2 <
                 page_size.width * 43 / 100) {
        ++end;
      }
      if (end == 0) continue;
      if (line.words[0].folded == "SO") break;
      issuer.insert(issuer.end(), line.words.begin(), line.words.begin() + end);
    }
    if (!issuer.empty()) {
      out.fields["issuer"] =
          reader.Make(LettersAndSpaces(JoinText(issuer, 0)),
                      std::min(MinConfidence(issuer, 0), kUnverifiableCap),
                      Union(issuer, 0));
    }
  }
}

// ZXing takes tens of milliseconds at this size and finds a card's QR code
// when the card fills a usual share of the frame.
constexpr int kQrCheckLongSide = 1600;

bool HasIdCardQr(const cv::Mat& image) {
  cv::Mat small = image;
  const int long_side = std::max(image.cols, image.rows);
  if (long_side > kQrCheckLongSide) {
    const double k = static_cast<double>(kQrCheckLongSide) / long_side;
    cv::resize(image, small, {}, k, k, cv::INTER_AREA);
  }
  auto codes = ReadQrCodes(small);
  if (!codes.ok()) return false;
  for (const QrCode& code : *codes) {
    if (ParseIdCardQr(code.text).ok()) return true;
  }
  return false;
}

Quad ScaleQuad(Quad q, double k) {
  for (auto& p : q) p *= static_cast<float>(k);
  return q;
}

// Undoes camera shake over the page found at `quad` (on `image`), measured
// and restored on the sharpest copy there is: `detail` when given. Fills
// the restored copies (`image` as grey in BGR: only grey levels are read
// once the page is found) and says whether there was a smear to undo.
bool RemovePageSmear(const cv::Mat& image, const cv::Mat& detail,
                     const Quad& quad, cv::Mat* restored_image,
                     cv::Mat* restored_detail) {
  const bool has_detail = !detail.empty();
  const cv::Mat& source = has_detail ? detail : image;
  cv::Mat gray;
  if (source.channels() == 1) {
    gray = source.clone();
  } else {
    cv::cvtColor(source, gray, cv::COLOR_BGR2GRAY);
  }
  const double k =
      has_detail ? static_cast<double>(detail.cols) / image.cols : 1.0;
  const Quad page = ScaleQuad(quad, k);
  const std::optional<MotionBlur> smear = EstimateMotionBlur(gray, page);
  if (!smear) return false;
  std::vector<cv::Point2f> outline(page.begin(), page.end());
  const int margin = static_cast<int>(2 * smear->length) + 8;
  const cv::Rect region = cv::boundingRect(outline) +
                          cv::Size(2 * margin, 2 * margin) -
                          cv::Point(margin, margin);
  RemoveMotionBlur(gray, region, *smear);
  cv::Mat reduced = gray;
  if (has_detail) {
    cv::resize(gray, reduced, image.size(), 0, 0, cv::INTER_AREA);
    *restored_detail = gray;
  }
  cv::cvtColor(reduced, *restored_image, cv::COLOR_GRAY2BGR);
  return true;
}

}  // namespace

PageReader::PageReader(PageReaderOptions options)
    : options_(std::move(options)) {}

PageReader::~PageReader() {
  if (layout_ != nullptr) layout_->End();
}

absl::StatusOr<std::unique_ptr<PageReader>> PageReader::Create(
    PageReaderOptions options) {
  // The engines start on first use (EnsureEngines): a card photo recognised
  // by its QR code never needs them, and starting three models costs a
  // worker's first job hundreds of milliseconds. The models' presence is
  // checked now so that a missing package is reported at start.
  for (const char* language : {"vie", "eng"}) {
    const std::filesystem::path model =
        std::filesystem::path(options.tessdata_dir) /
        (std::string(language) + ".traineddata");
    std::error_code error;
    if (!std::filesystem::is_regular_file(model, error)) {
      return absl::FailedPreconditionError(
          absl::StrCat("Tesseract model ", model.string(),
                       " is missing; install the "
                       "tesseract-ocr-",
                       language,
                       " package or pass the tessdata "
                       "directory"));
    }
  }
  return std::unique_ptr<PageReader>(new PageReader(std::move(options)));
}

absl::Status PageReader::EnsureEngines() {
  if (layout_ != nullptr) return absl::OkStatus();
  auto lines = TesseractReader::Create(options_.tessdata_dir);
  if (!lines.ok()) return lines.status();
  auto layout = std::make_unique<tesseract::TessBaseAPI>();
  // Names, addresses and dates are not dictionary words.
  const std::vector<std::string> vars = {"load_system_dawg", "load_freq_dawg",
                                         "debug_file"};
  const std::vector<std::string> values = {"0", "0", "/dev/null"};
  if (layout->Init(options_.tessdata_dir.c_str(), "vie",
                   tesseract::OEM_LSTM_ONLY, nullptr, 0, &vars, &values,
                   false) != 0) {
    layout->End();
    return absl::FailedPreconditionError(absl::StrCat(
        "Tesseract could not load the 'vie' model from ", options_.tessdata_dir,
        "; install the tesseract-ocr-vie package"));
  }
  layout->SetVariable("thresholding_method", "2");
  layout->SetVariable("user_defined_dpi", "300");
  lines_ = *std::move(lines);
  layout_ = std::move(layout);
  return absl::OkStatus();
}

absl::StatusOr<PageReading> PageReader::Read(
    std::span<const uint8_t> photo_bytes, int photo_index) {
  auto decoded = DecodeImage(
      photo_bytes, options_.limits,
      std::max(options_.detail_long_side, options_.decode_long_side));
  if (!decoded.ok()) return decoded.status();
  const cv::Mat& detail = decoded->image;
  cv::Mat image = detail;
  const int long_side = std::max(detail.cols, detail.rows);
  if (options_.decode_long_side > 0 && long_side > options_.decode_long_side) {
    try {
      const double k =
          static_cast<double>(options_.decode_long_side) / long_side;
      cv::resize(detail, image, {}, k, k, cv::INTER_AREA);
    } catch (const cv::Exception& e) {
      return absl::InternalError(
          absl::StrCat("reducing the page photo failed: ", e.what()));
    }
  }
  const double to_original =
      static_cast<double>(
          std::max(decoded->original_width, decoded->original_height)) /
      std::max(image.cols, image.rows);
  if (image.data == detail.data) {
    return ReadDecoded(image, to_original, photo_index, cv::Mat());
  }
  // Only the grey levels are read again; the colour copy goes now (36 MB
  // for a 12-MP photo).
  cv::Mat gray_detail;
  try {
    cv::cvtColor(detail, gray_detail, cv::COLOR_BGR2GRAY);
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("reducing the page photo failed: ", e.what()));
  }
  decoded->image.release();
  return ReadDecoded(image, to_original, photo_index, gray_detail);
}

absl::StatusOr<PageReading> PageReader::ReadDecoded(const cv::Mat& image,
                                                    double to_original,
                                                    int photo_index) {
  return ReadDecoded(image, to_original, photo_index, cv::Mat());
}

absl::StatusOr<PageReading> PageReader::ReadDecoded(const cv::Mat& image,
                                                    double to_original,
                                                    int photo_index,
                                                    const cv::Mat& detail) {
  if (image.empty() || image.type() != CV_8UC3) {
    return absl::InvalidArgumentError(
        "the page reader needs a decoded 8-bit BGR photo");
  }
  if (!detail.empty() &&
      ((detail.type() != CV_8UC3 && detail.type() != CV_8UC1) ||
       detail.cols < image.cols || detail.rows < image.rows)) {
    return absl::InvalidArgumentError(
        "the page reader's detail photo must be the same photo, 8-bit BGR "
        "or grey, at a resolution at least the reduced copy's");
  }
  PageReading out;
  try {
    if (HasIdCardQr(image)) {
      // A citizen ID card (front of 2021 cards, back of 2024 ones): no page
      // reading needed, and none of these papers carries that payload.
      out.kind = DocumentKind::kIdCard;
      return out;
    }
    if (absl::Status s = EnsureEngines(); !s.ok()) return s;
    FinderOptions finder;
    auto found = FindDocument(image, finder);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      out.notes.push_back(
          "Không thấy giấy tờ trong ảnh; xin chụp lại cả trang giấy.");
      return out;
    }
    // The finder guesses the shape from the outline; read it as a page
    // either way, since perspective makes a tilted card look like a page.
    finder.expect = DocumentShape::kPage;
    auto as_page = FindDocument(image, finder);
    if (!as_page.ok()) return as_page.status();
    const bool card_shaped = (*found)->shape == DocumentShape::kIdCard;
    const Quad base = (*as_page)->quad;
    cv::Mat page_image = image;
    cv::Mat page_detail = detail;
    // Before anything is read, card-shaped or not: a tilted page's outline
    // may look like a card's.
    if (RemovePageSmear(image, detail, base, &page_image, &page_detail)) {
      out.notes.push_back(
          "Ảnh bị nhòe do rung máy; đã khử nhòe trước khi đọc, xin đối chiếu "
          "kỹ với ảnh.");
    }
    const cv::Size size(options_.page_width,
                        static_cast<int>(options_.page_width * kSqrt2));
    const cv::Rect band(0, 0, size.width,
                        static_cast<int>(size.height * kHeaderShare));
    cv::Mat gray;
    Quad quad = base;
    TitleClass cls;
    bool oriented = false;
    // Which short edge is the top is unknown: upright first, then turned.
    // Sauvola first; then Otsu (a blurred, low-contrast page, see the field
    // pass below); then Sauvola at half size, where a blurred title's
    // large letters are about body-text size and their edges sharper.
    cv::Mat turned[2];
    cv::Mat lights[2];
    cv::Mat light;
    for (int attempt = 0; attempt < 3 && !oriented; ++attempt) {
      layout_->SetVariable("thresholding_method", attempt == 1 ? "0" : "2");
      for (int t = 0; t < 2 && !oriented; ++t) {
        if (turned[t].empty()) {
          auto page = Rectify(page_image, TurnQuad(base, 2 * t), size);
          if (!page.ok()) return page.status();
          cv::Mat raw;
          cv::cvtColor(*page, raw, cv::COLOR_BGR2GRAY);
          lights[t] = LightOf(raw);
          turned[t] = Flatten(raw, lights[t]);
        }
        if (attempt < 2) {
          cls = ClassifyTitle(Texts(LayoutLines(*layout_, turned[t], band)));
        } else {
          cv::Mat half;
          cv::resize(turned[t](band), half, {}, 0.5, 0.5, cv::INTER_AREA);
          cls = ClassifyTitle(Texts(LayoutLines(
              *layout_, half, cv::Rect(0, 0, half.cols, half.rows))));
        }
        if (cls.motto_seen || cls.title_line >= 0) {
          oriented = true;
          quad = TurnQuad(base, 2 * t);
          gray = turned[t];
          light = lights[t];
        }
      }
    }
    layout_->SetVariable("thresholding_method", "2");
    if (!oriented && !card_shaped) {
      // Neither title nor motto readable (a blurred header), yet the body
      // may be: the way up is the one whose page Tesseract reads with more
      // confident words, when clearly so. Without a title the paper is an
      // "other document".
      double sure[2] = {0, 0};
      for (int t = 0; t < 2; ++t) {
        for (const Line& l :
             LayoutLines(*layout_, turned[t],
                         cv::Rect(0, 0, size.width, size.height))) {
          for (const Word& w : l.words) {
            if (w.folded.size() >= 2 && w.confidence >= kSureWordConfidence) {
              sure[t] += 1;
            }
          }
        }
      }
      const int up = sure[1] > sure[0] ? 1 : 0;
      if (sure[up] >= kMinSureWordsToOrient &&
          sure[up] >= kOrientationRatio * sure[1 - up]) {
        oriented = true;
        quad = TurnQuad(base, 2 * up);
        gray = turned[up];
        light = lights[up];
        cls = TitleClass{};
        cls.kind = DocumentKind::kOther;
        out.notes.push_back(
            "Không đọc được tiêu đề; hướng trang suy ra từ chữ trong trang.");
      }
    }
    if (!oriented) {
      out.kind = card_shaped ? DocumentKind::kIdCard : DocumentKind::kNone;
      out.notes.push_back(card_shaped
                              ? "Ảnh giống thẻ căn cước, không phải trang giấy."
                              : "Không đọc được tiêu đề giấy tờ.");
      return out;
    }
    out.kind = cls.kind;
    out.motto_seen = cls.motto_seen;
    out.page_quad = ScaleQuad(quad, to_original);
    if (out.kind == DocumentKind::kIdCard) return out;
    const cv::Rect whole(0, 0, size.width, size.height);
    std::vector<Line> lines = LayoutLines(*layout_, gray, whole);
    // The title again, from the whole page's lines, before the fields are
    // looked for: a header read only as far as the motto leaves the paper
    // "other", which has no fields, and a level-3 extract lost all of them.
    const TitleClass full = ClassifyTitle(Texts(lines));
    if (full.title_line >= 0 && full.kind != out.kind &&
        out.kind == DocumentKind::kOther) {
      out.kind = full.kind;
    }
    const auto& specs = Specs(out.kind);
    std::vector<Cell> cells = Cells(lines);
    std::map<std::string, Located> where = Locate(cells, specs);
    if (where.size() < specs.size()) {
      // On a blurred, low-contrast page Sauvola's local threshold breaks
      // the strokes into speckle and the layout pass finds no text lines
      // at all (level-3 extracts lost every field); a global Otsu threshold
      // keeps them. The pass that finds more labelled fields is kept, with
      // the fields only the other found, and lines both lost are looked for
      // again in the gaps they left.
      layout_->SetVariable("thresholding_method", "0");
      std::vector<Line> otsu = LayoutLines(*layout_, gray, whole);
      layout_->SetVariable("thresholding_method", "2");
      std::vector<Cell> otsu_cells = Cells(otsu);
      std::map<std::string, Located> otsu_where = Locate(otsu_cells, specs);
      if (otsu_where.size() > where.size()) {
        std::swap(lines, otsu);
        std::swap(where, otsu_where);
      }
      MergeMissingFields(otsu, otsu_where, lines, where);
      FindLinesInGaps(*layout_, gray, specs, lines, where);
    }
    for (const Line& l : lines) {
      if (!out.full_text.empty()) out.full_text.push_back('\n');
      out.full_text += l.Text();
    }
    Detail fine;
    if (!page_detail.empty()) {
      // Page pixels to detail pixels: the page's corners on the detail
      // photo, which differs from `image` only by scale.
      const double k = static_cast<double>(page_detail.cols) / image.cols;
      const Quad on_detail = ScaleQuad(quad, k);
      const std::array<cv::Point2f, 4> corners = {
          cv::Point2f(0, 0), cv::Point2f(static_cast<float>(size.width), 0),
          cv::Point2f(static_cast<float>(size.width),
                      static_cast<float>(size.height)),
          cv::Point2f(0, static_cast<float>(size.height))};
      fine.page_to_detail =
          cv::getPerspectiveTransform(corners.data(), on_detail.data());
      const double top = cv::norm(on_detail[1] - on_detail[0]);
      const double bottom = cv::norm(on_detail[2] - on_detail[3]);
      fine.scale =
          std::clamp((top + bottom) / 2 / size.width, 1.0, kMaxDetailScale);
      if (page_detail.channels() == 1) {
        fine.gray = page_detail;
      } else {
        cv::cvtColor(page_detail, fine.gray, cv::COLOR_BGR2GRAY);
      }
    }
    FieldReader reader(*lines_, gray, light, fine, quad, to_original,
                       photo_index, MottoShowsGraveAsAcute(lines));
    ReadFields(specs, lines, where, reader, out);
    ReadHeader(lines, size, reader, out.kind, out);
    if (out.kind == DocumentKind::kOther && !out.fields.count("issue_date")) {
      // Tesseract's layout analysis under Sauvola may skip the blurred
      // italic date line altogether (as an image); Otsu finds it.
      const cv::Rect body(0, size.height / 8, size.width, size.height * 5 / 8);
      layout_->SetVariable("thresholding_method", "0");
      const std::vector<Line> more = LayoutLines(*layout_, gray, body);
      layout_->SetVariable("thresholding_method", "2");
      ReadIssueDate(more, size, reader, out);
    }
    if (out.fields.empty() && out.kind != DocumentKind::kOther) {
      out.notes.push_back(
          "Nhận ra loại giấy nhưng không đọc được trường nào; xin chụp lại "
          "rõ hơn.");
    }
    return out;
  } catch (const cv::Exception& e) {
    return absl::InternalError(
        absl::StrCat("reading the page photo failed: ", e.what()));
  }
}

}  // namespace cdkv::ocr

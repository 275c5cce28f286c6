// Renders the civil-status papers a citizen brings besides the ID card, with
// the layouts of the real forms: giấy chứng sinh (birth notice, Thông tư
// 17/2012/TT-BYT), giấy báo tử (death notice), trích lục khai sinh (birth
// certificate / civil-status extract, Thông tư 04/2020/TT-BTP) and an "other"
// certifiable paper (a certificate or diploma). Every page carries the
// national motto header, a title, labelled fields, a red stamp and a
// signature, in DejaVu Serif (the forms are set in Times New Roman).
#ifndef CDKV_TOOLS_SYNTH_PAGE_RENDER_H_
#define CDKV_TOOLS_SYNTH_PAGE_RENDER_H_

#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/synth/text_painter.h"

namespace cdkv::synth {

enum class PageKind { kBirthNotice, kDeathNotice, kBirthExtract, kOther };

// "birth_notice", "death_notice", "civil_status_extract", "other_document":
// the catalog's document kinds.
std::string_view PageKindName(PageKind kind);

// The page's content as ground truth: field name (the catalog's `from.field`
// names, e.g. "mother_name", "date_of_birth") to the value a reader should
// return: names in title case with diacritics, dates DD/MM/YYYY, sex
// "Nam"/"Nữ", times HH:MM.
struct PageContent {
  PageKind kind = PageKind::kOther;
  std::vector<std::pair<std::string, std::string>> fields;
  // What is printed where. A '\t' in a body line starts a second field at
  // the middle of the page ("Giới tính: Nam<TAB>Dân tộc: Kinh").
  std::vector<std::string> issuer;  // Top left, upper case, centred.
  std::string number;               // "Số: …" under the issuer, or empty.
  std::string title;
  std::string subtitle;
  std::vector<std::string> body;
  std::string place_date;  // "Đồng Tháp, ngày 12 tháng 05 năm 2020".
  std::string signer_role;
  std::string signer_name;
  bool a5 = true;  // A5 forms have larger type for the page width.
};

// Random but consistent content of `kind` (the mother's ID agrees with her
// birth year, the death date follows the birth date, ...). Deterministic for
// the generator state.
PageContent RandomPageContent(PageKind kind, std::mt19937_64& rng);

class PageRenderer {
 public:
  // NOT_FOUND when the DejaVu fonts are missing (install fonts-dejavu-core
  // and fonts-dejavu-extra).
  static absl::StatusOr<PageRenderer> Create();

  // A portrait BGR page `width` pixels wide (height √2 × width), with a
  // stamp and signature drawn from `rng`.
  cv::Mat Render(const PageContent& content, int width,
                 std::mt19937_64& rng) const;

 private:
  PageRenderer(TextPainter serif, TextPainter bold, TextPainter italic)
      : serif_(std::move(serif)),
        bold_(std::move(bold)),
        italic_(std::move(italic)) {}
  TextPainter serif_;
  TextPainter bold_;
  TextPainter italic_;
};

}  // namespace cdkv::synth

#endif  // CDKV_TOOLS_SYNTH_PAGE_RENDER_H_

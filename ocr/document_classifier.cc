#include "ocr/document_classifier.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <vector>

#include "ocr/text_utf8.h"

namespace cdkv::ocr {
namespace {

struct Title {
  std::string_view folded;
  DocumentKind kind;
};

// Folded titles. The ID card's own heading is included so a card photo that
// reaches the page reader is still recognised.
constexpr Title kTitles[] = {
    {"GIAY CHUNG SINH", DocumentKind::kBirthNotice},
    {"GIAY BAO TU", DocumentKind::kDeathNotice},
    {"TRICH LUC KHAI SINH", DocumentKind::kBirthExtract},
    {"GIAY KHAI SINH", DocumentKind::kBirthExtract},
    {"BAN SAO GIAY KHAI SINH", DocumentKind::kBirthExtract},
    {"CAN CUOC CONG DAN", DocumentKind::kIdCard},
    {"CITIZEN IDENTITY CARD", DocumentKind::kIdCard},
    {"CAN CUOC", DocumentKind::kIdCard},
};

constexpr std::string_view kMotto = "CONG HOA XA HOI CHU NGHIA VIET NAM";

}  // namespace

std::string_view DocumentKindName(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kNone:
      return "none";
    case DocumentKind::kIdCard:
      return "id_card";
    case DocumentKind::kBirthNotice:
      return "birth_notice";
    case DocumentKind::kDeathNotice:
      return "death_notice";
    case DocumentKind::kBirthExtract:
      return "civil_status_extract";
    case DocumentKind::kOther:
      return "other_document";
  }
  return "other_document";
}

std::string FoldForMatching(std::string_view text) {
  auto folded = FoldVietnameseToAsciiUpper(text);
  if (!folded.ok()) return "";
  std::string out;
  for (char c : *folded) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string LowerVietnamese(std::string_view text) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  u.toLower(icu::Locale("vi"));
  std::string out;
  u.toUTF8String(out);
  return out;
}

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1,
                         prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool ContainsFuzzy(std::string_view line, std::string_view phrase) {
  if (phrase.empty()) return true;
  const int budget = static_cast<int>(phrase.size()) / 6;
  if (line.size() + budget < phrase.size()) return false;
  // Every window of the phrase's length (± the budget) starting at a word.
  for (size_t start = 0; start < line.size(); ++start) {
    if (start > 0 && line[start - 1] != ' ') continue;
    for (int extra = -budget; extra <= budget; ++extra) {
      const long len = static_cast<long>(phrase.size()) + extra;
      if (len <= 0 || start + len > line.size()) continue;
      if (EditDistance(line.substr(start, len), phrase) <= budget) return true;
    }
  }
  return false;
}

TitleClass ClassifyTitle(const std::vector<std::string>& lines) {
  TitleClass out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string folded = FoldForMatching(lines[i]);
    if (folded.empty()) continue;
    if (ContainsFuzzy(folded, kMotto)) {
      out.motto_seen = true;
      continue;
    }
    if (out.title_line >= 0) continue;
    for (const Title& t : kTitles) {
      // A title stands alone on its line: a body sentence that mentions
      // "giấy khai sinh" is not the title.
      if (folded.size() > t.folded.size() + 8) continue;
      // Titles differ by a word ("GIẤY CHỨNG SINH", "GIẤY CHỨNG NHẬN"), so
      // the whole title must match within one edit per eight characters.
      bool match = false;
      for (size_t at = 0; !match && at + t.folded.size() <= folded.size();
           ++at) {
        if (at > 0 && folded[at - 1] != ' ') continue;
        match = EditDistance(folded.substr(at, t.folded.size()), t.folded) <=
                static_cast<int>(t.folded.size()) / 8;
      }
      if (match) {
        out.kind = t.kind;
        out.title_line = static_cast<int>(i);
        break;
      }
    }
  }
  return out;
}

}  // namespace cdkv::ocr

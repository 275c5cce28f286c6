// Which paper a photo shows, decided from the printed title, not from what
// the citizen said it was (photos are often uploaded under the wrong slot).
// Every Vietnamese administrative paper opens with the national motto and
// names itself in capitals under it ("GIẤY CHỨNG SINH"); matching is done on
// diacritic-folded text with a small edit tolerance, because Tesseract often
// drops or swaps a tone mark on a phone photo.
#ifndef CDKV_OCR_DOCUMENT_CLASSIFIER_H_
#define CDKV_OCR_DOCUMENT_CLASSIFIER_H_

#include <string>
#include <string_view>
#include <vector>

namespace cdkv::ocr {

enum class DocumentKind {
  kNone,          // No document found in the photo.
  kIdCard,        // Any citizen ID card side (read by IdCardReader).
  kBirthNotice,   // Giấy chứng sinh.
  kDeathNotice,   // Giấy báo tử.
  kBirthExtract,  // Giấy khai sinh / trích lục khai sinh (civil status).
  kOther,         // Anything else: kept with its full text.
};

// The catalog's document kinds: "id_card", "birth_notice", "death_notice",
// "civil_status_extract", "other_document"; "none" for kNone.
std::string_view DocumentKindName(DocumentKind kind);

// Upper-case ASCII with diacritics folded, punctuation dropped and spaces
// collapsed: "Họ, chữ đệm, tên:" -> "HO CHU DEM TEN". Invalid UTF-8 gives "".
std::string FoldForMatching(std::string_view text);

// Lower case with Vietnamese rules, diacritics kept: compares a name printed
// in capitals with the same name in title case ("NGUYỄN" / "Nguyễn").
std::string LowerVietnamese(std::string_view text);

// Levenshtein distance between two ASCII strings.
int EditDistance(std::string_view a, std::string_view b);

// True when folded `line` contains folded `phrase` with at most one edit per
// six characters.
bool ContainsFuzzy(std::string_view folded_line, std::string_view phrase);

struct TitleClass {
  DocumentKind kind = DocumentKind::kOther;
  bool motto_seen = false;  // "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" read.
  int title_line = -1;      // Index in the lines of the matching title.
};

// Classifies from the lines read on the top part of an upright document.
// kOther when no known title is found (whether or not it is a document at
// all is for the caller to say).
TitleClass ClassifyTitle(const std::vector<std::string>& lines);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_DOCUMENT_CLASSIFIER_H_

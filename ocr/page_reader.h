// Reads a phone photo of a paper document (A4/A5 page): finds and rectifies
// the page, decides what it is from its title (document_classifier.h), and
// reads the fields of birth notices, death notices and birth certificates /
// civil-status extracts by their printed labels ("Họ và tên mẹ:", "Ngày,
// tháng, năm sinh:"). Each value is read twice: once in Tesseract's layout
// pass over the whole page, and again alone on its line, warped anew from
// the full-resolution photo, with the settings for its kind (digits only for
// dates and numbers, no dictionary for names; names four ways, their tone
// marks chosen by Vietnamese syllable rules, ocr/vietnamese_name.h).
// Confidence reaches ocr::kReviewThreshold only with evidence: the value
// validates (a real date, a structurally valid ID number agreeing with the
// birth year and sex printed beside it, a word from a closed set), both
// readings agree, and Tesseract was sure of both. Names, addresses and other
// free text cannot be validated on one page and stay below the threshold
// unless another document confirms them (the filing prefiller does that).
// Anything else is an "other document" with its full text and, where found,
// its title, issuer, number and date, for certification of copies.
#ifndef CDKV_OCR_PAGE_READER_H_
#define CDKV_OCR_PAGE_READER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ocr/document_classifier.h"
#include "ocr/document_finder.h"
#include "ocr/field.h"
#include "ocr/image_decode.h"
#include "ocr/tesseract_reader.h"

namespace tesseract {
class TessBaseAPI;
}  // namespace tesseract

namespace cdkv::ocr {

struct PageReading {
  // kNone when no page was found or no text could be read; kIdCard when the
  // photo is a card (read it with IdCardReader).
  DocumentKind kind = DocumentKind::kNone;
  bool motto_seen = false;
  std::optional<Quad> page_quad;  // Original photo pixels, page upright.
  // Keyed by the catalog's field names (`from.field`): birth notice
  // mother_name, mother_birth_year, mother_id_number, mother_residence,
  // child_name, date_of_birth, time_of_birth, place_of_birth, sex,
  // weight_grams; death notice deceased_name, date_of_birth, sex, id_number,
  // residence, date_of_death, time_of_death, place_of_death, cause; extract
  // person_name, date_of_birth, sex, ethnicity, nationality, place_of_birth,
  // id_number, mother_name, father_name, registration_number,
  // registration_date; other document title, issuer, number, issue_date.
  // Names are title case with diacritics, dates DD/MM/YYYY, times HH:MM, sex
  // "Nam"/"Nữ".
  std::map<std::string, ReadField> fields;
  // Every line read, top to bottom, '\n'-separated (certification of copies
  // needs the text of the original).
  std::string full_text;
  std::vector<std::string> notes;  // For the officer, in Vietnamese.
};

struct PageReaderOptions {
  std::string tessdata_dir = std::string(kDefaultTessdataDir);
  DecodeLimits limits;
  // Pages are found, oriented and laid out on a copy of the photo with
  // this long side: a page filling a 12-MP photo keeps about 10 px per
  // millimetre, enough to find every line.
  int decode_long_side = 3000;
  // Field lines are re-read from the photo decoded at up to this long side
  // (a whole 12-MP photo): on a page photographed small and blurred the
  // reduced copy has too few pixels per tone mark (ầ against ấ).
  int detail_long_side = 4096;
  // Width of the rectified page; the height follows the A-series ratio √2.
  int page_width = 1600;
};

class PageReader {
 public:
  // FAILED_PRECONDITION when the Tesseract models are missing.
  static absl::StatusOr<std::unique_ptr<PageReader>> Create(
      PageReaderOptions options = {});
  ~PageReader();
  PageReader(const PageReader&) = delete;
  PageReader& operator=(const PageReader&) = delete;

  // Decodes the upload (limits enforced, EXIF applied) and reads it.
  // Unreadable photos are not errors: kNone with a note.
  absl::StatusOr<PageReading> Read(std::span<const uint8_t> photo_bytes,
                                   int photo_index);

  // Reads an upright BGR image whose pixels are `to_original` times smaller
  // than the original photo's.
  absl::StatusOr<PageReading> ReadDecoded(const cv::Mat& image,
                                          double to_original, int photo_index);
  // The same, with `detail` the same photo (BGR or grey) at a higher
  // resolution, its scale to `image` taken from the widths, from which
  // field lines are re-read. An empty `detail` means `image`.
  absl::StatusOr<PageReading> ReadDecoded(const cv::Mat& image,
                                          double to_original, int photo_index,
                                          const cv::Mat& detail);

 private:
  explicit PageReader(PageReaderOptions options);

  // Starts the Tesseract engines if they are not running yet.
  absl::Status EnsureEngines();

  PageReaderOptions options_;
  std::unique_ptr<TesseractReader> lines_;
  // `vie` without dictionaries, used with automatic page segmentation.
  std::unique_ptr<tesseract::TessBaseAPI> layout_;
};

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_PAGE_READER_H_

// Reads a photo of a Vietnamese ID card, telling which card and side it is
// from what it sees: the 2021 chip citizen ID card (CCCD, QR on the front,
// MRZ on the back), the 2024 identity card (CĂN CƯỚC, QR and MRZ on the back)
// and the 2016 12-digit card (no QR, no MRZ). The QR code is read first
// (error-corrected, so trusted), then the MRZ on a back (check digits), then
// the printed fields with Tesseract. Every field carries a confidence;
// values below kReviewThreshold must be looked at by an officer. A confident
// wrong value is the worst outcome, so confidence above the threshold needs
// proof: QR error correction, MRZ check digits, or printed fields agreeing
// with each other through the ID number's century/sex/year digits.
#ifndef CDKV_OCR_ID_CARD_READER_H_
#define CDKV_OCR_ID_CARD_READER_H_

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ocr/dates.h"
#include "ocr/document_finder.h"
#include "ocr/field.h"
#include "ocr/image_decode.h"
#include "ocr/tesseract_reader.h"

namespace cdkv::ocr {

// Fields at or above this confidence may be pre-filled without review.
inline constexpr double kReviewThreshold = 0.8;

enum class CardSide { kUnknown, kFront, kBack };

class FullResolutionPhoto;

enum class CardKind {
  kUnknown,
  kChip2021,       // Căn cước công dân gắn chip: QR on the front.
  kIdentity2024,   // Căn cước (2024): QR on the back above the MRZ.
  kCitizenId2016,  // Căn cước công dân without chip: no QR, no MRZ.
};

// "chip_2021", "identity_2024", "citizen_id_2016" or "unknown".
std::string_view CardKindName(CardKind kind);

struct IdCardReading {
  // Detected from the QR code's place on the card, the MRZ and the title
  // printed on the front; kUnknown when none of them could be seen.
  CardKind card_kind = CardKind::kUnknown;
  CardSide side = CardSide::kUnknown;
  std::optional<Quad> card_quad;  // Original photo pixels, card upright.
  // Empty optionals were not read. Names are in title case with diacritics
  // ("Nguyễn Văn An") except from the MRZ, which has none ("NGUYEN VAN AN");
  // dates are DD/MM/YYYY; sex is "Nam" or "Nữ".
  std::optional<ReadField> id_number;
  std::optional<ReadField> full_name;
  std::optional<ReadField> birth_date;
  std::optional<ReadField> sex;
  std::optional<ReadField> hometown;
  std::optional<ReadField> residence;
  std::optional<ReadField> expiry_date;
  std::optional<ReadField> issue_date;
  // Sentences for the officer: what disagreed, what could not be read.
  std::vector<std::string> notes;
};

struct IdCardReaderOptions {
  std::string tessdata_dir = std::string(kDefaultTessdataDir);
  DecodeLimits limits;
  // QR codes are found at this long side; more costs time for nothing.
  int decode_long_side = 2000;
  // A printed birth date, ID number or name left unsure is read again from
  // the upload decoded at up to this long side (0: never); only photos
  // with such a field pay for the second decode.
  int detail_long_side = 4000;
  // Also read the printed text when the QR code was read, to cross-check it
  // (slower; the QR is error-corrected, so off by default).
  bool cross_check_printed = false;
};

class IdCardReader {
 public:
  // FAILED_PRECONDITION when the Tesseract models are missing.
  static absl::StatusOr<std::unique_ptr<IdCardReader>> Create(
      IdCardReaderOptions options = {});

  // Decodes the upload (limits enforced, EXIF applied) and reads it.
  // `today` places MRZ two-digit years. Unreadable photos are not errors:
  // they return a reading with no fields and a note. A printed birth date,
  // ID number or name the decoded image leaves unsure is read again from
  // the upload decoded at up to `detail_long_side`.
  absl::StatusOr<IdCardReading> Read(std::span<const uint8_t> photo_bytes,
                                     int photo_index, const Date& today);

  // Reads an already decoded upright BGR image whose pixels are
  // `to_original` times smaller than the original photo's.
  absl::StatusOr<IdCardReading> ReadDecoded(const cv::Mat& image,
                                            double to_original, int photo_index,
                                            const Date& today);

 private:
  IdCardReader(IdCardReaderOptions options,
               std::unique_ptr<TesseractReader> tesseract)
      : options_(std::move(options)), tesseract_(std::move(tesseract)) {}

  // `full` (may be null) decodes the upload again at full size for the
  // fields the decoded image is too coarse for.
  absl::StatusOr<IdCardReading> ReadImage(const cv::Mat& image,
                                          double to_original, int photo_index,
                                          const Date& today,
                                          FullResolutionPhoto* full);

  IdCardReaderOptions options_;
  std::unique_ptr<TesseractReader> tesseract_;
};

// A printed name (upper case, NFC) as Tesseract read it, with the blur
// errors that Vietnamese names allow only one repair for undone: a vowel
// emitted twice, with and without its marks ("PHẠAM" -> "PHẠM"), and a first
// word that is no family name but equals exactly one once diacritics are
// removed ("NGUYÊN" -> "NGUYỄN", "LY" -> "LÝ"). Anything else is unchanged.
// Printed names always go to review; this only makes them right more often.
std::string CorrectPrintedName(std::string_view printed_name);

// Cross-checks a front (QR or printed) and a back (MRZ) reading of the same
// card, in place: agreeing fields become kCrossChecked with the higher
// confidence, disagreeing ones get the other value as an alternative, a
// confidence below the review threshold and a note.
void CrossCheckFrontAndBack(IdCardReading& front, const IdCardReading& back);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_ID_CARD_READER_H_

// Where things are on the three kinds of Vietnamese ID card, in the canonical
// 856 × 540 pixel frame a located card is warped to (85.6 × 54 mm at
// 10 px/mm): the 2021 chip citizen ID card (CCCD gắn chip, the unqualified
// names), the 2024 identity card (v2024) and the 2016 card without QR
// (v2016). Field boxes are a little larger than the printed text so that
// a slightly imperfect warp still holds the whole line.
#ifndef CDKV_OCR_ID_CARD_LAYOUT_H_
#define CDKV_OCR_ID_CARD_LAYOUT_H_

#include <opencv2/core/types.hpp>

namespace cdkv::ocr::card_layout {

inline const cv::Size kCanonicalSize(856, 540);

// Front.
inline const cv::Rect kQr(650, 18, 190, 190);
inline const cv::Rect kPhoto(40, 200, 180, 240);
inline const cv::Rect kIdNumber(350, 165, 300, 46);
inline const cv::Rect kFullName(244, 240, 604, 42);
inline const cv::Rect kBirthDate(494, 286, 200, 36);
inline const cv::Rect kSex(394, 321, 84, 36);
inline const cv::Rect kHometown(244, 382, 604, 36);
inline const cv::Rect kResidence(244, 442, 604, 36);
inline const cv::Rect kExpiry(34, 484, 192, 32);

// Back: the three TD1 lines at the bottom.
inline const cv::Rect kMrz(24, 372, 808, 160);

// Boxes every kind of card shares: fronts print their title ("CĂN CƯỚC CÔNG
// DÂN" or, on 2024 cards, "CĂN CƯỚC") centred in this band, which is how a
// front without a readable QR code tells which card it is.
inline const cv::Rect kTitle(170, 86, 476, 60);
// The national emblem (red, top left) on every front: which way is up.
inline const cv::Rect kEmblem(40, 30, 110, 110);

// The 2024 identity card (thẻ căn cước): no QR code and no addresses on the
// front; the back carries the QR code (top left), residence, issue and
// expiry dates, and the same TD1 MRZ as the 2021 card.
namespace v2024 {
inline const cv::Rect kIdNumber(244, 174, 340, 46);
inline const cv::Rect kFullName(244, 250, 604, 42);
inline const cv::Rect kBirthDate(244, 322, 220, 36);
inline const cv::Rect kSex(244, 392, 120, 36);
// Back.
inline const cv::Rect kQr(30, 24, 190, 190);
inline const cv::Rect kResidence(244, 46, 604, 36);
inline const cv::Rect kBirthPlace(244, 112, 604, 36);
inline const cv::Rect kIssueDate(244, 178, 220, 36);
inline const cv::Rect kExpiry(524, 178, 220, 36);
}  // namespace v2024

// The 12-digit citizen ID card without chip (CCCD, 2016): the front prints
// each value on the line of its Vietnamese-only label, and neither side has
// a QR code or an MRZ; the back has the identifying marks, the two index
// fingerprints and the issue date.
namespace v2016 {
inline const cv::Rect kIdNumber(300, 150, 340, 50);
inline const cv::Rect kFullName(372, 206, 476, 42);
inline const cv::Rect kBirthDate(510, 258, 200, 38);
inline const cv::Rect kSex(362, 306, 110, 38);
inline const cv::Rect kHometown(364, 354, 484, 38);
inline const cv::Rect kResidence(244, 428, 604, 38);
inline const cv::Rect kExpiry(34, 484, 192, 32);
// Back.
inline const cv::Rect kMarks(34, 56, 420, 36);
inline const cv::Rect kIssueDate(236, 284, 200, 40);
inline const cv::Rect kFingerprintLeft(500, 60, 150, 200);
inline const cv::Rect kFingerprintRight(680, 60, 150, 200);
}  // namespace v2016

}  // namespace cdkv::ocr::card_layout

#endif  // CDKV_OCR_ID_CARD_LAYOUT_H_

// Where things are on the 2021 chip citizen ID card (CCCD gắn chip), in the
// canonical 856 × 540 pixel frame a located card is warped to (85.6 × 54 mm
// at 10 px/mm). Field boxes are a little larger than the printed text so that
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

}  // namespace cdkv::ocr::card_layout

#endif  // CDKV_OCR_ID_CARD_LAYOUT_H_

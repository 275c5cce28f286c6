// Camera shake during the exposure smears a phone photo along one line. A
// page photographed small in the frame then has its letters run into their
// neighbours and no line reads whole (a quarter of the level-3 extracts
// lost most fields that way). A straight smear of length L multiplies the
// photo's spectrum by sinc(L·f) along its direction, so its direction and
// length can be measured from the page's own text, and the smear undone by a
// Wiener filter, before the page is read.
#ifndef CDKV_OCR_MOTION_BLUR_H_
#define CDKV_OCR_MOTION_BLUR_H_

#include <opencv2/core.hpp>
#include <optional>

#include "ocr/document_finder.h"

namespace cdkv::ocr {

struct MotionBlur {
  double length = 0;  // Pixels of the image it was measured on.
  double angle = 0;   // Degrees in [0, 180), image x towards image y.
  // How much better the smear explains the spectrum than no smear (mean
  // squared log-power error, before minus after); small when in doubt.
  double evidence = 0;
};

struct MotionBlurOptions {
  // Shorter smears cost Tesseract little, and their sinc is hard to tell
  // from defocus over level lines of print (a 2.5 px defocus fits a 4.5 px
  // smear across the lines).
  double min_length = 7.0;
  double max_length = 30.0;
  double min_evidence = 0.4;
  // Tiles of text measured (at least, at most); fewer means no estimate.
  int min_tiles = 4;
  int max_tiles = 24;
  // Noise-to-signal power of the Wiener filter: higher keeps the noise of a
  // JPEG down, lower sharpens more.
  double noise_to_signal = 0.06;
};

// Measures a straight smear over the text inside `page` (corners on `gray`,
// 8-bit, one channel). Nothing when the page has too little text to tell or
// no smear stands out beyond MotionBlurOptions' limits.
std::optional<MotionBlur> EstimateMotionBlur(
    const cv::Mat& gray, const Quad& page,
    const MotionBlurOptions& options = {});

// Undoes `blur` on `region` of `gray` (8-bit, one channel) in place. A smear
// longer than MotionBlurOptions::max_length is left as it is.
void RemoveMotionBlur(cv::Mat& gray, const cv::Rect& region,
                      const MotionBlur& blur,
                      const MotionBlurOptions& options = {});

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_MOTION_BLUR_H_

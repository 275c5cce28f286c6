// "Photographs" a rendered card the way a citizen's phone would: on a table,
// at an angle, turned, defocused or shaken, under uneven light, with sensor
// noise; the distortion level 0..3 sets how hard. Defects the quality gate
// must catch can be forced.
#ifndef CDKV_TOOLS_SYNTH_PHOTOGRAPH_H_
#define CDKV_TOOLS_SYNTH_PHOTOGRAPH_H_

#include <array>
#include <opencv2/core.hpp>
#include <optional>
#include <random>
#include <string_view>

namespace cdkv::synth {

enum class Defect { kNone, kBlur, kGlare, kCutOff, kTooSmall };

std::string_view DefectName(Defect defect);

struct PhotoOptions {
  int level = 0;               // 0 (clean) .. 3 (hard).
  cv::Size frame{1600, 1200};  // Photo size, landscape.
  Defect defect = Defect::kNone;
  // Only for sides with a QR code: a finger may cover part of it at levels
  // 2-3.
  bool may_occlude_qr = false;
  // Always cover the QR (sides with one), to measure printed-text reading.
  bool hide_qr = false;
  // Where the QR code is in the canonical 856 × 540 card frame when it is
  // not at ocr::card_layout::kQr (the 2024 card has it on the back, top
  // left); `may_occlude_qr` and `hide_qr` then apply to this box.
  std::optional<cv::Rect> qr_box;
};

struct Photo {
  cv::Mat image;  // BGR.
  // Card corners as printed (top-left, top-right, bottom-right, bottom-left)
  // in photo pixels; may lie outside the frame for Defect::kCutOff.
  std::array<cv::Point2f, 4> quad{};
  bool qr_occluded = false;
  int quarter_turns = 0;  // Clockwise quarter turns of the card in the photo.
  int jpeg_quality = 90;  // What a phone would save this photo at.
};

// `card` is the rendered card (any scale); the result is deterministic for
// the generator state.
Photo Photograph(const cv::Mat& card, const PhotoOptions& options,
                 std::mt19937_64& rng);

// A photo with no document: a wall or table with some clutter.
Photo PhotographNothing(const PhotoOptions& options, std::mt19937_64& rng);

}  // namespace cdkv::synth

#endif  // CDKV_TOOLS_SYNTH_PHOTOGRAPH_H_

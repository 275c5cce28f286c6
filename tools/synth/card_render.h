// Renders the fronts and backs of the three Vietnamese ID cards for an
// identity (2021 chip citizen ID card, 2024 identity card, 2016 citizen ID
// card without QR), following ocr/id_card_layout.h, at `scale` times the
// canonical 856 × 540.
#ifndef CDKV_TOOLS_SYNTH_CARD_RENDER_H_
#define CDKV_TOOLS_SYNTH_CARD_RENDER_H_

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "tools/synth/identity.h"
#include "tools/synth/text_painter.h"

namespace cdkv::synth {

class CardRenderer {
 public:
  // Loads the DejaVu and OCR-B fonts; NOT_FOUND when they are not installed.
  static absl::StatusOr<CardRenderer> Create();

  // BGR image of (856 × scale) × (540 × scale) pixels. The front carries a
  // real QR code with QrPayload(identity).
  absl::StatusOr<cv::Mat> Front(const Identity& identity, int scale) const;
  absl::StatusOr<cv::Mat> Back(const Identity& identity, int scale) const;

  // The 2024 identity card ("CĂN CƯỚC"): the front has no QR code; the
  // back has the QR code (QrPayload2024) above the same MRZ as 2021.
  absl::StatusOr<cv::Mat> Front2024(const Identity& identity, int scale) const;
  absl::StatusOr<cv::Mat> Back2024(const Identity& identity, int scale) const;

  // The 2016 12-digit card: printed front, back with identifying marks,
  // fingerprints and issue date; no QR code, no MRZ.
  absl::StatusOr<cv::Mat> Front2016(const Identity& identity, int scale) const;
  absl::StatusOr<cv::Mat> Back2016(const Identity& identity, int scale) const;

 private:
  CardRenderer(TextPainter sans, TextPainter bold, TextPainter mono)
      : sans_(std::move(sans)),
        bold_(std::move(bold)),
        mono_(std::move(mono)) {}
  // The national emblem and the two-line motto every front starts with.
  void Header(cv::Mat& card, int scale) const;
  void Mrz(cv::Mat& card, const Identity& identity, int scale) const;

  TextPainter sans_;
  TextPainter bold_;
  TextPainter mono_;
};

}  // namespace cdkv::synth

#endif  // CDKV_TOOLS_SYNTH_CARD_RENDER_H_

// Renders the front and back of a 2021 chip citizen ID card for an identity,
// following ocr/id_card_layout.h, at `scale` times the canonical 856 × 540.
#ifndef CDKV_TOOLS_SYNTH_CARD_RENDER_H_
#define CDKV_TOOLS_SYNTH_CARD_RENDER_H_

#include <opencv2/core.hpp>

#include "absl/status/statusor.h"
#include "tools/synth/identity.h"
#include "tools/synth/text_painter.h"

namespace cdkv::synth {

class CardRenderer {
 public:
  // Loads the DejaVu fonts; NOT_FOUND when they are not installed.
  static absl::StatusOr<CardRenderer> Create();

  // BGR image of (856 × scale) × (540 × scale) pixels. The front carries a
  // real QR code with QrPayload(identity).
  absl::StatusOr<cv::Mat> Front(const Identity& identity, int scale) const;
  absl::StatusOr<cv::Mat> Back(const Identity& identity, int scale) const;

 private:
  CardRenderer(TextPainter sans, TextPainter bold, TextPainter mono)
      : sans_(std::move(sans)),
        bold_(std::move(bold)),
        mono_(std::move(mono)) {}
  TextPainter sans_;
  TextPainter bold_;
  TextPainter mono_;
};

}  // namespace cdkv::synth

#endif  // CDKV_TOOLS_SYNTH_CARD_RENDER_H_

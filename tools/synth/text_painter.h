// Unicode text drawn with a TrueType font (OpenCV's Hershey fonts have no
// Vietnamese diacritics), for synthetic documents and OCR tests.
#ifndef CDKV_TOOLS_SYNTH_TEXT_PAINTER_H_
#define CDKV_TOOLS_SYNTH_TEXT_PAINTER_H_

#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/freetype.hpp>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cdkv::synth {

inline constexpr std::string_view kDejaVuSans =
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline constexpr std::string_view kDejaVuSansBold =
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
inline constexpr std::string_view kDejaVuSansMono =
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf";
// The typeface ICAO 9303 prescribes for machine-readable zones.
inline constexpr std::string_view kOcrB =
    "/usr/share/fonts/opentype/ocr-b/OCRB.otf";

class TextPainter {
 public:
  // NOT_FOUND naming the file when the font cannot be loaded (install
  // fonts-dejavu-core, fonts-ocr-b).
  static absl::StatusOr<TextPainter> Load(std::string_view font_path);

  // Draws UTF-8 `text` with its top-left corner at `top_left`, glyphs
  // `height` pixels high.
  void Draw(cv::Mat& image, std::string_view text, cv::Point top_left,
            int height, cv::Scalar colour) const;

  // Width and height `text` would take at `height`.
  cv::Size Measure(std::string_view text, int height) const;

 private:
  explicit TextPainter(cv::Ptr<cv::freetype::FreeType2> font)
      : font_(std::move(font)) {}
  cv::Ptr<cv::freetype::FreeType2> font_;
};

// A white strip holding `text` in black with a margin of half the height:
// what a tight crop of one printed line looks like.
cv::Mat RenderLine(const TextPainter& painter, std::string_view text,
                   int height);

}  // namespace cdkv::synth

#endif  // CDKV_TOOLS_SYNTH_TEXT_PAINTER_H_

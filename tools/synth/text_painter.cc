#include "tools/synth/text_painter.h"

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cdkv::synth {

absl::StatusOr<TextPainter> TextPainter::Load(std::string_view font_path) {
  const std::string path(font_path);
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(
        "font ", path,
        " not found; run deploy/install-deps.sh (fonts-dejavu-core, "
        "fonts-ocr-b)"));
  }
  try {
    cv::Ptr<cv::freetype::FreeType2> font = cv::freetype::createFreeType2();
    font->loadFontData(path, 0);
    return TextPainter(std::move(font));
  } catch (const cv::Exception& e) {
    return absl::NotFoundError(
        absl::StrCat("font ", path, " could not be loaded: ", e.what()));
  }
}

void TextPainter::Draw(cv::Mat& image, std::string_view text,
                       cv::Point top_left, int height,
                       cv::Scalar colour) const {
  // FreeType2::putText places the baseline-independent box top at `org`
  // when bottomLeftOrigin is false.
  font_->putText(image, std::string(text), top_left, height, colour, cv::FILLED,
                 cv::LINE_AA, false);
}

cv::Size TextPainter::Measure(std::string_view text, int height) const {
  int baseline = 0;
  return font_->getTextSize(std::string(text), height, cv::FILLED, &baseline);
}

cv::Mat RenderLine(const TextPainter& painter, std::string_view text,
                   int height) {
  const cv::Size size = painter.Measure(text, height);
  const int margin = height / 2;
  cv::Mat line(size.height + 2 * margin, size.width + 2 * margin, CV_8UC3,
               cv::Scalar(255, 255, 255));
  painter.Draw(line, text, {margin, margin}, height, cv::Scalar(0, 0, 0));
  return line;
}

}  // namespace cdkv::synth

// Locates a document (an ID-1 card, 85.6 × 54 mm, or an A4/A5 page) in a
// photo and warps it to a canonical upright-landscape (card) or portrait
// (page) image. The quad is kept in photo coordinates so every field read
// from the warped image can point back at where it is on the citizen's photo.
#ifndef CDKV_OCR_DOCUMENT_FINDER_H_
#define CDKV_OCR_DOCUMENT_FINDER_H_

#include <array>
#include <opencv2/core.hpp>
#include <optional>

#include "absl/status/statusor.h"

namespace cdkv::ocr {

// Corners top-left, top-right, bottom-right, bottom-left.
using Quad = std::array<cv::Point2f, 4>;

enum class DocumentShape { kIdCard, kPage };

struct FoundDocument {
  // In the input image's pixels. For a card the first edge is a long edge;
  // whether the card is upright or upside down is decided by the caller
  // (QR position, MRZ), see TurnQuad.
  Quad quad{};
  DocumentShape shape = DocumentShape::kIdCard;
  double area_fraction = 0.0;  // Quad area / image area.
  bool touches_edge = false;   // A corner lies on or beyond the frame edge.
};

struct FinderOptions {
  // Edge detection runs on a copy with this long side: enough for corners to
  // within a few pixels of a 12-MP photo, at a few milliseconds.
  int work_long_side = 800;
  // Smaller outlines are clutter, not the document being photographed.
  double min_area_fraction = 0.03;
  // What the caller expects to be photographed. Perspective makes a tilted
  // card's outline as square as a page's (1.585 vs 1.414), so when the
  // caller knows (the ID card reader does), it says so; otherwise the shape
  // is guessed from the outline's aspect.
  std::optional<DocumentShape> expect;
  // Also return an outline the frame edge cuts whatever its visible aspect:
  // with a quarter of the document outside the frame, the part inside is
  // as square as no document is. The quality gate asks for it to tell
  // "cut off" from "no document"; readers do not, as such an outline cannot
  // be rectified into a whole document.
  bool accept_cut_off = false;
};

// The largest plausible quadrilateral, or nullopt when the photo shows no
// document. INVALID_ARGUMENT for an empty or non-8-bit image. Never throws.
absl::StatusOr<std::optional<FoundDocument>> FindDocument(
    const cv::Mat& photo, const FinderOptions& options = {});

// The same outline with its corner list starting `quarter_turns` corners
// later: when the document's top edge is edge k of `quad` (edge 1 runs from
// quad[1] to quad[2]), TurnQuad(quad, k) names its corners correctly. Use 2
// for a card found upside down.
Quad TurnQuad(const Quad& quad, int quarter_turns);

// Perspective-warps `quad` of `photo` to `size`. INVALID_ARGUMENT for a
// degenerate quad.
absl::StatusOr<cv::Mat> Rectify(const cv::Mat& photo, const Quad& quad,
                                cv::Size size);

// Maps a rectangle of the rectified image back to photo coordinates.
Quad MapToPhoto(const Quad& quad, cv::Size rectified_size, const cv::Rect& box);

// The card's quad estimated from its QR code's corners (top-left, top-right,
// bottom-right, bottom-left in photo pixels), for when the card's outline is
// lost against the background: the QR sits at a known place on the card.
Quad CardQuadFromQr(const std::array<cv::Point2f, 4>& qr_corners);
// The same for a card whose QR code fills `qr_box` of the canonical card
// frame (the one-argument form is the 2021 card's front).
Quad CardQuadFromQr(const std::array<cv::Point2f, 4>& qr_corners,
                    const cv::Rect& qr_box);

}  // namespace cdkv::ocr

#endif  // CDKV_OCR_DOCUMENT_FINDER_H_

// Synthetic ID card photos for the OCR tests, made in memory with the
// cdkv-synth library so each test states the conditions it needs.
#ifndef CDKV_TESTS_OCR_SYNTH_TEST_UTIL_H_
#define CDKV_TESTS_OCR_SYNTH_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "tools/synth/identity.h"
#include "tools/synth/photograph.h"

namespace cdkv::ocr::testing {

enum class Side { kFront, kBack, kNothing };

struct SynthPhoto {
  synth::Identity identity;
  synth::Photo photo;
};

SynthPhoto MakePhoto(Side side, int level, uint64_t seed,
                     synth::Defect defect = synth::Defect::kNone,
                     int width = 1600);

// JPEG bytes at the photo's phone quality.
std::vector<uint8_t> Jpeg(const synth::Photo& photo);

}  // namespace cdkv::ocr::testing

#endif  // CDKV_TESTS_OCR_SYNTH_TEST_UTIL_H_

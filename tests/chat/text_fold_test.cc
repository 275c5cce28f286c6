#include "services/chat/text_fold.h"

#include <catch2/catch.hpp>

namespace cdkv::chat {
namespace {

TEST_CASE("folds Vietnamese to plain lower-case words", "[text_fold]") {
  CHECK(FoldVietnamese("Làm giấy KHAI TỬ!") == "lam giay khai tu");
  CHECK(FoldVietnamese("  Đăng ký   khai sinh. ") == "dang ky khai sinh");
  CHECK(FoldVietnamese("hủy") == "huy");
  CHECK(FoldVietnamese("huỷ") == "huy");
  CHECK(FoldVietnamese("TRẠNG THÁI") == "trang thai");
  CHECK(FoldVietnamese("Chứng thực, cư trú; đồng ý?") == "chung thuc cu tru dong y");
  CHECK(FoldVietnamese("Ưu ơn ỳ") == "uu on y");
  CHECK(FoldVietnamese("") == "");
  CHECK(FoldVietnamese("!!!") == "");
}

TEST_CASE("combining marks (NFD input) are dropped", "[text_fold]") {
  // "hủy" as h u + U+031B? no: u + U+0309 (hook above), then y.
  CHECK(FoldVietnamese("hu\xCC\x89y") == "huy");
  // "tử" decomposed: t + u + U+031B (horn) + U+0309.
  CHECK(FoldVietnamese("khai tu\xCC\x9B\xCC\x89") == "khai tu");
}

TEST_CASE("invalid UTF-8 and non-Latin characters become spaces", "[text_fold]") {
  CHECK(FoldVietnamese("a\xFF" "b") == "a b");
  CHECK(FoldVietnamese("a\xE1\xBB") == "a");
  CHECK(FoldVietnamese("xong 👍") == "xong");
}

}  // namespace
}  // namespace cdkv::chat

#include "ocr/field.h"

#include <catch2/catch.hpp>
#include <set>

namespace cdkv::ocr {
namespace {

TEST_CASE("ReadMethodName gives each method a distinct stable name",
          "[ocr][field]") {
  static_assert(ReadMethodName(ReadMethod::kQr) == "qr");
  CHECK(ReadMethodName(ReadMethod::kMrz) == "mrz");
  CHECK(ReadMethodName(ReadMethod::kPrintedText) == "printed_text");
  CHECK(ReadMethodName(ReadMethod::kCrossChecked) == "cross_checked");
  std::set<std::string_view> names;
  for (ReadMethod m : {ReadMethod::kQr, ReadMethod::kMrz,
                       ReadMethod::kPrintedText, ReadMethod::kCrossChecked}) {
    names.insert(ReadMethodName(m));
  }
  CHECK(names.size() == 4);
  CHECK(ReadMethodName(static_cast<ReadMethod>(99)) == "unknown");
}

}  // namespace
}  // namespace cdkv::ocr

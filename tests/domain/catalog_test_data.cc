#include "tests/domain/catalog_test_data.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "services/domain/catalog_loader.h"

namespace cdkv::domain::testing {

std::string ProceduresPath() {
  return std::string(CDKV_CATALOG_DIR) + "/procedures.json";
}

std::string UnitsPath() {
  return std::string(CDKV_CATALOG_DIR) + "/lap_vo.json";
}

std::string ReadText(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  REQUIRE(file.good());
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

const Catalog& ShippedCatalog() {
  static const Catalog* catalog = [] {
    absl::StatusOr<Catalog> loaded = LoadCatalog(ProceduresPath(), UnitsPath());
    INFO(loaded.status().ToString());
    REQUIRE(loaded.ok());
    return new Catalog(std::move(*loaded));
  }();
  return *catalog;
}

}  // namespace cdkv::domain::testing

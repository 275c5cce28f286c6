#ifndef CDKV_TESTS_DOMAIN_CATALOG_TEST_DATA_H_
#define CDKV_TESTS_DOMAIN_CATALOG_TEST_DATA_H_

// The shipped catalog files, for tests that run against the real data.

#include <string>

#include "services/domain/catalog.h"

namespace cdkv::domain::testing {

std::string ProceduresPath();
std::string UnitsPath();
std::string ReadText(const std::string& path);
// The shipped catalog; the test fails if it does not load.
const Catalog& ShippedCatalog();

}  // namespace cdkv::domain::testing

#endif  // CDKV_TESTS_DOMAIN_CATALOG_TEST_DATA_H_

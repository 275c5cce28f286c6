#ifndef CDKV_SERVICES_DOMAIN_CATALOG_LOADER_H_
#define CDKV_SERVICES_DOMAIN_CATALOG_LOADER_H_

// Builds a validated Catalog from the two JSON documents in data/catalog/:
// the procedures (with bundles) and the administrative units (districts,
// communes, desks). Every error names the JSON path of the offending value,
// e.g. "$.procedures[2].processing.working_days: must not be negative".

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/domain/catalog.h"

namespace cdkv::domain {

absl::StatusOr<Catalog> ParseCatalog(absl::string_view procedures_json,
                                     absl::string_view units_json);

// Reads both files and calls ParseCatalog. NOT_FOUND if a file cannot be read.
absl::StatusOr<Catalog> LoadCatalog(const std::string& procedures_path,
                                    const std::string& units_path);

}  // namespace cdkv::domain

#endif  // CDKV_SERVICES_DOMAIN_CATALOG_LOADER_H_

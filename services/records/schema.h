#ifndef CDKV_SERVICES_RECORDS_SCHEMA_H_
#define CDKV_SERVICES_RECORDS_SCHEMA_H_

#include <vector>

#include "services/store/migrations.h"

namespace cdkv::records {

// The record store's schema, as ordered migrations. Append; never edit a
// released one.
const std::vector<store::Migration>& RecordStoreMigrations();

}  // namespace cdkv::records

#endif  // CDKV_SERVICES_RECORDS_SCHEMA_H_

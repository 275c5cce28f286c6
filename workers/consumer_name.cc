#include "workers/consumer_name.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/string_view.h"

namespace cdkv::workers {

std::string ProcessConsumerName(std::string_view role) {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return absl::StrCat(Absl(role), "-", host, "-", getpid());
}

}  // namespace cdkv::workers

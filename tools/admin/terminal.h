#ifndef CDKV_TOOLS_ADMIN_TERMINAL_H_
#define CDKV_TOOLS_ADMIN_TERMINAL_H_

// What cdkv-admin needs from the terminal and the environment: passwords
// read without echo, text made safe to print, and who is running it.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cdkv::admin {

// Reads a new password twice from the controlling terminal (/dev/tty) with
// echo off; the two must match. FAILED_PRECONDITION when there is no
// terminal (cron, pipes, ssh without -t): use --password-stdin then.
absl::StatusOr<std::string> ReadNewPasswordFromTerminal(std::string_view who);

// The first line of standard input, without its line ending. Reads at most
// a few KiB, so a runaway pipe cannot exhaust memory.
absl::StatusOr<std::string> ReadPasswordFromStdin();

// `text` with control characters and invalid UTF-8 bytes shown as \xNN and
// cut to `max_bytes`, so a hostile username or desk code can neither move
// the cursor nor forge lines on the operator's terminal.
std::string Printable(std::string_view text, size_t max_bytes = 200);

// Who is running the tool, for the admin audit: the person behind sudo when
// there is one, the account and the uid, e.g. "alice via sudo as cdkv
// (uid 998)".
std::string OperatorName();

}  // namespace cdkv::admin

#endif  // CDKV_TOOLS_ADMIN_TERMINAL_H_

#include "tools/admin/terminal.h"

#include <fcntl.h>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cdkv::admin {
namespace {

constexpr size_t kMaxLine = 4096;

// The terminal's settings while echo is off, so a Ctrl-C at the prompt does
// not leave the operator's shell without echo.
int g_tty_fd = -1;
struct termios g_saved_termios;

void RestoreTerminalAndDie(int signo) {
  if (g_tty_fd >= 0) tcsetattr(g_tty_fd, TCSAFLUSH, &g_saved_termios);
  signal(signo, SIG_DFL);
  raise(signo);
}

// One line from `fd`, byte by byte (so nothing past the newline is
// consumed), without the line ending. OUT_OF_RANGE past kMaxLine.
absl::StatusOr<std::string> ReadLine(int fd, bool* saw_end) {
  std::string line;
  *saw_end = false;
  while (true) {
    char c;
    const ssize_t n = read(fd, &c, 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(
          absl::StrCat("cannot read the password: ", std::strerror(errno)));
    }
    if (n == 0) {
      *saw_end = true;
      break;
    }
    if (c == '\n') break;
    if (line.size() >= kMaxLine) {
      return absl::OutOfRangeError(absl::StrCat(
          "the password line is longer than ", kMaxLine, " bytes"));
    }
    line.push_back(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> Prompt(int fd, std::string_view prompt) {
  WriteAll(fd, prompt);
  struct termios quiet = g_saved_termios;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
    return absl::FailedPreconditionError(
        "cannot turn off echo on the terminal; use --password-stdin");
  }
  bool saw_end = false;
  absl::StatusOr<std::string> line = ReadLine(fd, &saw_end);
  tcsetattr(fd, TCSAFLUSH, &g_saved_termios);
  if (line.ok() && saw_end && line->empty()) {
    return absl::CancelledError("no password entered");
  }
  return line;
}

}  // namespace

absl::StatusOr<std::string> ReadNewPasswordFromTerminal(std::string_view who) {
  const int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        "no terminal to read the password from; pipe it with "
        "--password-stdin (never on the command line)");
  }
  if (tcgetattr(fd, &g_saved_termios) != 0) {
    close(fd);
    return absl::FailedPreconditionError(
        "/dev/tty is not a terminal; use --password-stdin");
  }
  g_tty_fd = fd;
  struct sigaction restore = {};
  restore.sa_handler = RestoreTerminalAndDie;
  struct sigaction old_int, old_term, old_hup;
  sigaction(SIGINT, &restore, &old_int);
  sigaction(SIGTERM, &restore, &old_term);
  sigaction(SIGHUP, &restore, &old_hup);

  absl::StatusOr<std::string> first =
      Prompt(fd, absl::StrCat("New password for ", Printable(who), ": "));
  absl::StatusOr<std::string> second;
  if (first.ok()) second = Prompt(fd, "Repeat it: ");

  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  g_tty_fd = -1;
  close(fd);
  if (!first.ok()) return first.status();
  if (!second.ok()) return second.status();
  if (*first != *second) {
    return absl::InvalidArgumentError(
        "the two passwords differ; nothing changed");
  }
  return first;
}

absl::StatusOr<std::string> ReadPasswordFromStdin() {
  bool saw_end = false;
  absl::StatusOr<std::string> line = ReadLine(STDIN_FILENO, &saw_end);
  if (!line.ok()) return line.status();
  if (line->empty()) {
    return absl::InvalidArgumentError(
        "--password-stdin: standard input starts with an empty line");
  }
  return line;
}

std::string Printable(std::string_view text, size_t max_bytes) {
  std::string out;
  size_t i = 0;
  while (i < text.size() && out.size() < max_bytes) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    if (c >= 0x20 && c < 0x7F) {
      length = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
    }
    bool valid = length > 0 && i + length <= text.size();
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (valid && length > 1) {
      const unsigned char next = static_cast<unsigned char>(text[i + 1]);
      // C1 controls (U+0080..U+009F) move terminals as much as C0 ones;
      // overlong forms, surrogates and code points past U+10FFFF are not
      // UTF-8.
      if ((c == 0xC2 && next < 0xA0) || (c == 0xE0 && next < 0xA0) ||
          (c == 0xED && next >= 0xA0) || (c == 0xF0 && next < 0x90) ||
          (c == 0xF4 && next >= 0x90)) {
        valid = false;
      }
    }
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", c);
      ++i;
    }
  }
  if (i < text.size()) out.append("…");
  return out;
}

std::string OperatorName() {
  const uid_t uid = getuid();
  std::string account = absl::StrCat("uid ", uid);
  if (const struct passwd* pw = getpwuid(uid); pw != nullptr) {
    account = pw->pw_name;
  }
  std::string person;
  for (const char* variable : {"SUDO_USER", "USER", "LOGNAME"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') {
      person = value;
      if (std::strcmp(variable, "SUDO_USER") == 0) person += " via sudo";
      break;
    }
  }
  std::string name = person.empty() || person == account
                         ? account
                         : absl::StrCat(person, " as ", account);
  // The environment is the caller's to set: keep it printable and short.
  return absl::StrCat(Printable(name, 160), " (uid ", uid, ")");
}

}  // namespace cdkv::admin

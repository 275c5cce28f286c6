#ifndef CDKV_COMMON_LOG_H_
#define CDKV_COMMON_LOG_H_

// Structured log lines in logfmt (`ts=… level=info event=server.started
// listen=…`), one line per call, written with a single write(2) so lines from
// different threads never interleave. Operators grep and ship these; keep event
// names stable and dotted (area.what_happened).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace cdkv {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A key and a value already rendered as text; numbers are converted by the
// constructors.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, int64_t v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}

  std::string_view key;
  std::string value;
};

// Lines below this level are dropped. Default kInfo.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

// Parses "debug", "info", "warning" or "error".
bool ParseLogLevel(std::string_view text, LogLevel* level);

// Sends lines to this file descriptor instead of stderr (tests capture them).
void SetLogFd(int fd);

// Renders one logfmt line without writing it; exposed for tests.
std::string FormatLogLine(LogLevel level, std::string_view event,
                          std::initializer_list<LogField> fields);

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields = {});

inline void LogInfo(std::string_view event,
                    std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, event, fields);
}
inline void LogWarning(std::string_view event,
                       std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarning, event, fields);
}
inline void LogError(std::string_view event,
                     std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, event, fields);
}

}  // namespace cdkv

#endif  // CDKV_COMMON_LOG_H_

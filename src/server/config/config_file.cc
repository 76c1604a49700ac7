#include "ringcache/server/config_file.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

#include "errno_text.h"

namespace ringcache::server {
namespace {

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

// Drops everything from the first '#' that is not escaped by a backslash.
std::string_view StripComment(std::string_view line) {
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] != '\\')) return line.substr(0, i);
  }
  return line;
}

// Splits one line into words the way sh does for a simple command without
// expansions. Returns false on an unterminated quote.
bool SplitWords(std::string_view line, std::vector<std::string>* words) {
  std::string word;
  bool in_word = false;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (IsBlank(c)) {
      if (in_word) {
        words->push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 < line.size()) word += line[i + 1];
      i += 2;
    } else if (c == '\'') {
      const size_t end = line.find('\'', i + 1);
      if (end == std::string_view::npos) return false;
      word.append(line.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char d = line[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        // Inside double quotes a backslash escapes only these.
        if (d == '\\' && i + 1 < line.size() && std::strchr("\"\\$`", line[i + 1]) != nullptr) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
      if (!closed) return false;
    } else {
      word += c;
      ++i;
    }
  }
  if (in_word) words->push_back(std::move(word));
  return true;
}

}  // namespace

absl::StatusOr<ConfigFileContents> ParseConfigFileText(std::string_view text) {
  ConfigFileContents contents;
  int line_number = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_number;

    const std::string_view line = Trim(StripComment(raw));
    if (line.empty()) continue;
    if (line.size() >= 2 && line[0] == '-' && (line[1] == 'd' || line[1] == 'h')) continue;
    if (line[0] != '-') {
      size_t name_end = 0;
      while (name_end < line.size() && !IsBlank(line[name_end])) ++name_end;
      const std::string_view name = line.substr(0, name_end);
      const std::string_view value = TrimLeft(line.substr(name_end));
      if (name == "logfile" && !value.empty()) {
        contents.log_file = std::string(value);
      } else {
        contents.warnings.push_back(
            absl::StrFormat("line %d: ignoring unknown directive \"%s\"", line_number, line));
      }
      continue;
    }
    if (!SplitWords(line, &contents.args)) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": unterminated quote"));
    }
  }
  return contents;
}

absl::StatusOr<ConfigFileContents> ReadConfigFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return absl::NotFoundError(absl::StrCat(path, ": ", config_internal::ErrnoText(err)));
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
      // A config file is a few hundred bytes; this stops /dev/zero and friends.
      if (text.size() > kMaxConfigFileBytes) {
        ::close(fd);
        return absl::FailedPreconditionError(
            absl::StrCat(path, ": larger than ", kMaxConfigFileBytes, " bytes"));
      }
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      const int err = errno;
      ::close(fd);
      return absl::DataLossError(absl::StrCat(path, ": ", config_internal::ErrnoText(err)));
    }
  }
  ::close(fd);
  return ParseConfigFileText(text);
}

}  // namespace ringcache::server

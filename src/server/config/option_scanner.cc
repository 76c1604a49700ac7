#include "option_scanner.h"

#include <vector>

namespace ringcache::server::config_internal {
namespace {

// Finds `name` among `options` as glibc does: an exact match wins; otherwise
// a unique abbreviation. Several abbreviation matches are ambiguous unless
// they would all report the same thing (same id and argument kind).
struct Match {
  const LongOption* found = nullptr;
  std::vector<const LongOption*> ambiguous;  // every candidate, in table order
};

Match FindLongOption(std::span<const LongOption> options, std::string_view name) {
  Match m;
  for (const LongOption& o : options) {
    if (o.name == name) {
      m.found = &o;
      return m;
    }
  }
  bool ambiguous = false;
  std::vector<bool> marked(options.size(), false);
  size_t first = 0;
  for (size_t i = 0; i < options.size(); ++i) {
    const LongOption& o = options[i];
    if (o.name.substr(0, name.size()) != name) continue;
    if (m.found == nullptr) {
      m.found = &o;
      first = i;
    } else if (m.found->arg != o.arg || m.found->id != o.id) {
      ambiguous = true;
      marked[first] = true;
      marked[i] = true;
    }
  }
  if (ambiguous) {
    for (size_t i = 0; i < options.size(); ++i) {
      if (marked[i]) m.ambiguous.push_back(&options[i]);
    }
  }
  return m;
}

}  // namespace

OptionScanner::OptionScanner(std::span<const std::string> args, const OptionGrammar& grammar,
                             bool stop_at_non_option)
    : args_(args), grammar_(grammar), stop_at_non_option_(stop_at_non_option) {}

ScanEvent OptionScanner::Error(size_t index, std::string_view message) const {
  ScanEvent e;
  e.kind = ScanEvent::Kind::kError;
  e.index = index;
  e.error = args_.empty() ? std::string() : args_[0];
  e.error += ": ";
  e.error += message;
  e.error += '\n';
  return e;
}

ScanEvent OptionScanner::Next() {
  if (!cluster_.empty()) return ShortOption();
  while (!done_ && next_ < args_.size()) {
    std::string_view a = args_[next_];
    if (a == "--") {
      done_ = true;  // everything after "--" is an operand
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      // An operand ("-" alone is one too). glibc moves operands behind the
      // options; memcached never reads them, so skipping is the same thing.
      if (stop_at_non_option_) {
        done_ = true;
        break;
      }
      ++next_;
      continue;
    }
    const size_t index = next_++;
    if (a[1] == '-') return LongOptionAt(a.substr(2), index);
    cluster_index_ = index;
    cluster_ = a.substr(1);
    return ShortOption();
  }
  return ScanEvent{};
}

ScanEvent OptionScanner::ShortOption() {
  const char c = cluster_.front();
  cluster_.remove_prefix(1);
  const std::string_view spec = grammar_.short_options;
  const size_t pos = spec.find(c);
  if (pos == std::string_view::npos || c == ':' || c == ';') {
    return Error(cluster_index_, std::string("invalid option -- '") + c + "'");
  }
  ArgKind kind = ArgKind::kNone;
  if (pos + 1 < spec.size() && spec[pos + 1] == ':') {
    kind =
        (pos + 2 < spec.size() && spec[pos + 2] == ':') ? ArgKind::kOptional : ArgKind::kRequired;
  }
  ScanEvent e;
  e.kind = ScanEvent::Kind::kOption;
  e.id = static_cast<unsigned char>(c);
  e.index = cluster_index_;
  if (kind == ArgKind::kNone) return e;
  if (!cluster_.empty()) {
    // The rest of the cluster is the argument: "-p11211", "-vp11211".
    e.arg = cluster_;
    cluster_ = {};
  } else if (kind == ArgKind::kRequired) {
    // The next word is taken whatever it looks like ("-p -1").
    if (next_ >= args_.size()) {
      return Error(cluster_index_, std::string("option requires an argument -- '") + c + "'");
    }
    e.arg = args_[next_++];
  }
  return e;
}

ScanEvent OptionScanner::LongOptionAt(std::string_view text, size_t index) {
  const size_t eq = text.find('=');
  const std::string_view name = text.substr(0, eq);

  // Exact spellings first, ours included; then memcached's abbreviations;
  // ours are abbreviated only when nothing of memcached's matches.
  Match m = FindLongOption(grammar_.long_options, name);
  if (m.found == nullptr || m.found->name != name) {
    for (const LongOption& o : grammar_.extra_options) {
      if (o.name == name) {
        m = Match{&o, {}};
        break;
      }
    }
  }
  if (m.found == nullptr) m = FindLongOption(grammar_.extra_options, name);

  if (!m.ambiguous.empty()) {
    std::string msg = "option '--" + std::string(text) + "' is ambiguous; possibilities:";
    for (const LongOption* o : m.ambiguous) {
      msg += " '--";
      msg += o->name;
      msg += "'";
    }
    return Error(index, std::move(msg));
  }
  if (m.found == nullptr) {
    return Error(index, "unrecognized option '--" + std::string(text) + "'");
  }
  const LongOption& o = *m.found;
  ScanEvent e;
  e.kind = ScanEvent::Kind::kOption;
  e.id = o.id;
  e.index = index;
  if (eq != std::string_view::npos) {
    if (o.arg == ArgKind::kNone) {
      return Error(index, "option '--" + std::string(o.name) + "' doesn't allow an argument");
    }
    e.arg = text.substr(eq + 1);
  } else if (o.arg == ArgKind::kRequired) {
    if (next_ >= args_.size()) {
      return Error(index, "option '--" + std::string(o.name) + "' requires an argument");
    }
    e.arg = args_[next_++];
  }
  return e;
}

}  // namespace ringcache::server::config_internal

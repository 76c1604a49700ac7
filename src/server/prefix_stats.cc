#include "prefix_stats.h"

#include "ringcache/protocol/stats_writer.h"
#include "ringcache/protocol/text_composer.h"

namespace ringcache::server {

void PrefixStats::Record(std::string_view key, uint64_t gets, uint64_t hits, uint64_t sets,
                         uint64_t deletes) {
  const size_t end = key.find(delimiter_);
  if (end == std::string_view::npos) return;
  const std::string_view prefix = key.substr(0, end);
  absl::MutexLock lock(&mu_);
  // This absl's hash takes absl::string_view, which is not std::string_view
  // in Debian's build: look up by std::string (a debugging path).
  std::string name(prefix);
  auto it = counts_.find(name);
  if (it == counts_.end()) {
    order_.push_back(name);
    it = counts_.emplace(std::move(name), Counts{}).first;
  }
  it->second.gets += gets;
  it->second.hits += hits;
  it->second.sets += sets;
  it->second.deletes += deletes;
}

void PrefixStats::Dump(base::OutBuffer& out) const {
  absl::MutexLock lock(&mu_);
  for (const std::string& prefix : order_) {
    const Counts& c = counts_.at(prefix);
    protocol::AppendDetailPrefix(out, prefix, c.gets, c.hits, c.sets, c.deletes);
  }
  protocol::AppendEnd(out);
}

void PrefixStats::Clear() {
  absl::MutexLock lock(&mu_);
  counts_.clear();
  order_.clear();
}

}  // namespace ringcache::server

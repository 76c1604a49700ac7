#include "ringcache/memory/size_classes.h"

#include <algorithm>
#include <cstdio>

#include <jemalloc/jemalloc.h>

namespace ringcache::memory {
namespace {

template <typename T>
T ReadMallctl(const char* name) {
  T value{};
  size_t len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return T{};
  return value;
}

template <typename T>
T ReadIndexed(const char* format, unsigned index) {
  char name[64];
  std::snprintf(name, sizeof(name), format, index);
  return ReadMallctl<T>(name);
}

}  // namespace

SizeClassTable SizeClassTable::FromJemalloc(size_t max_size) {
  SizeClassTable t;
  const unsigned nbins = ReadMallctl<unsigned>("arenas.nbins");
  for (unsigned i = 0; i < nbins; ++i) {
    SizeClass c;
    c.size = ReadIndexed<size_t>("arenas.bin.%u.size", i);
    c.regions_per_slab = ReadIndexed<uint32_t>("arenas.bin.%u.nregs", i);
    c.slab_bytes = ReadIndexed<size_t>("arenas.bin.%u.slab_size", i);
    c.small = true;
    t.classes_.push_back(c);
    if (c.size >= max_size) break;
  }
  if (t.classes_.empty() || t.classes_.back().size < max_size) {
    const unsigned nlextents = ReadMallctl<unsigned>("arenas.nlextents");
    for (unsigned i = 0; i < nlextents; ++i) {
      SizeClass c;
      c.size = ReadIndexed<size_t>("arenas.lextent.%u.size", i);
      c.slab_bytes = c.size;
      t.classes_.push_back(c);
      if (c.size >= max_size) break;
    }
  }
  t.BuildFastTable();
  return t;
}

SizeClassTable SizeClassTable::FromSizes(std::vector<size_t> sizes) {
  SizeClassTable t;
  std::sort(sizes.begin(), sizes.end());
  for (size_t s : sizes) {
    SizeClass c;
    c.size = s;
    c.slab_bytes = s;
    t.classes_.push_back(c);
  }
  // Arbitrary sizes need not be multiples of kFastStep: always search.
  return t;
}

void SizeClassTable::BuildFastTable() {
  fast_.assign(kFastLimit / kFastStep + 1, -1);
  int cls = 0;
  for (size_t slot = 0; slot < fast_.size(); ++slot) {
    const size_t n = slot * kFastStep;
    while (cls < count() && classes_[cls].size < n) ++cls;
    fast_[slot] = static_cast<int16_t>(cls < count() ? cls : -1);
  }
}

int SizeClassTable::IndexOfSlow(size_t n) const {
  auto it = std::lower_bound(classes_.begin(), classes_.end(), n,
                             [](const SizeClass& c, size_t v) { return c.size < v; });
  return it == classes_.end() ? -1 : static_cast<int>(it - classes_.begin());
}

int SizeClassTable::IndexAtMost(size_t n) const {
  auto it = std::upper_bound(classes_.begin(), classes_.end(), n,
                             [](size_t v, const SizeClass& c) { return v < c.size; });
  return static_cast<int>(it - classes_.begin()) - 1;
}

}  // namespace ringcache::memory

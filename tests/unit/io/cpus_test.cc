#include "ringcache/io/cpus.h"

#include <thread>

#include <pthread.h>
#include <sched.h>

#include "gtest/gtest.h"

namespace ringcache::io {
namespace {

TEST(AllowedCpusTest, MatchesTheAffinityMask) {
  auto cpus = AllowedCpus();
  ASSERT_TRUE(cpus.ok()) << cpus.status();
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_EQ(static_cast<int>(cpus->size()), CPU_COUNT(&set));
  for (int cpu : *cpus) EXPECT_TRUE(CPU_ISSET(cpu, &set)) << cpu;
  EXPECT_TRUE(std::is_sorted(cpus->begin(), cpus->end()));
}

TEST(AllowedCpusTest, RespectsARestrictedMask) {
  // What taskset -c N does to a process, done to one thread.
  auto all = AllowedCpus();
  ASSERT_TRUE(all.ok());
  const int last = all->back();
  std::vector<int> seen;
  std::thread([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(last, &one);
    ASSERT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(one), &one), 0);
    auto cpus = AllowedCpus();
    ASSERT_TRUE(cpus.ok());
    seen = *cpus;
  }).join();
  EXPECT_EQ(seen, std::vector<int>{last});
}

}  // namespace
}  // namespace ringcache::io

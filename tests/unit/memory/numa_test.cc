#include "ringcache/memory/numa.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcache::memory {
namespace {

using ::testing::ElementsAre;

// A throwaway directory shaped like /sys/devices/system/node.
class FakeSysfs {
 public:
  FakeSysfs() {
    char tmpl[] = "/tmp/rc_numa_XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  ~FakeSysfs() { std::filesystem::remove_all(root_); }
  const std::string& root() const { return root_; }
  void Write(const std::string& rel, const std::string& text) {
    const std::filesystem::path p = std::filesystem::path(root_) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }

 private:
  std::string root_;
};

TEST(ParseIdListTest, RangesSinglesAndWhitespace) {
  EXPECT_THAT(*ParseIdList("0-3,8,10-11\n"), ElementsAre(0, 1, 2, 3, 8, 10, 11));
  EXPECT_THAT(*ParseIdList("5"), ElementsAre(5));
  EXPECT_THAT(*ParseIdList(" 2-2 , 1 "), ElementsAre(1, 2));
  EXPECT_TRUE(ParseIdList("\n")->empty());
  EXPECT_TRUE(ParseIdList("")->empty());
}

TEST(ParseIdListTest, SortsAndDeduplicates) {
  EXPECT_THAT(*ParseIdList("4,1-2,2,0"), ElementsAre(0, 1, 2, 4));
}

TEST(ParseIdListTest, RejectsMalformedInput) {
  EXPECT_FALSE(ParseIdList("a").ok());
  EXPECT_FALSE(ParseIdList("3-1").ok());
  EXPECT_FALSE(ParseIdList("1-").ok());
  EXPECT_FALSE(ParseIdList("-1").ok());
  EXPECT_FALSE(ParseIdList("1,,2").ok());
  EXPECT_FALSE(ParseIdList("0-99999999").ok());
}

TEST(NumaTopologyTest, ReadsTwoNodeTree) {
  FakeSysfs fs;
  fs.Write("online", "0-1\n");
  fs.Write("node0/cpulist", "0-1,4-5\n");
  fs.Write("node1/cpulist", "2-3,6-7\n");
  absl::StatusOr<NumaTopology> t = NumaTopology::Read(fs.root());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->node_count(), 2);
  EXPECT_TRUE(t->is_numa());
  EXPECT_EQ(t->nodes()[0].id, 0);
  EXPECT_THAT(t->nodes()[1].cpus, ElementsAre(2, 3, 6, 7));
  EXPECT_EQ(t->NodeIndexOfCpu(5), 0);
  EXPECT_EQ(t->NodeIndexOfCpu(6), 1);
  EXPECT_EQ(t->NodeIndexOfCpu(99), 0);  // unknown CPUs fall back to node 0
}

TEST(NumaTopologyTest, RenumbersSparseNodesAndSkipsMemoryOnlyNodes) {
  FakeSysfs fs;
  fs.Write("online", "0,2-3\n");
  fs.Write("node0/cpulist", "0-1\n");
  fs.Write("node2/cpulist", "2-3\n");
  fs.Write("node3/cpulist", "\n");  // CXL memory, no CPUs
  absl::StatusOr<NumaTopology> t = NumaTopology::Read(fs.root());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->node_count(), 2);
  EXPECT_EQ(t->nodes()[1].id, 2);  // kernel id kept for mbind
  EXPECT_EQ(t->NodeIndexOfCpu(3), 1);
}

TEST(NumaTopologyTest, RejectsInconsistentTrees) {
  FakeSysfs missing_cpulist;
  missing_cpulist.Write("online", "0-1\n");
  missing_cpulist.Write("node0/cpulist", "0\n");
  EXPECT_FALSE(NumaTopology::Read(missing_cpulist.root()).ok());

  FakeSysfs shared_cpu;
  shared_cpu.Write("online", "0-1\n");
  shared_cpu.Write("node0/cpulist", "0-1\n");
  shared_cpu.Write("node1/cpulist", "1-2\n");
  EXPECT_FALSE(NumaTopology::Read(shared_cpu.root()).ok());

  FakeSysfs no_cpus;
  no_cpus.Write("online", "0\n");
  no_cpus.Write("node0/cpulist", "\n");
  EXPECT_FALSE(NumaTopology::Read(no_cpus.root()).ok());
}

TEST(NumaTopologyTest, MissingRootIsOneNodeWithEveryCpu) {
  absl::StatusOr<NumaTopology> t = NumaTopology::Read("/nonexistent/rc/node");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->node_count(), 1);
  EXPECT_FALSE(t->is_numa());
  EXPECT_GE(t->nodes()[0].cpus.size(), 1u);
}

TEST(NumaTopologyTest, ThisMachineReads) {
  absl::StatusOr<NumaTopology> t = NumaTopology::Read();
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_GE(t->node_count(), 1);
  EXPECT_GE(t->NodeIndexOfCpu(CurrentCpu()), 0);
}

}  // namespace
}  // namespace ringcache::memory

// Meta reply lines. Expected bytes come from memcached 1.6.18 answering the
// same requests (recorded with /usr/local/bin/mcq against /usr/bin/memcached).
#include "ringcache/protocol/meta_composer.h"

#include <string>

#include "gtest/gtest.h"

#include "ringcache/protocol/text_parser.h"

namespace ringcache::protocol {
namespace {

class MetaComposerTest : public ::testing::Test {
 protected:
  const MetaRequest& Parse(std::string_view line) {
    line_ = std::string(line) + "\r\n";
    const ParseResult r = parser_.Parse(line_, &req_);
    EXPECT_EQ(r.status, ParseStatus::kRequest) << line;
    return req_.meta;
  }
  std::string Take() {
    std::string s;
    out_.CopyTo(&s);
    out_.Clear();
    return s;
  }
  TextParser parser_;
  TextRequest req_;
  std::string line_;
  base::BlockPool pool_;
  base::OutBuffer out_{&pool_};
};

MetaItemInfo Foo() {
  MetaItemInfo item;
  item.key = "foo";
  item.value_bytes = 3;
  item.client_flags = 5;
  item.cas = 9;
  item.now = 1000;
  item.last_access = 998;
  item.fetched = true;
  return item;
}

TEST_F(MetaComposerTest, GetHitFlagsInRequestOrder) {
  AppendMetaGetHit(out_, Parse("mg foo s v f t c h l k O99 q"), Foo());
  EXPECT_EQ(Take(), "VA 3 s3 f5 t-1 c9 h1 l2 kfoo O99\r\n");
  AppendMetaGetHit(out_, Parse("mg foo O99 k c f"), Foo());
  EXPECT_EQ(Take(), "HD O99 kfoo c9 f5\r\n");
  // q does not hide a hit.
  AppendMetaGetHit(out_, Parse("mg foo q"), Foo());
  EXPECT_EQ(Take(), "HD\r\n");
}

TEST_F(MetaComposerTest, GetHitTtlAndMarkers) {
  MetaItemInfo item = Foo();
  // An already-expired exptime prints as memcached's unsigned difference.
  item.exptime = item.exptime_before = 1;
  item.now = 103;
  AppendMetaGetHit(out_, Parse("mg foo t"), item);
  EXPECT_EQ(Take(), "HD t4294967194\r\n");
  // T changes the exptime where it stands in the flag order.
  item = Foo();
  item.exptime_before = 0;
  item.exptime = item.now + 30;
  AppendMetaGetHit(out_, Parse("mg foo t T30"), item);
  EXPECT_EQ(Take(), "HD t-1\r\n");
  AppendMetaGetHit(out_, Parse("mg foo T30 t"), item);
  EXPECT_EQ(Take(), "HD t30\r\n");
  // A vivified item: N sets its TTL, the client wins.
  item.created = true;
  item.won = true;
  item.value_bytes = 0;
  AppendMetaGetHit(out_, Parse("mg foo N30 t v"), item);
  EXPECT_EQ(Take(), "VA 0 t30 W\r\n");
  item = Foo();
  item.lost = true;
  item.stale = true;
  AppendMetaGetHit(out_, Parse("mg foo c"), item);
  EXPECT_EQ(Take(), "HD c9 Z X\r\n");
  item.lost = false;
  item.won = true;
  AppendMetaGetHit(out_, Parse("mg foo"), item);
  EXPECT_EQ(Take(), "HD X W\r\n");
}

TEST_F(MetaComposerTest, GetMiss) {
  AppendMetaGetMiss(out_, Parse("mg miss k O123 s v"));
  EXPECT_EQ(Take(), "EN kmiss O123\r\n");
  AppendMetaGetMiss(out_, Parse("mg miss k O123 q s v"));
  EXPECT_EQ(Take(), "");
  // The key is re-encoded from its decoded bytes.
  AppendMetaGetMiss(out_, Parse("mg Zm9v! b k"));
  EXPECT_EQ(Take(), "EN kZm9v b\r\n");
}

TEST_F(MetaComposerTest, BinaryKeyOfAHit) {
  MetaItemInfo item = Foo();
  item.key = "kk";
  item.key_binary = true;
  item.value_bytes = 1;
  AppendMetaGetHit(out_, Parse("mg kk k v"), item);
  EXPECT_EQ(Take(), "VA 1 ka2s= b\r\n");
}

TEST_F(MetaComposerTest, SetReplies) {
  AppendMetaSetReply(out_, Parse("ms foo 2 c k O1"), MetaStatus::kHd, 13);
  EXPECT_EQ(Take(), "HD c13 kfoo O1\r\n");
  AppendMetaSetReply(out_, Parse("ms a2s= 1 b k c"), MetaStatus::kHd, 30);
  EXPECT_EQ(Take(), "HD ka2s= b c30\r\n");
  AppendMetaSetReply(out_, Parse("ms foo 2 c k O1 q"), MetaStatus::kHd, 13);
  EXPECT_EQ(Take(), "");
  AppendMetaSetReply(out_, Parse("ms foo 2 q O1"), MetaStatus::kNs, 0);
  EXPECT_EQ(Take(), "NS O1\r\n");
  AppendMetaSetReply(out_, Parse("ms foo 2 C1"), MetaStatus::kEx, 0);
  EXPECT_EQ(Take(), "EX\r\n");
  AppendMetaSetReply(out_, Parse("ms foo 2 MR"), MetaStatus::kNf, 0);
  EXPECT_EQ(Take(), "NF\r\n");
}

TEST_F(MetaComposerTest, DeleteReplies) {
  AppendMetaDeleteReply(out_, Parse("md foo q"), MetaStatus::kHd);
  EXPECT_EQ(Take(), "");
  AppendMetaDeleteReply(out_, Parse("md foo q"), MetaStatus::kNf);
  EXPECT_EQ(Take(), "NF\r\n");
  AppendMetaDeleteReply(out_, Parse("md foo k O5 C3"), MetaStatus::kEx);
  EXPECT_EQ(Take(), "EX kfoo O5\r\n");
}

TEST_F(MetaComposerTest, ArithmeticReplies) {
  MetaArithInfo info;
  info.value = 3;
  info.cas = 27;
  info.created = true;
  AppendMetaArithReply(out_, Parse("ma n N0 J5 v c t"), MetaStatus::kHd, info);
  EXPECT_EQ(Take(), "VA 1 c27 t-1\r\n3\r\n");
  info.created = false;
  info.value = 0;
  AppendMetaArithReply(out_, Parse("ma n v MD D3"), MetaStatus::kHd, info);
  EXPECT_EQ(Take(), "VA 1\r\n0\r\n");
  AppendMetaArithReply(out_, Parse("ma n"), MetaStatus::kHd, info);
  EXPECT_EQ(Take(), "HD\r\n");
  AppendMetaArithReply(out_, Parse("ma n q v"), MetaStatus::kHd, info);
  EXPECT_EQ(Take(), "");
  // memcached marks only an applied delta as quiet, not a vivified item.
  info.created = true;
  AppendMetaArithReply(out_, Parse("ma n q N0"), MetaStatus::kHd, info);
  EXPECT_EQ(Take(), "HD\r\n");
  AppendMetaArithReply(out_, Parse("ma miss k O5 q"), MetaStatus::kNf, info);
  EXPECT_EQ(Take(), "NF kmiss O5\r\n");
  AppendMetaArithReply(out_, Parse("ma n C999 v"), MetaStatus::kEx, info);
  EXPECT_EQ(Take(), "EX\r\n");
}

TEST_F(MetaComposerTest, NoopAndDebug) {
  AppendMetaNoop(out_);
  AppendMetaDebugMiss(out_);
  EXPECT_EQ(Take(), "MN\r\nEN\r\n");
  MetaDebugInfo info;
  info.key = "kk";
  info.now = 500;
  info.last_access = 500;
  info.cas = 24;
  info.size_class = 1;
  info.total_size = 62;
  AppendMetaDebug(out_, info);
  EXPECT_EQ(Take(), "ME kk exp=-1 la=0 cas=24 fetch=no cls=1 size=62\r\n");
  info.key_binary = true;
  info.exptime = 530;
  info.last_access = 490;
  info.fetched = true;
  AppendMetaDebug(out_, info);
  EXPECT_EQ(Take(), "ME a2s= exp=-30 la=10 cas=24 fetch=yes cls=1 size=62\r\n");
}

}  // namespace
}  // namespace ringcache::protocol

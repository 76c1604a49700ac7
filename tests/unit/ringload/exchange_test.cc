// Matching replies to requests, per protocol: what finishes a request, what
// counts as a hit, which errors end a batch, and what desynchronises.

#include "exchange.h"

#include "gtest/gtest.h"

namespace ringcache::ringload {
namespace {

using protocol::client::Protocol;
using protocol::client::Reply;
using protocol::client::ReplyKind;

Step M(Protocol p, OpKind op, uint32_t keys, ReplyKind kind) {
  Reply r;
  r.kind = kind;
  return Match(p, op, keys, r);
}

TEST(ExchangeTest, TextGetsEndWithEnd) {
  for (const uint32_t keys : {1u, 5u}) {
    Step s = M(Protocol::kText, OpKind::kGet, keys, ReplyKind::kValue);
    EXPECT_EQ(s.kind, Step::kPartial);
    EXPECT_TRUE(s.hit);
    s = M(Protocol::kText, OpKind::kGet, keys, ReplyKind::kEnd);
    EXPECT_EQ(s.kind, Step::kDone);
    EXPECT_FALSE(s.hit);
    EXPECT_EQ(M(Protocol::kText, OpKind::kGet, keys, ReplyKind::kStored).kind, Step::kFatal);
    s = M(Protocol::kText, OpKind::kGet, keys, ReplyKind::kServerError);
    EXPECT_EQ(s.kind, Step::kDone) << "a text error ends the request";
    EXPECT_TRUE(s.error);
    EXPECT_EQ(s.error_kind, ErrorKind::kServerError);
  }
}

TEST(ExchangeTest, MetaAndBinarySingleGetsAndBatches) {
  for (const Protocol p : {Protocol::kMeta, Protocol::kBinary}) {
    Step s = M(p, OpKind::kGet, 1, ReplyKind::kValue);
    EXPECT_EQ(s.kind, Step::kDone);
    EXPECT_TRUE(s.hit);
    s = M(p, OpKind::kGet, 1, ReplyKind::kMiss);
    EXPECT_EQ(s.kind, Step::kDone);
    EXPECT_FALSE(s.hit);
    EXPECT_EQ(M(p, OpKind::kGet, 1, ReplyKind::kNoop).kind, Step::kFatal);
    s = M(p, OpKind::kGet, 3, ReplyKind::kValue);
    EXPECT_EQ(s.kind, Step::kPartial);
    EXPECT_TRUE(s.hit);
    EXPECT_EQ(M(p, OpKind::kGet, 3, ReplyKind::kNoop).kind, Step::kDone);
    EXPECT_EQ(M(p, OpKind::kGet, 3, ReplyKind::kMiss).kind, Step::kFatal)
        << "quiet batches never answer a miss";
    s = M(p, OpKind::kGet, 3, ReplyKind::kClientError);
    EXPECT_EQ(s.kind, Step::kPartial) << "the batch's other keys still come, then MN/NOOP";
    EXPECT_TRUE(s.error);
  }
}

TEST(ExchangeTest, Sets) {
  EXPECT_EQ(M(Protocol::kText, OpKind::kSet, 1, ReplyKind::kStored).kind, Step::kDone);
  EXPECT_EQ(M(Protocol::kBinary, OpKind::kSet, 1, ReplyKind::kStored).kind, Step::kDone);
  EXPECT_EQ(M(Protocol::kMeta, OpKind::kSet, 1, ReplyKind::kHeader).kind, Step::kDone);
  EXPECT_EQ(M(Protocol::kMeta, OpKind::kSet, 1, ReplyKind::kStored).kind, Step::kFatal);
  EXPECT_EQ(M(Protocol::kText, OpKind::kSet, 1, ReplyKind::kHeader).kind, Step::kFatal);
  const Step ns = M(Protocol::kText, OpKind::kSet, 1, ReplyKind::kNotStored);
  EXPECT_EQ(ns.kind, Step::kDone);
  EXPECT_TRUE(ns.error);
  EXPECT_EQ(ns.error_kind, ErrorKind::kNotStored);
  EXPECT_EQ(M(Protocol::kText, OpKind::kSet, 1, ReplyKind::kEnd).kind, Step::kFatal);
}

TEST(ExchangeTest, DeleteIncrTouchHitsAndMisses) {
  struct Case {
    Protocol p;
    OpKind op;
    ReplyKind kind;
    bool hit;
  };
  const Case cases[] = {
      {Protocol::kText, OpKind::kDelete, ReplyKind::kDeleted, true},
      {Protocol::kText, OpKind::kDelete, ReplyKind::kNotFound, false},
      {Protocol::kMeta, OpKind::kDelete, ReplyKind::kHeader, true},
      {Protocol::kMeta, OpKind::kDelete, ReplyKind::kNotFound, false},
      {Protocol::kText, OpKind::kIncr, ReplyKind::kNumber, true},
      {Protocol::kBinary, OpKind::kIncr, ReplyKind::kNumber, true},
      {Protocol::kMeta, OpKind::kIncr, ReplyKind::kHeader, true},
      {Protocol::kText, OpKind::kIncr, ReplyKind::kNotFound, false},
      {Protocol::kText, OpKind::kTouch, ReplyKind::kTouched, true},
      {Protocol::kMeta, OpKind::kTouch, ReplyKind::kHeader, true},
      {Protocol::kMeta, OpKind::kTouch, ReplyKind::kMiss, false},
      {Protocol::kBinary, OpKind::kTouch, ReplyKind::kNotFound, false},
  };
  for (const Case& c : cases) {
    const Step s = M(c.p, c.op, 1, c.kind);
    EXPECT_EQ(s.kind, Step::kDone) << ReplyKindName(c.kind);
    EXPECT_EQ(s.hit, c.hit) << ReplyKindName(c.kind);
    EXPECT_FALSE(s.error);
  }
  EXPECT_EQ(M(Protocol::kText, OpKind::kDelete, 1, ReplyKind::kValue).kind, Step::kFatal);
  const Step non_numeric = M(Protocol::kText, OpKind::kIncr, 1, ReplyKind::kClientError);
  EXPECT_EQ(non_numeric.kind, Step::kDone);
  EXPECT_EQ(non_numeric.error_kind, ErrorKind::kClientError);
}

}  // namespace
}  // namespace ringcache::ringload

#include "common/status.h"

#include <memory>

#include <gtest/gtest.h>

namespace sondeo {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::InvalidArgument("base.csv:3:7: campo 'celular': se esperaba un número");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "INVALID_ARGUMENT: base.csv:3:7: campo 'celular': se esperaba un número");
}

TEST(StatusTest, UserErrorsVersusInternal) {
  struct Case {
    Status status;
    bool user;
  } cases[] = {
      {Status::InvalidArgument("x"), true},    {Status::NotFound("x"), true},
      {Status::FailedPrecondition("x"), true}, {Status::PermissionDenied("x"), true},
      {Status::Internal("x"), false},          {Status::Unavailable("x"), false},
  };
  for (const auto& c : cases) EXPECT_EQ(c.status.IsUserError(), c.user) << c.status.ToString();
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> good = 42;
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Status::NotFound("campaign 'x'");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(bad.status().message(), "campaign 'x'");
}

TEST(ResultTest, MovesOnlyTypes) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace sondeo

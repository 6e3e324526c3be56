#pragma once
// Test helpers shared by every module's tests.
#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/status.h"

namespace sondeo::testing {

// A fresh, empty directory under the test temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The project's source tree (for tests/data and examples); from $SONDEO_SOURCE_DIR.
std::filesystem::path SourceDir();

// Writes `content` to `path` (binary), failing the test on error.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

}  // namespace sondeo::testing

MATCHER(IsOk, "") {
  if constexpr (requires { arg.ok(); }) {
    if (arg.ok()) return true;
    if constexpr (requires { arg.status(); }) {
      *result_listener << arg.status().ToString();
    } else {
      *result_listener << arg.ToString();
    }
  }
  return false;
}

#define EXPECT_OK(expr) EXPECT_THAT((expr), IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), IsOk())

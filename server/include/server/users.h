#pragma once
// Accounts of the web desktop (agents, supervisors, admins): password hashing with
// PBKDF2-HMAC-SHA256 through OpenSSL, the lockout rule, and the users table (module key
// "server"). No Boost here: the CLI (`sondeo users ...`) uses it too.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/db.h"

namespace sondeo::server {

enum class Role { kAgent, kSupervisor, kAdmin };
std::string_view RoleName(Role r);  // "agent" | "supervisor" | "admin"
// kInvalidArgument for anything else.
Result<Role> ParseRole(std::string_view name);
// Supervisors and admins may run campaigns, imports, exports and the wallboard.
inline bool IsSupervisor(Role r) { return r == Role::kSupervisor || r == Role::kAdmin; }

// Production default (OWASP 2023 for PBKDF2-HMAC-SHA256). Tests lower it.
inline constexpr int kDefaultPbkdf2Iterations = 600000;

// "pbkdf2-sha256$ITERATIONS$SALT$HASH" (salt 16 random bytes, hash 32 bytes, base64).
std::string HashPassword(std::string_view password, int iterations);
// Constant-time comparison; false for a malformed encoding.
bool VerifyPassword(std::string_view password, std::string_view encoded);

// Lockout: kMaxFailures consecutive failures lock the account for kLockout.
inline constexpr int kMaxFailures = 5;
inline constexpr int64_t kLockoutMs = 15 * 60 * 1000;

struct LoginState {
  bool exists = false;
  bool disabled = false;
  int failed_count = 0;
  int64_t locked_until_ms = 0;
};
enum class LoginOutcome { kOk, kBadCredentials, kLocked, kDisabled };
struct LoginDecision {
  LoginOutcome outcome = LoginOutcome::kBadCredentials;
  int failed_count = 0;         // to store
  int64_t locked_until_ms = 0;  // to store
};
// Pure: what a login attempt with a right or wrong password at `now_ms` comes to. While
// locked even the right password fails (and does not extend the lock).
LoginDecision DecideLogin(const LoginState& state, bool password_ok, int64_t now_ms);

struct User {
  std::string name;
  Role role = Role::kAgent;
  bool disabled = false;
  int failed_count = 0;
  int64_t locked_until_ms = 0;
  int64_t created_ms = 0;
};

// User names: 1..64 characters of [A-Za-z0-9._-]. Passwords: at least 8 characters.
Status ValidateUserName(std::string_view name);
Status ValidatePassword(std::string_view password);

// Adds a user. kInvalidArgument (name, password), kAlreadyExists. Audited as "user.add".
Status AddUser(store::Db& db, std::string_view name, Role role, std::string_view password,
               int iterations, std::string_view actor, int64_t now_ms);
Result<std::vector<User>> ListUsers(store::Db& db);
// Disables the account and ends its sessions. kNotFound. Audited as "user.disable".
Status DisableUser(store::Db& db, std::string_view name, std::string_view actor, int64_t now_ms);

}  // namespace sondeo::server

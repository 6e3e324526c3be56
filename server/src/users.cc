#include "server/users.h"

#include <array>
#include <charconv>
#include <stdexcept>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "server/src/crypto.h"

namespace sondeo::server {

namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

// Decodes base64 with padding; false on malformed input.
bool Unbase64(std::string_view in, std::vector<unsigned char>* out) {
  if (in.empty() || in.size() % 4 != 0) return false;
  out->assign(in.size() / 4 * 3 + 1, 0);
  const int len = EVP_DecodeBlock(out->data(), reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
  if (len < 0) return false;
  size_t pad = 0;
  if (in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(len) - pad);
  return true;
}

std::array<unsigned char, kHashBytes> Derive(std::string_view password, const unsigned char* salt,
                                             size_t salt_len, int iterations) {
  std::array<unsigned char, kHashBytes> key{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt,
                        static_cast<int>(salt_len), iterations, EVP_sha256(),
                        static_cast<int>(key.size()), key.data()) != 1) {
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  }
  return key;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes);
  for (unsigned char c : buf) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAgent:
      return "agent";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAdmin:
      return "admin";
  }
  return "agent";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "agent") return Role::kAgent;
  if (name == "supervisor") return Role::kSupervisor;
  if (name == "admin") return Role::kAdmin;
  return Status::InvalidArgument("role: se esperaba agent, supervisor o admin, no '" +
                                 std::string(name) + "'");
}

std::string HashPassword(std::string_view password, int iterations) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  const auto key = Derive(password, salt.data(), salt.size(), iterations);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" +
         Base64(salt.data(), salt.size()) + "$" + Base64(key.data(), key.size());
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  // scheme $ iterations $ salt $ hash
  std::array<std::string_view, 4> parts;
  size_t start = 0;
  for (size_t i = 0; i < 4; ++i) {
    const size_t end = i == 3 ? encoded.size() : encoded.find('$', start);
    if (end == std::string_view::npos) return false;
    parts[i] = encoded.substr(start, end - start);
    start = end + 1;
  }
  if (parts[0] != kScheme) return false;
  int iterations = 0;
  auto [ptr, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || ptr != parts[1].data() + parts[1].size() || iterations < 1) return false;
  std::vector<unsigned char> salt;
  std::vector<unsigned char> want;
  if (!Unbase64(parts[2], &salt) || !Unbase64(parts[3], &want) || want.size() != kHashBytes) {
    return false;
  }
  const auto got = Derive(password, salt.data(), salt.size(), iterations);
  return CRYPTO_memcmp(got.data(), want.data(), kHashBytes) == 0;
}

LoginDecision DecideLogin(const LoginState& state, bool password_ok, int64_t now_ms) {
  LoginDecision d;
  d.failed_count = state.failed_count;
  d.locked_until_ms = state.locked_until_ms;
  if (!state.exists) {
    d.outcome = LoginOutcome::kBadCredentials;
    return d;
  }
  if (state.disabled) {
    d.outcome = LoginOutcome::kDisabled;
    return d;
  }
  if (state.locked_until_ms > now_ms) {
    d.outcome = LoginOutcome::kLocked;
    return d;
  }
  if (password_ok) {
    d.outcome = LoginOutcome::kOk;
    d.failed_count = 0;
    d.locked_until_ms = 0;
    return d;
  }
  d.failed_count = state.failed_count + 1;
  if (d.failed_count >= kMaxFailures) {
    d.outcome = LoginOutcome::kLocked;
    d.failed_count = 0;
    d.locked_until_ms = now_ms + kLockoutMs;
  } else {
    d.outcome = LoginOutcome::kBadCredentials;
  }
  return d;
}

Status ValidateUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("usuario: debe tener entre 1 y 64 caracteres");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return Status::InvalidArgument("usuario: solo letras, dígitos, '.', '_' y '-'");
  }
  return Status::Ok();
}

Status ValidatePassword(std::string_view password) {
  if (password.size() < 8) {
    return Status::InvalidArgument("contraseña: debe tener al menos 8 caracteres");
  }
  if (password.size() > 1024) return Status::InvalidArgument("contraseña: demasiado larga");
  return Status::Ok();
}

Status AddUser(store::Db& db, std::string_view name, Role role, std::string_view password,
               int iterations, std::string_view actor, int64_t now_ms) {
  if (Status s = ValidateUserName(name); !s.ok()) return s;
  if (Status s = ValidatePassword(password); !s.ok()) return s;
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto st = db.Prepare(
      "INSERT INTO users(name, role, password_hash, created_ms) VALUES (?1, ?2, ?3, ?4)");
  if (!st) return st.error();
  st->Bind(1, name).Bind(2, RoleName(role)).Bind(3, HashPassword(password, iterations));
  st->Bind(4, now_ms);
  if (Status s = st->Run(); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("usuario: '" + std::string(name) + "' ya existe");
    }
    return s;
  }
  if (Status s = store::Audit(db, actor, "user.add",
                              std::string(name) + " role=" + std::string(RoleName(role)), now_ms);
      !s.ok()) {
    return s;
  }
  return tx->Commit();
}

Result<std::vector<User>> ListUsers(store::Db& db) {
  auto st = db.Prepare(
      "SELECT name, role, disabled, failed_count, locked_until_ms, created_ms FROM users "
      "ORDER BY name");
  if (!st) return st.error();
  std::vector<User> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    User u;
    u.name = st->Text(0);
    auto role = ParseRole(st->Text(1));
    u.role = role ? *role : Role::kAgent;
    u.disabled = st->Int(2) != 0;
    u.failed_count = static_cast<int>(st->Int(3));
    u.locked_until_ms = st->Int(4);
    u.created_ms = st->Int(5);
    out.push_back(std::move(u));
  }
  return out;
}

Status DisableUser(store::Db& db, std::string_view name, std::string_view actor, int64_t now_ms) {
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto st = db.Prepare("UPDATE users SET disabled = 1 WHERE name = ?1");
  if (!st) return st.error();
  st->Bind(1, name);
  if (Status s = st->Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return Status::NotFound("usuario: '" + std::string(name) + "' no existe");
  }
  auto del = db.Prepare("DELETE FROM sessions WHERE user_name = ?1");
  if (!del) return del.error();
  del->Bind(1, name);
  if (Status s = del->Run(); !s.ok()) return s;
  if (Status s = store::Audit(db, actor, "user.disable", name, now_ms); !s.ok()) return s;
  return tx->Commit();
}

}  // namespace sondeo::server

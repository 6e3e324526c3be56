#include "dialer/schema.h"

#include "dialer/src/engine_schema.h"

namespace sondeo::dialer {

std::vector<store::Migration> Migrations() {
  auto all = EngineMigrations();
  for (auto& m : SmsMigrations()) all.push_back(std::move(m));
  return all;
}

}  // namespace sondeo::dialer

#pragma once
#include <vector>

#include "store/db.h"

namespace sondeo::dialer {

// Module key "dialer": attempts and per-contact dialing state.
std::vector<store::Migration> EngineMigrations();
// Module key "sms": messages, sends, recipients, delivery reports.
std::vector<store::Migration> SmsMigrations();

}  // namespace sondeo::dialer

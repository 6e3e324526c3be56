#pragma once
// The only way to include Boost.Asio in sondeo. Boost 1.74's awaitable.hpp uses
// std::exchange without including <utility> (fixed upstream in 1.79), so it comes first.
// Only dialer/ and server/ may include this (compile time: see docs/style.md §3.2).
#include <utility>
// GCC 12 at -O2 reports -Wnull-dereference inside Asio's own scheduler
// (scheduler.ipp: compensating_work_started() on this_thread_->private_outstanding_work,
// reached only from a thread that is running the scheduler, so never null): the warning is
// silenced for Boost's lines only, our code keeps it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
// clang-format off
#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
// clang-format on
#pragma GCC diagnostic pop

namespace sondeo {
namespace asio = boost::asio;
template <typename T>
using Awaitable = asio::awaitable<T>;
}  // namespace sondeo

#include "dialer/scheduler.h"

#include <gtest/gtest.h>

#include "dialer/call_calendar.h"

namespace sondeo::dialer {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// Local (UTC-5) wall-clock time as a TimePoint.
TimePoint Local(int y, unsigned m, unsigned d, int hh, int mm = 0) {
  return FromUnixMillis((WeeklyCalendar::DayOf(y, m, d) * 86400 + (hh + 5) * 3600 + mm * 60) *
                        1000);
}

WeeklyCalendar MakeCalendar() {
  auto o = WeeklyCalendar::Defaults();
  o.closed_days.insert(WeeklyCalendar::DayOf(2026, 12, 8));  // Inmaculada Concepción (Tue)
  return WeeklyCalendar(o);
}

ContactState Contact(int64_t id, int phones = 1) {
  ContactState s;
  s.contact_id = id;
  for (int i = 0; i < phones; ++i) {
    s.phones.push_back({id * 10 + i, "+57300000" + std::to_string(1000 + id * 10 + i), 0, false});
  }
  return s;
}

TEST(WeeklyCalendarTest, WindowsWeekendsAndHolidays) {
  const auto cal = MakeCalendar();
  struct Case {
    TimePoint t;
    bool callable;
    TimePoint next;
  } cases[] = {
      {Local(2026, 11, 30, 8), true, Local(2026, 11, 30, 8)},       // Monday 08:00
      {Local(2026, 11, 30, 7, 59), false, Local(2026, 11, 30, 8)},  // before the window
      {Local(2026, 11, 30, 16, 59), true, Local(2026, 11, 30, 16, 59)},
      {Local(2026, 11, 30, 17), false, Local(2026, 12, 1, 8)},     // end is exclusive
      {Local(2026, 12, 7, 18), false, Local(2026, 12, 9, 8)},      // skips the holiday
      {Local(2026, 12, 8, 10), false, Local(2026, 12, 9, 8)},      // holiday
      {Local(2026, 12, 4, 17, 30), false, Local(2026, 12, 7, 8)},  // Friday evening
      {Local(2026, 12, 5, 10), false, Local(2026, 12, 7, 8)},      // Saturday
  };
  for (const auto& c : cases) {
    EXPECT_EQ(cal.IsCallable(c.t), c.callable) << FormatUtc(c.t);
    EXPECT_EQ(cal.NextCallable(c.t), c.next) << FormatUtc(c.t);
  }
  EXPECT_EQ(cal.WindowEnd(Local(2026, 11, 30, 9)), Local(2026, 11, 30, 17));
  EXPECT_EQ(WeeklyCalendar::Weekday(WeeklyCalendar::DayOf(2026, 11, 30)), 0);  // Monday
}

TEST(ApplyOutcomeTest, Table) {
  const auto cal = MakeCalendar();
  SchedulerOptions opt;
  opt.max_attempts_per_contact = 3;
  opt.max_attempts_per_phone = 3;
  opt.max_attempts_per_day = 2;
  DispositionRule line;
  line.code = "LINEA_DE_LA_ENTIDAD_NP";
  line.final = true;
  line.next_phone = true;
  opt.dispositions.push_back(line);
  const TimePoint mon10 = Local(2026, 11, 30, 10);
  struct Case {
    const char* name;
    ContactState before;
    std::string code;
    TimePoint at;
    std::optional<TimePoint> callback;
    ContactStatus status;
    std::string final_code;
    TimePoint due;  // checked when pending
    int attempts;
  };
  ContactState used_twice = Contact(1);
  used_twice.attempts = 2;
  used_twice.phones[0].attempts = 2;
  used_twice.last_disposition = "OCUPADO";
  ContactState today_once = Contact(1);
  today_once.day = cal.LocalDay(mon10);
  today_once.attempts_today = 1;
  today_once.attempts = 1;
  ContactState conmutador_once = Contact(1, 3);
  conmutador_once.retries = {{"CONMUTADOR", 1}};
  ContactState capped_then_interrupted = Contact(1);
  capped_then_interrupted.attempts = 2;
  capped_then_interrupted.last_disposition = "OCUPADO";
  const Case cases[] = {
      {"complete is final",
       Contact(1),
       "ENCUESTA_EFECTIVA",
       mon10,
       {},
       ContactStatus::kFinal,
       "ENCUESTA_EFECTIVA",
       {},
       1},
      {"no answer retries after 2 h",
       Contact(1),
       "NO_CONTESTA",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       Local(2026, 11, 30, 12),
       1},
      {"retry past the window moves to the next morning",
       Contact(1),
       "NO_CONTESTA",
       Local(2026, 11, 30, 16),
       {},
       ContactStatus::kPending,
       "",
       Local(2026, 12, 1, 8),
       1},
      {"per-day cap moves to tomorrow",
       today_once,
       "OCUPADO",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       Local(2026, 12, 1, 8),
       2},
      {"per-contact cap: final is the last attempt's",
       used_twice,
       "NO_CONTESTA",
       mon10,
       {},
       ContactStatus::kFinal,
       "NO_CONTESTA",
       {},
       3},
      {"wrong number with one phone is final",
       Contact(1),
       "TELEFONO_EQUIVOCADO",
       mon10,
       {},
       ContactStatus::kFinal,
       "TELEFONO_EQUIVOCADO",
       {},
       1},
      {"wrong number with two phones tries the next",
       Contact(1, 2),
       "TELEFONO_EQUIVOCADO",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       mon10,
       1},
      {"interrupted consumes nothing",
       Contact(1),
       "INTERRUMPIDA",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       mon10,
       0},
      {"callback on Saturday moves to Monday 08:00", Contact(1), "VOLVER_A_LLAMAR", mon10,
       Local(2026, 12, 5, 10), ContactStatus::kPending, "", Local(2026, 12, 7, 8), 0},
      {"callback on a holiday moves to the next day", Contact(1), "VOLVER_A_LLAMAR", mon10,
       Local(2026, 12, 8, 9), ContactStatus::kPending, "", Local(2026, 12, 9, 8), 0},
      {"callback in the window is kept", Contact(1), "VOLVER_A_LLAMAR", mon10,
       Local(2026, 11, 30, 15, 30), ContactStatus::kPending, "", Local(2026, 11, 30, 15, 30), 0},
      {"retry max exceeded is final",
       conmutador_once,
       "CONMUTADOR",
       mon10,
       {},
       ContactStatus::kFinal,
       "CONMUTADOR",
       {},
       1},
      {"final number disposition with another phone goes on",
       Contact(1, 2),
       "LINEA_DE_LA_ENTIDAD_NP",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       mon10,
       1},
      {"final number disposition on the last phone is final",
       Contact(1),
       "LINEA_DE_LA_ENTIDAD_NP",
       mon10,
       {},
       ContactStatus::kFinal,
       "LINEA_DE_LA_ENTIDAD_NP",
       {},
       1},
      {"refusal contact is final",
       Contact(1),
       "ENCUESTA_NO_EFECTIVA",
       mon10,
       {},
       ContactStatus::kFinal,
       "ENCUESTA_NO_EFECTIVA",
       {},
       1},
      {"unknown code is final",
       Contact(1),
       "ALGO_RARO",
       mon10,
       {},
       ContactStatus::kFinal,
       "ALGO_RARO",
       {},
       1},
      {"abandoned waits 30 min, reserved",
       Contact(1),
       "ABANDONADA",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       Local(2026, 11, 30, 10, 30),
       0},
      {"cap reached on a non-consuming attempt keeps going",
       capped_then_interrupted,
       "INTERRUMPIDA",
       mon10,
       {},
       ContactStatus::kPending,
       "",
       mon10,
       2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    AttemptOutcome o;
    o.attempt_id = 7;
    o.disposition = c.code;
    o.at = c.at;
    o.callback_at = c.callback;
    o.agent = "ana";
    const ContactState s = ApplyOutcome(opt, cal, c.before, o);
    EXPECT_EQ(s.status, c.status);
    EXPECT_EQ(s.attempts, c.attempts);
    EXPECT_EQ(s.last_attempt_id, 7);
    if (c.status == ContactStatus::kFinal) {
      EXPECT_EQ(s.final_disposition, c.final_code);
    } else {
      EXPECT_EQ(s.next_due, c.due) << FormatUtc(s.next_due);
      EXPECT_TRUE(cal.IsCallable(s.next_due));
      EXPECT_TRUE(s.final_disposition.empty());
    }
  }
}

TEST(ApplyOutcomeTest, AbandonedIsReservedFor72Hours) {
  const auto cal = MakeCalendar();
  const TimePoint mon10 = Local(2026, 11, 30, 10);
  AttemptOutcome o;
  o.disposition = "ABANDONADA";
  o.at = mon10;
  const auto s = ApplyOutcome(SchedulerOptions{}, cal, Contact(1), o);
  ASSERT_TRUE(s.reserved_until.has_value());
  EXPECT_EQ(*s.reserved_until, mon10 + hours(72));
}

TEST(ApplyOutcomeTest, CallbackKeepsTheAgent) {
  const auto cal = MakeCalendar();
  AttemptOutcome o;
  o.disposition = "VOLVER_A_LLAMAR";
  o.at = Local(2026, 11, 30, 10);
  o.callback_at = Local(2026, 11, 30, 20);  // after hours
  o.agent = "ana";
  const auto s = ApplyOutcome(SchedulerOptions{}, cal, Contact(1), o);
  ASSERT_TRUE(s.callback_at.has_value());
  EXPECT_EQ(*s.callback_at, Local(2026, 12, 1, 8));
  EXPECT_EQ(s.callback_agent, "ana");
}

class SchedulerTest : public ::testing::Test {
 protected:
  WeeklyCalendar cal_ = MakeCalendar();
  Scheduler sched_{SchedulerOptions{}, cal_};
  const TimePoint mon9_ = Local(2026, 11, 30, 9);
};

TEST_F(SchedulerTest, NothingOutsideWindows) {
  auto c = Contact(1);
  c.next_due = Local(2026, 11, 30, 6);
  sched_.Upsert(c);
  EXPECT_EQ(sched_.Find(1)->next_due, Local(2026, 11, 30, 8));
  EXPECT_FALSE(sched_.PickForPool(Local(2026, 11, 30, 7)).has_value());
  EXPECT_FALSE(sched_.PickForAgent(Local(2026, 12, 5, 10), "ana").has_value());  // Saturday
  EXPECT_FALSE(sched_.PickForAgent(Local(2026, 12, 8, 10), "ana").has_value());  // holiday
  auto p = sched_.PickForPool(Local(2026, 11, 30, 8));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->contact_id, 1);
  EXPECT_EQ(p->attempt_number, 1);
  EXPECT_EQ(sched_.in_flight(), 1u);
  EXPECT_EQ(sched_.Find(1)->status, ContactStatus::kInFlight);
}

TEST_F(SchedulerTest, CallbacksBeforeRetriesAndOwnAgentFirst) {
  for (int64_t id = 1; id <= 3; ++id) {
    auto c = Contact(id);
    c.next_due = Local(2026, 11, 30, 8);
    sched_.Upsert(c);
  }
  auto cb = Contact(4);
  cb.callback_at = mon9_;
  cb.callback_agent = "ana";
  cb.next_due = mon9_;
  sched_.Upsert(cb);
  // Another agent cannot take Ana's callback before the grace period...
  auto p = sched_.PickForAgent(mon9_, "luis");
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->contact_id, 4);
  // ...the pool never takes it...
  p = sched_.PickForPool(mon9_);
  ASSERT_TRUE(p.has_value());
  EXPECT_NE(p->contact_id, 4);
  // ...Ana gets it first, ahead of older due contacts.
  p = sched_.PickForAgent(mon9_, "ana");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->contact_id, 4);
  EXPECT_TRUE(p->callback);
  EXPECT_TRUE(p->reserved);
}

TEST_F(SchedulerTest, CallbackGoesToAnyoneAfterGrace) {
  auto cb = Contact(4);
  cb.callback_at = mon9_;
  cb.callback_agent = "ana";
  sched_.Upsert(cb);
  EXPECT_TRUE(sched_.HasReservedWork(mon9_, "ana"));
  EXPECT_FALSE(sched_.HasReservedWork(mon9_, "luis"));
  EXPECT_FALSE(sched_.PickForAgent(mon9_ + minutes(9), "luis").has_value());
  auto p = sched_.PickForAgent(mon9_ + minutes(10), "luis");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->contact_id, 4);
}

TEST_F(SchedulerTest, AbandonedOnlyWithReservedAgentFor72Hours) {
  auto c = Contact(5);
  sched_.Upsert(c);
  auto p = sched_.PickForPool(mon9_);
  ASSERT_TRUE(p.has_value());
  AttemptOutcome o;
  o.disposition = "ABANDONADA";
  o.at = mon9_;
  const ContactState* s = sched_.Complete(5, o);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->status, ContactStatus::kPending);
  const TimePoint later = mon9_ + hours(1);
  EXPECT_FALSE(sched_.PickForPool(later).has_value());
  EXPECT_TRUE(sched_.HasReservedWork(later, "ana"));
  p = sched_.PickForAgent(later, "ana");
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->reserved);
  EXPECT_EQ(p->attempt_number, 2);
}

TEST_F(SchedulerTest, AbandonedBackToPoolAfter72Hours) {
  sched_.Upsert(Contact(5));
  ASSERT_TRUE(sched_.PickForPool(mon9_).has_value());
  AttemptOutcome o;
  o.disposition = "ABANDONADA";
  o.at = mon9_;
  sched_.Complete(5, o);
  EXPECT_FALSE(sched_.PickForPool(Local(2026, 12, 2, 16)).has_value());
  EXPECT_TRUE(sched_.PickForPool(Local(2026, 12, 3, 9)).has_value());
}

TEST_F(SchedulerTest, AlternatePhoneAfterInvalid) {
  sched_.Upsert(Contact(6, 2));
  auto p = sched_.PickForPool(mon9_);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->phone_index, 0u);
  AttemptOutcome o;
  o.disposition = "NUMERO_INVALIDO";
  o.at = mon9_;
  o.phone_index = 0;
  sched_.Complete(6, o);
  p = sched_.PickForPool(mon9_);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->phone_index, 1u);
  EXPECT_EQ(p->phone_id, 61);
}

TEST_F(SchedulerTest, EarliestDueFirstAndCounters) {
  for (int64_t id = 1; id <= 50; ++id) {
    auto c = Contact(id);
    c.next_due = mon9_ + minutes(50 - id);
    sched_.Upsert(c);
  }
  EXPECT_EQ(sched_.pending(), 50u);
  EXPECT_EQ(sched_.NextDue(), mon9_);
  auto p = sched_.PickForPool(mon9_ + hours(2));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->contact_id, 50);
  EXPECT_FALSE(sched_.PickForPool(mon9_ - minutes(1)).has_value());
  AttemptOutcome o;
  o.disposition = "ENCUESTA_EFECTIVA";
  o.at = mon9_;
  sched_.Complete(50, o);
  EXPECT_EQ(sched_.finals(), 1u);
  EXPECT_EQ(sched_.pending(), 49u);
  EXPECT_EQ(sched_.in_flight(), 0u);
}

TEST_F(SchedulerTest, ContactWithoutPhonesIsFinal) {
  ContactState c;
  c.contact_id = 9;
  sched_.Upsert(c);
  EXPECT_EQ(sched_.Find(9)->status, ContactStatus::kFinal);
  EXPECT_FALSE(sched_.PickForPool(mon9_).has_value());
}

}  // namespace
}  // namespace sondeo::dialer

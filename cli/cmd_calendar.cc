// sondeo calendar holidays YEAR [--json]: the Colombian national holidays of a year
// (Ley 51 de 1983), sorted, one entry per date (campaigns/calendar.h).
#include <chrono>
#include <iostream>
#include <string>

#include "campaigns/calendar.h"
#include "cli/context.h"

namespace sondeo::cli {

namespace {

constexpr int kMinYear = 1984;  // Ley 51 de 1983 applies from 1984
constexpr int kMaxYear = 9999;

}  // namespace

void RegisterCalendar(CLI::App& app, Context& ctx) {
  auto* cal = app.add_subcommand("calendar", "Calendario de llamadas: festivos de Colombia");
  cal->require_subcommand(1);
  cal->fallthrough();
  auto* holidays =
      cal->add_subcommand("holidays", "Festivos nacionales de Colombia de un año (Ley 51 de 1983)");
  auto year = std::make_shared<int>(0);
  holidays->add_option("YEAR", *year, "Año, p. ej. 2026")->required();
  holidays->callback([&ctx, year] {
    if (*year < kMinYear || *year > kMaxYear) {
      ctx.exit_code = ctx.Fail(Status::InvalidArgument(
          "YEAR: el año debe estar entre " + std::to_string(kMinYear) + " y " +
          std::to_string(kMaxYear) + ", no " + std::to_string(*year)));
      return;
    }
    const auto list = campaigns::ColombianHolidays(*year);
    if (ctx.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& h : list) {
        out.push_back({{"date", campaigns::FormatDate(h.date)}, {"name", h.name}});
      }
      ctx.PrintJson(out);
      return;
    }
    std::cout << "Festivos de Colombia " << *year << " (" << list.size() << " fechas)\n";
    std::cout << "Fecha       Día        Festivo\n";
    for (const auto& h : list) {
      const std::chrono::weekday wd{campaigns::Day{h.date}};
      std::string day(campaigns::WeekdayName(wd.c_encoding()));
      // Pad by characters, not bytes ("miércoles", "sábado").
      size_t chars = 0;
      for (char c : day) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
      if (chars < 10) day.append(10 - chars, ' ');
      std::cout << campaigns::FormatDate(h.date) << "  " << day << " " << h.name << "\n";
    }
  });
}

}  // namespace sondeo::cli

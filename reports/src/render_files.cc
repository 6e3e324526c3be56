// WriteReportCsv and WriteReportXlsx: the report's tables (tables.h) as files.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <xlsxwriter.h>

#include "reports/report.h"
#include "reports/src/tables.h"

namespace sondeo::reports {

Result<std::vector<std::string>> WriteReportCsv(const Report& report, const std::string& out,
                                                char separator) {
  std::filesystem::path base(out);
  if (base.extension() == ".csv") base.replace_extension();
  std::vector<std::string> written;
  for (const Table& t : ReportTables(report)) {
    const std::string path = base.string() + "_" + t.key + ".csv";
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) return Status::InvalidArgument(path + ": no se puede escribir");
    f << kUtf8Bom;
    for (size_t i = 0; i < t.header.size(); ++i) {
      f << (i ? std::string(1, separator) : "") << CsvField(t.header[i], separator);
    }
    f << "\r\n";
    for (const auto& row : t.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        f << (i ? std::string(1, separator) : "") << CsvCell(row[i], separator);
      }
      f << "\r\n";
    }
    f.close();
    if (!f) return Status::ResourceExhausted(path + ": error de escritura");
    written.push_back(path);
  }
  return written;
}

Status WriteReportXlsx(const Report& report, const std::string& out) {
  lxw_workbook* wb = workbook_new(out.c_str());
  if (wb == nullptr) return Status::InvalidArgument(out + ": no se puede crear el archivo XLSX");
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  format_set_bg_color(bold, 0xDDEBF7);
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "#,##0");
  lxw_format* number = workbook_add_format(wb);
  format_set_num_format(number, "#,##0.00");
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0.0%");
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "\"$\" #,##0.00");
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 13);

  for (const Table& t : ReportTables(report)) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, t.title.c_str());
    if (ws == nullptr) {
      workbook_close(wb);
      return Status::Internal("hoja XLSX \"" + t.title + "\" no válida");
    }
    worksheet_write_string(ws, 0, 0, (t.title + " - " + report.campaign_name).c_str(), title);
    for (size_t c = 0; c < t.header.size(); ++c) {
      worksheet_write_string(ws, 1, static_cast<lxw_col_t>(c), t.header[c].c_str(), bold);
    }
    worksheet_set_column(ws, 0, 0, 24, nullptr);
    worksheet_set_column(ws, 1, static_cast<lxw_col_t>(t.header.size()), 16, nullptr);
    lxw_row_t r = 2;
    for (const auto& row : t.rows) {
      for (size_t c = 0; c < row.size(); ++c) {
        const Cell& cell = row[c];
        const auto col = static_cast<lxw_col_t>(c);
        const bool nan = std::isnan(cell.value) || std::isinf(cell.value);
        switch (cell.kind) {
          case Cell::Kind::kText:
            worksheet_write_string(ws, r, col, cell.text.c_str(), nullptr);
            break;
          case Cell::Kind::kEmpty:
            break;
          case Cell::Kind::kInt:
            worksheet_write_number(ws, r, col, cell.value, integer);
            break;
          case Cell::Kind::kNumber:
            if (!nan) worksheet_write_number(ws, r, col, cell.value, number);
            break;
          case Cell::Kind::kPercent:
            if (!nan) worksheet_write_number(ws, r, col, cell.value / 100.0, percent);
            break;
          case Cell::Kind::kMoney:
            if (!nan) worksheet_write_number(ws, r, col, cell.value, money);
            break;
        }
      }
      ++r;
    }
  }
  if (lxw_error err = workbook_close(wb); err != LXW_NO_ERROR) {
    return Status::InvalidArgument(out + ": " + lxw_strerror(err));
  }
  return Status::Ok();
}

}  // namespace sondeo::reports

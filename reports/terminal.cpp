#include "reports/terminal.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

namespace tkbench {
namespace {

bool looks_numeric(const std::string& s) {
  if (s.empty() || s == "-") return true;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '%' || c == '-' || c == ' '; });
}

std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return n;
}

}  // namespace

std::string styled(const std::string& text, Style style, bool color) {
  if (!color || style == Style::plain) return text;
  const char* code = style == Style::bold ? "1" : style == Style::dim ? "2" : style == Style::red ? "31"
                   : style == Style::green ? "32" : "33";
  return fmt::format("\033[{}m{}\033[0m", code, text);
}

bool stream_wants_color(std::FILE* stream) {
  if (const char* no = std::getenv("NO_COLOR"); no && *no) return false;
  return ::isatty(::fileno(stream)) != 0;
}

void Table::print(std::FILE* out, bool color) const {
  std::vector<std::size_t> width(header_.size());
  std::vector<bool> numeric(header_.size(), true);
  for (std::size_t c = 0; c < header_.size(); ++c) width[c] = display_width(header_[c]);
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], display_width(row[c].text));
      numeric[c] = numeric[c] && looks_numeric(row[c].text);
    }
  auto emit = [&](std::size_t c, const std::string& text, Style style) {
    std::string pad(width[c] - display_width(text), ' ');
    std::string body = styled(text, style, color);
    const bool last = c + 1 == width.size();
    std::string cell = numeric[c] ? pad + body : (last ? body : body + pad);
    std::fputs(cell.c_str(), out);
    std::fputs(c + 1 < width.size() ? "  " : "\n", out);
  };
  for (std::size_t c = 0; c < header_.size(); ++c) emit(c, header_[c], Style::bold);
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < header_.size(); ++c) emit(c, c < row.size() ? row[c].text : "", c < row.size() ? row[c].style : Style::plain);
}

}  // namespace tkbench

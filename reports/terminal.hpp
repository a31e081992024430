#pragma once
// Plain aligned tables for the terminal, with optional colour.
#include <cstdio>
#include <string>
#include <vector>

namespace tkbench {

enum class Style { plain, bold, dim, red, green, yellow };

struct Cell {
  std::string text;
  Style style = Style::plain;
  Cell(std::string t, Style s = Style::plain) : text(std::move(t)), style(s) {}
  Cell(const char* t, Style s = Style::plain) : text(t), style(s) {}
};

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<Cell> row) { rows_.push_back(std::move(row)); }
  // Columns whose every cell looks numeric are right-aligned.
  void print(std::FILE* out, bool color) const;
  std::size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<Cell>> rows_;
};

std::string styled(const std::string& text, Style style, bool color);
// Whether stdout/stderr is a terminal and NO_COLOR is unset.
bool stream_wants_color(std::FILE* stream);

}  // namespace tkbench

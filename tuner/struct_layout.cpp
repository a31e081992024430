#include "tuner/struct_layout.hpp"

#include <algorithm>

namespace tkbench {

std::size_t field_size(const StructField& field) {
  switch (field.kind) {
    case FieldKind::pointer: return 8;
    case FieldKind::scalar: return dtype_info(field.dtype).size;
    case FieldKind::tensor_map: return 128;
    case FieldKind::padding: return static_cast<std::size_t>(field.bytes);
  }
  return 0;
}

std::size_t natural_align(const StructField& field) {
  switch (field.kind) {
    case FieldKind::pointer: return 8;
    case FieldKind::scalar: return dtype_info(field.dtype).size;
    case FieldKind::tensor_map: return 64;  // CUtensorMap is declared alignas(64)
    case FieldKind::padding: return 1;
  }
  return 1;
}

namespace {
std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }
}  // namespace

StructLayout layout_struct(const StructSpec& spec) {
  StructLayout out;
  std::size_t offset = 0;
  for (const auto& f : spec.fields) {
    FieldLayout l;
    l.name = f.name;
    l.kind = f.kind;
    l.size = field_size(f);
    l.align = std::max(natural_align(f), static_cast<std::size_t>(f.align));
    l.offset = round_up(offset, l.align);
    offset = l.offset + l.size;
    out.align = std::max(out.align, l.align);
    out.fields.push_back(l);
  }
  out.align = std::max(out.align, static_cast<std::size_t>(spec.align));
  // An empty C++ struct still has size 1.
  out.size = round_up(std::max<std::size_t>(offset, 1), out.align);
  return out;
}

}  // namespace tkbench

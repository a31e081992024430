#pragma once
// Where each field of a struct argument lies, by C's layout rules: what the
// host packs, what `show` prints, and what NVRTC's offsetof must agree with
// (tests/test_struct_args.cpp). No GPU.
#include <cstddef>
#include <string>
#include <vector>

#include "tuner/template_spec.hpp"

namespace tkbench {

struct FieldLayout {
  std::string name;
  FieldKind kind = FieldKind::scalar;
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t align = 1;
};

struct StructLayout {
  std::vector<FieldLayout> fields;
  std::size_t size = 0;   // sizeof: a multiple of align
  std::size_t align = 1;  // alignof
};

// A field's size and natural alignment: a pointer 8/8, a scalar its dtype's
// size, a tensor map 128/64 (CUtensorMap), padding its bytes/1.
std::size_t field_size(const StructField& field);
std::size_t natural_align(const StructField& field);

StructLayout layout_struct(const StructSpec& spec);

}  // namespace tkbench

#include "tuner/config.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace tkbench {

long long Config::at(std::string_view name) const {
  for (const auto& [k, v] : values)
    if (k == name) return v;
  throw InputError(fmt::format("internal: config has no parameter '{}'", name));
}

std::string Config::str() const {
  std::string out;
  for (const auto& [k, v] : values) out += fmt::format("{}{}={}", out.empty() ? "" : ",", k, v);
  return out;
}

void Config::bind(Bindings& bindings) const {
  for (const auto& [k, v] : values) bindings[k] = static_cast<double>(v);
}

ConfigFilter parse_config_filter(std::string_view text, const TemplateSpec& spec) {
  ConfigFilter filter;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      throw InputError(fmt::format("--config '{}': '{}' is not NAME=VALUE", text, item));
    std::string name(item.substr(0, eq));
    std::string_view value_text = item.substr(eq + 1);
    const ParamSpec* param = spec.find_param(name);
    if (!param) {
      std::string names;
      for (const auto& p : spec.params) names += (names.empty() ? "" : ", ") + p.name;
      throw InputError(fmt::format("--config: {} has no parameter '{}'; its parameters are {}", spec.name, name,
                                   names.empty() ? "(none)" : names));
    }
    long long value = 0;
    if (param->is_bool && (value_text == "true" || value_text == "false")) {
      value = value_text == "true";
    } else {
      auto [end, ec] = std::from_chars(value_text.data(), value_text.data() + value_text.size(), value);
      if (value_text.empty() || ec != std::errc() || end != value_text.data() + value_text.size())
        throw InputError(fmt::format("--config: {}={} is not a whole number", name, value_text));
    }
    if (std::find(param->values.begin(), param->values.end(), value) == param->values.end()) {
      std::string allowed;
      for (auto v : param->values) allowed += fmt::format("{}{}", allowed.empty() ? "" : ", ", v);
      throw InputError(fmt::format("--config: {}={} is not one of its values: {}", name, value, allowed));
    }
    if (filter.count(name)) throw InputError(fmt::format("--config: {} is given twice", name));
    filter[name] = value;
  }
  return filter;
}

}  // namespace tkbench

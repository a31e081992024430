#include "cli/option_checks.hpp"

#include <charconv>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

#include "profiler/throttle_guard.hpp"

namespace tkbench {
namespace {

template <typename T>
std::optional<T> parse_whole(const std::string& text, bool& out_of_range) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  out_of_range = ec == std::errc::result_out_of_range;
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_number(const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "95%" -> "95": a percentage may be written with its sign.
std::string without_percent_sign(std::string text) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  return text;
}

}  // namespace

CLI::Validator whole_number_at_least(const std::string& option, long long min, const std::string& hint) {
  return CLI::Validator(
      [option, min, hint](std::string& text) -> std::string {
        bool out_of_range = false;
        auto value = parse_whole<long long>(text, out_of_range);
        if (value && *value >= min) return "";
        std::string why = !value && out_of_range ? fmt::format("{} must be at least {}; '{}' is out of range", option, min, text)
                          : !value               ? fmt::format("{} must be a whole number of at least {}, not '{}'", option, min, text)
                                                 : fmt::format("{} must be at least {}, not {}", option, min, text);
        return hint.empty() ? why : why + " (" + hint + ")";
      },
      fmt::format("INT>={}", min));
}

CLI::Validator unsigned_whole_number(const std::string& option) {
  return CLI::Validator(
      [option](std::string& text) -> std::string {
        bool out_of_range = false;
        if (!text.empty() && text.front() != '-' && parse_whole<std::uint64_t>(text, out_of_range)) return "";
        return fmt::format("{} must be a whole number from 0 to 18446744073709551615 (2^64-1), not '{}'", option, text);
      },
      "UINT");
}

CLI::Validator seconds_above_zero(const std::string& option) {
  return CLI::Validator(
      [option](std::string& text) -> std::string {
        auto value = parse_number(text);
        if (value && *value > 0 && *value < 1e9) return "";
        return fmt::format("{} must be a number of seconds above 0, such as 0.5 or 10, not '{}'", option, text);
      },
      "SECONDS");
}

CLI::Validator percent_up_to_100(const std::string& option) {
  return CLI::Validator(
      [option](std::string& text) -> std::string {
        const std::string number = without_percent_sign(text);
        auto value = parse_number(number);
        if (!value) return fmt::format("{} must be a percentage such as 95, not '{}'", option, text);
        if (*value > 100)
          return fmt::format("{} {} can never be met: a config reaches at most about 100% of its roof; give a percentage "
                             "up to 100, such as 95", option, text);
        if (*value <= 0) return fmt::format("{} must be above 0 (a percentage such as 95), not {}", option, text);
        text = number;  // "95%" converts as 95
        return "";
      },
      "PERCENT");
}

CLI::Validator percent_0_to_100(const std::string& option, const std::string& example) {
  return CLI::Validator(
      [option, example](std::string& text) -> std::string {
        const std::string number = without_percent_sign(text);
        auto value = parse_number(number);
        if (!value || *value < 0 || *value > 100)
          return fmt::format("{} must be a percentage from 0 to 100 (0 switches it off), such as {}, not '{}'", option,
                             example, text);
        text = number;
        return "";
      },
      "PERCENT");
}

void add_throttle_threshold_option(CLI::App* cmd, double& percent) {
  cmd->add_option("--throttle-threshold", percent,
                  "Drop a timing sample when the SM clock over it (read in the stream, else by NVML) is under this % of its max "
                  "(a power- or heat-capped GPU), rest the GPU (50 ms, doubling, at most 1 s a config) and sample again; 0 keeps "
                  "every sample")
      ->default_val(100 * kDefaultThrottleThreshold)
      ->check(percent_0_to_100("--throttle-threshold", fmt::format("{:g}", 100 * kDefaultThrottleThreshold)));
}

std::string parse_error_message(const CLI::ParseError& error) {
  std::string message = error.what();
  // "--jobs: -j must be ..." -> "-j must be ..."
  auto colon = message.find(": -");
  if (colon != std::string::npos && message.rfind("-", 0) == 0 && message.find(' ') > colon)
    message.erase(0, colon + 2);
  return message;
}

}  // namespace tkbench

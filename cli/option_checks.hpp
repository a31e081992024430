#pragma once
// Checks of numeric options whose messages read like people write them
// ("-j must be at least 1, not 0"), run by CLI11 on the text as typed, before
// any conversion: CLI11's own range checks print "Value 0 not in range
// 0.000000 to 1797693..." and an unsigned option silently wraps "-5".
#include <string>

#include <CLI/CLI.hpp>

namespace tkbench {

// A whole number >= `min` (counts: -j, --budget, --sample; indexes: --device).
CLI::Validator whole_number_at_least(const std::string& option, long long min, const std::string& hint = "");
// A whole number from 0 to 2^64-1 (seeds).
CLI::Validator unsigned_whole_number(const std::string& option);
// A number of seconds above 0 (--max-time, --kernel-timeout).
CLI::Validator seconds_above_zero(const std::string& option);
// A percentage above 0 and at most 100 (--target-sol): more can never be met.
CLI::Validator percent_up_to_100(const std::string& option);

// A percentage from 0 to 100 where 0 switches a check off (--throttle-threshold).
CLI::Validator percent_0_to_100(const std::string& option, const std::string& example);

// --throttle-threshold into `percent` (% of the max SM clock), shared by bench,
// profile and tune: its help, its default and its check, all from kDefaultThrottleThreshold.
void add_throttle_threshold_option(CLI::App* cmd, double& percent);

// The one line main() prints for a parse error. CLI11 prefixes a validator's
// message with the option's long name ("--jobs: -j must be ..."); ours already
// name the option as the user wrote it, so the prefix goes.
std::string parse_error_message(const CLI::ParseError& error);

}  // namespace tkbench

// -----------------------------------------------------------------------------
// File: command.hpp
// -----------------------------------------------------------------------------
//
// Subcommands of the `foresight` tool register themselves: each src/cli/*.cpp
// defines a setup function and a static `CommandRegistrar`, and main() adds
// every registered subcommand to the CLI11 app. A subcommand's callback
// reports failure by throwing `CLI::RuntimeError(exit_code)` after printing
// its error to stderr (CLI11's own way out of a callback).
//
//   static foresight::cli::CommandRegistrar kSimulate(
//       "simulate", "replay the built-in workload", &SetupSimulate);
#ifndef FORESIGHT_SRC_CLI_COMMAND_HPP_
#define FORESIGHT_SRC_CLI_COMMAND_HPP_

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace foresight::cli {

struct CommandInfo {
  std::string name;
  std::string help;
  std::function<void(CLI::App&)> setup;
};

inline std::vector<CommandInfo>& Commands() {
  static std::vector<CommandInfo> commands;
  return commands;
}

struct CommandRegistrar {
  CommandRegistrar(std::string name, std::string help, std::function<void(CLI::App&)> setup) {
    Commands().push_back({std::move(name), std::move(help), std::move(setup)});
  }
};

}  // namespace foresight::cli

#endif  // FORESIGHT_SRC_CLI_COMMAND_HPP_

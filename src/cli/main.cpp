// The `foresight` command-line tool: subcommands register in command.hpp.
#include <algorithm>
#include <iostream>

#include "CLI/CLI.hpp"
#include "cli/command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"foresight: predictive allocation of CPU, memory, IO and network to users"};
  app.require_subcommand(1);
  auto& commands = foresight::cli::Commands();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    c.setup(*sub);
  }
  CLI11_PARSE(app, argc, argv);
  return 0;
}

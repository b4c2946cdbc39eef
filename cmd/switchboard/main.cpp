// The switchboard executable: command-line parsing only. Everything it runs lives in the
// libraries (sb_app for `serve`, sb_cli for the API's clients), so that tests link and run the
// same code in-process.

#include "app/server.hpp"
#include "cli/client.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    try {
        CLI::App app{"Switchboard: a SIP/WebRTC/H.323 gateway for human-in-the-loop escalation",
                     "switchboard"};
        app.set_version_flag("--version", "switchboard " SB_VERSION, "Print the version and exit");
        app.require_subcommand(1);

        std::string configFile;
        auto* serve = app.add_subcommand(
            "serve", "Run the gateway until SIGINT or SIGTERM (exit status 2: bad configuration)");
        serve
            ->add_option("--config", configFile,
                         "Configuration file (TOML); without it the built-in default "
                         "(deploy/switchboard.toml) is used")
            ->type_name("FILE");
        bool checkOnly = false;
        serve->add_flag("--check", checkOnly,
                        "Read and check the configuration, then exit: 0 if good, 2 if not");

        std::vector<sb::cli::Command> clients;
        for (auto add : {sb::cli::addEscalateCommands, sb::cli::addExpertsCommands,
                         sb::cli::addWitnessCommands, sb::cli::addVideoCommands})
            for (auto& command : add(app))
                clients.push_back(std::move(command));

        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            // --help and --version end here with status 0; usage errors get 2.
            return app.exit(e) == 0 ? 0 : 2;
        }

        if (serve->parsed()) {
            sb::app::ServeOptions options;
            if (!configFile.empty()) options.configFile = configFile;
            options.version = SB_VERSION;
            options.checkOnly = checkOnly;
            return sb::app::serve(options);
        }
        for (const auto& command : clients)
            if (command.app->parsed()) return command.run();
        return 2; // unreachable: every subcommand is one of the above
    } catch (const std::exception& e) {
        std::cerr << "switchboard: " << e.what() << '\n';
        return 1;
    } catch (...) {
        std::cerr << "switchboard: unknown error\n";
        return 1;
    }
}

// The switchboard executable: command-line parsing only. Everything it runs lives in the
// libraries (sb_app), so that tests link and run the same code in-process.

#include "app/server.hpp"

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

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
            return sb::app::serve(options);
        }
        return 2; // unreachable: require_subcommand(1)
    } catch (const std::exception& e) {
        std::cerr << "switchboard: " << e.what() << '\n';
        return 1;
    } catch (...) {
        std::cerr << "switchboard: unknown error\n";
        return 1;
    }
}

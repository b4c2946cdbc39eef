#pragma once
// A throw-away PostgreSQL 15 cluster for a test process (PEERS.md): initdb and pg_ctl from the
// postgresql-15 package in a fresh temporary directory, listening on 127.0.0.1 at a free port
// and on a unix socket in that directory, trust authentication, started at first use and
// shared by every test of the process. Each test takes a database of its own (freshDatabase()).
//
// As root (CI), initdb refuses to run: the cluster then belongs to the postgres user, and the
// commands run through runuser. A watchdog (a shell waiting on a pipe only this process holds)
// stops the server and removes the directory if the test process dies without doing so itself.

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sb::test {

class Postgres {
public:
    static constexpr const char* bin = "/usr/lib/postgresql/15/bin";

    // The cluster of this process, started on first use (a few seconds). Throws
    // std::runtime_error with the server's log when it cannot start; GoogleTest reports that as
    // the test's failure.
    static Postgres& instance() {
        static Postgres cluster;
        return cluster;
    }

    // postgresql://postgres@127.0.0.1:PORT/postgres
    std::string url(const std::string& database = "postgres") const {
        return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
    }
    int port() const noexcept { return port_; }

    // A new, empty database (t1, t2, …) and its URL: tests do not see each other's tables.
    // Its text sorts by ICU's en-US rules, as a production database in a natural-language
    // locale would (the cluster itself uses C.UTF-8, the one UTF-8 locale every machine has;
    // ICU needs no OS locale): code that relies on byte order must say COLLATE "C".
    std::string freshDatabase() {
        const std::string name = "t" + std::to_string(++databases_);
        execute("CREATE DATABASE " + name +
                " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
        return url(name);
    }

    // Runs one statement on the postgres database; throws with the server's message.
    void execute(const std::string& sql, const std::string& database = "postgres") const {
        PGconn* conn = PQconnectdb(url(database).c_str());
        std::string error;
        if (PQstatus(conn) != CONNECTION_OK) {
            error = PQerrorMessage(conn);
        } else {
            PGresult* result = PQexec(conn, sql.c_str());
            if (PQresultStatus(result) != PGRES_COMMAND_OK &&
                PQresultStatus(result) != PGRES_TUPLES_OK)
                error = PQresultErrorMessage(result);
            PQclear(result);
        }
        PQfinish(conn);
        if (!error.empty()) throw std::runtime_error(sql + ": " + error);
    }

    ~Postgres() {
        if (getpid() != owner_) return; // a forked child leaving: the cluster is the parent's
        (void)run(pgCtl() + " stop -w -t 30 -m immediate -D " + data().string() + " >>" +
                  (dir_ / "ctl.log").string() + " 2>&1");
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        if (watchdog_ >= 0) close(watchdog_); // nothing left for it to do
    }
    Postgres(const Postgres&) = delete;
    Postgres& operator=(const Postgres&) = delete;

    // How long the start took (initdb and pg_ctl start), for the curious.
    std::chrono::milliseconds startTime() const noexcept { return startTime_; }

private:
    Postgres() : owner_(getpid()) {
        const auto started = std::chrono::steady_clock::now();
        if (!std::filesystem::exists(std::string(bin) + "/initdb"))
            throw std::runtime_error(std::string("PostgreSQL 15 is not installed (no ") + bin +
                                     "/initdb): scripts/install-deps installs it");
        // In /tmp whatever TMPDIR says: the postgres user must be able to reach it (a TMPDIR
        // under /root is not), and the server's socket path must fit a sockaddr_un (107 bytes).
        std::string pattern = "/tmp/sb-pg-XXXXXX";
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        dir_ = pattern;
        asRoot_ = geteuid() == 0;
        if (asRoot_) {
            const passwd* pw = getpwnam("postgres");
            if (!pw) throw std::runtime_error("running as root and there is no postgres user");
            if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
                throw std::runtime_error("chown of " + dir_.string() + " failed");
        }
        startWatchdog();
        const std::string log = (dir_ / "ctl.log").string();
        if (run(as() + "timeout -k 5 60 " + bin + "/initdb -D " + data().string() +
                " -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >" + log + " 2>&1") !=
            0)
            throw std::runtime_error("initdb failed: " + tail(log));
        // A free port can be taken by someone else between our check and the server's bind:
        // try a few.
        for (int attempt = 0; attempt < 5; ++attempt) {
            port_ = freePort();
            const std::string options =
                "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                " -c unix_socket_directories=" + dir_.string() + " -c max_connections=50";
            std::string start = pgCtl();
            start.append(" start -w -t 30 -D ").append(data().string());
            start.append(" -l ").append((dir_ / "server.log").string());
            start.append(" -o '").append(options).append("' >>").append(log).append(" 2>&1");
            if (run(start) == 0) {
                startTime_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started);
                return;
            }
        }
        const std::string why = tail(dir_ / "server.log");
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
        throw std::runtime_error("the PostgreSQL server did not start: " + why);
    }

    std::filesystem::path data() const { return dir_ / "data"; }
    std::string as() const { return asRoot_ ? "runuser -u postgres -- " : ""; }
    std::string pgCtl() const { return as() + "timeout -k 5 60 " + bin + "/pg_ctl"; }

    static int run(const std::string& command) {
        const int status = std::system(command.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    static std::string tail(const std::filesystem::path& file) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
    }

    static int freePort() {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            close(fd);
            throw std::runtime_error("no free port on 127.0.0.1");
        }
        close(fd);
        return ntohs(addr.sin_port);
    }

    // If this process dies (a crash, SIGKILL from a test runner's timeout), the pipe's write
    // end closes and the watchdog — in a session of its own, so that signals to our process
    // group spare it — stops the server and removes the directory. The write end is close-on-
    // exec, so the server and the commands we run never hold it.
    void startWatchdog() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        const std::string script = "read _; " + pgCtl() + " stop -m immediate -D " +
                                   data().string() + " >/dev/null 2>&1; rm -rf " + dir_.string();
        const pid_t pid = fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            // Only async-signal-safe calls between fork and exec (the parent may have threads).
            setsid();
            dup2(fds[0], 0); // dup2 clears close-on-exec on the copy
            execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(fds[0]);
        watchdog_ = fds[1];
    }

    pid_t owner_;
    std::filesystem::path dir_;
    bool asRoot_ = false;
    int port_ = 0;
    int watchdog_ = -1;
    std::atomic<int> databases_{0};
    std::chrono::milliseconds startTime_{0};
};

} // namespace sb::test

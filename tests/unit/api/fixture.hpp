#pragma once
// A server on 127.0.0.1 (port chosen by the system) with a fixed set of test routes, and a
// thread of the "application" that answers some requests later.

#include "api/problem.hpp"
#include "api/server.hpp"
#include "unit/api/client.hpp"

#include <condition_variable>
#include <deque>
#include <gtest/gtest.h>
#include <mutex>
#include <nlohmann/json.hpp>

namespace sb::api::test {

inline const std::string aliceToken = "alice-s3cret.token";
inline const std::string bobToken = "bob-s3cret.token";

// The application's thread: answers a Respond after a delay, from itself.
class LateAnswerer {
public:
    LateAnswerer() : thread_([this] { run(); }) {}
    ~LateAnswerer() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }
    void later(Respond respond, std::chrono::milliseconds delay) {
        {
            std::lock_guard lock(mutex_);
            work_.emplace_back(std::move(respond), delay);
        }
        wake_.notify_one();
    }

private:
    void run() {
        for (;;) {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stop_ || !work_.empty(); });
            if (work_.empty()) return;
            auto [respond, delay] = std::move(work_.front());
            work_.pop_front();
            lock.unlock();
            // The application being slow, not a synchronisation.
            std::this_thread::sleep_for(delay);
            std::ostringstream id;
            id << std::this_thread::get_id();
            respond(jsonResponse(200, {{"late", true}, {"thread", id.str()}}));
        }
    }
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::pair<Respond, std::chrono::milliseconds>> work_;
    bool stop_ = false;
    std::thread thread_;
};

class ApiServerTest : public ::testing::Test {
protected:
    Router routes() {
        Router r;
        auto ok = [](auto result) { ASSERT_TRUE(result) << result.error().message; };
        ok(r.add(
            "GET", "/v1/ping",
            [](const Request&, const PathParams&, const Respond& respond) {
                respond(jsonResponse(200, {{"pong", true}}));
            },
            Access::open));
        ok(r.add("GET", "/v1/escalations/{id}",
                 [](const Request& q, const PathParams& p, const Respond& respond) {
                     respond(jsonResponse(200, {{"id", p.at("id")}, {"agent", q.agent}}));
                 }));
        ok(r.add("GET", "/v1/escalations/stats",
                 [](const Request&, const PathParams&, const Respond& respond) {
                     respond(jsonResponse(200, {{"stats", true}}));
                 }));
        ok(r.add("POST", "/v1/escalations",
                 [](const Request& q, const PathParams&, const Respond& respond) {
                     respond(jsonResponse(201, {{"bytes", q.body.size()}, {"agent", q.agent}}));
                 }));
        ok(r.add(
            "GET", "/v1/query",
            [](const Request& q, const PathParams&, const Respond& respond) {
                nlohmann::json j = nlohmann::json::object();
                for (const auto& [k, v] : q.query)
                    j[k].push_back(v);
                respond(jsonResponse(200, j));
            },
            Access::open));
        ok(r.add(
            "GET", "/v1/late",
            [this](const Request&, const PathParams&, Respond respond) {
                late_.later(std::move(respond), std::chrono::milliseconds(100));
            },
            Access::open));
        ok(r.add(
            "GET", "/v1/hold",
            [this](const Request&, const PathParams&, Respond respond) {
                std::lock_guard lock(heldMutex_);
                held_.push_back(std::move(respond));
            },
            Access::open));
        ok(r.add(
            "GET", "/v1/throws",
            [](const Request&, const PathParams&, const Respond&) {
                throw std::runtime_error("boom");
            },
            Access::open));
        ok(r.add(
            "GET", "/v1/drops", [](const Request&, const PathParams&, const Respond&) {},
            Access::open));
        ok(r.add(
            "GET", "/v1/twice",
            [](const Request&, const PathParams&, const Respond& respond) {
                respond(textResponse(200, "first"));
                respond(textResponse(500, "second"));
            },
            Access::open));
        ok(r.add(
            "GET", "/v1/splitting",
            [](const Request&, const PathParams&, const Respond& respond) {
                Response res = textResponse(200, "x");
                res.headers.emplace_back("X-Good", "yes");
                res.headers.emplace_back("X-Bad", "a\r\nSet-Cookie: evil=1");
                res.headers.emplace_back("Content-Length", "999");
                respond(std::move(res));
            },
            Access::open));
        ok(r.add(
            "DELETE", "/v1/empty",
            [](const Request&, const PathParams&, const Respond& respond) {
                respond(textResponse(204, "ignored"));
            },
            Access::open));
        // A streamed upload: its size and digest, and its last bytes read back from the spool.
        const auto upload = [](const Request& q, const PathParams&, const Respond& respond) {
            std::string tail;
            if (q.streamed && q.streamed->spool->size() >= 4)
                if (auto bytes = q.streamed->spool->read(q.streamed->spool->size() - 4, 4))
                    tail.assign(reinterpret_cast<const char*>(bytes->data()), bytes->size());
            respond(jsonResponse(200, {{"streamed", q.streamed ? q.streamed->spool->size() : 0},
                                       {"sha256", q.streamed ? q.streamed->sha256 : ""},
                                       {"tail", tail},
                                       {"body", q.body.size()}}));
        };
        ok(r.add("POST", "/v1/upload", upload, Access::open));
        ok(r.setBodyLimit("POST", "/v1/upload", 3000, std::filesystem::temp_directory_path()));
        ok(r.add("POST", "/v1/upload-nowhere", upload, Access::open));
        ok(r.setBodyLimit("POST", "/v1/upload-nowhere", 3000, "/nonexistent/spool"));
        ok(r.addEvents("/v1/events"));
        // A signalling socket whose messages the test takes one at a time (signalled()).
        ok(r.addSignalling(
            "/v1/signal",
            [this](const Request&, const PathParams&, const std::shared_ptr<SignalChannel>&) {
                return SignalHandlers{[this](std::string text, SignalHandlers::Next next) {
                                          std::lock_guard lock(heldMutex_);
                                          signalled_.emplace_back(std::move(text), std::move(next));
                                      },
                                      {}};
            },
            Access::open));
        return r;
    }

    void startServer(const std::function<void(HttpServer::Options&)>& tweak = {}) {
        HttpServer::Options o;
        if (tweak) tweak(o);
        auto tokens =
            TokenTable::create({{"alice", hashToken(aliceToken)}, {"bob", hashToken(bobToken)}});
        ASSERT_TRUE(tokens);
        server_ = std::make_unique<HttpServer>(std::move(o), routes(), std::move(*tokens));
        auto started = server_->start();
        ASSERT_TRUE(started) << started.error().message;
        ASSERT_NE(server_->port(), 0);
    }

    std::size_t heldCount() {
        std::lock_guard lock(heldMutex_);
        return held_.size();
    }
    Respond takeHeld() {
        std::lock_guard lock(heldMutex_);
        Respond r = std::move(held_.front());
        held_.pop_front();
        return r;
    }

    static std::vector<std::pair<std::string, std::string>> bearer(const std::string& token) {
        return {{"Authorization", "Bearer " + token}};
    }
    static nlohmann::json json(const HttpResponse& r) {
        return nlohmann::json::parse(r.body(), nullptr, false);
    }

    // The signalling socket's messages so far, each with what reads the next.
    std::vector<std::pair<std::string, SignalHandlers::Next>> signalled() {
        std::lock_guard lock(heldMutex_);
        return signalled_;
    }

    LateAnswerer late_; // declared before server_: outlives it
    std::mutex heldMutex_;
    std::deque<Respond> held_;
    std::vector<std::pair<std::string, SignalHandlers::Next>> signalled_;
    std::unique_ptr<HttpServer> server_;
};

} // namespace sb::api::test

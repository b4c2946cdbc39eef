// The registry's document store on SQLite and on PostgreSQL (a real server the test starts):
// upserts, removal, documents listed by id in byte order, kinds kept apart, bodies back byte
// for byte, and everything still there after the store is opened again.
#include "registry/document_store.hpp"
#include "support/postgres.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::registry {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;
using Documents = std::vector<DocumentStore::Document>;

// The parameter names the backend: "sqlite" or "postgres".
class DocumentStoreOn : public testing::TestWithParam<std::string> {
protected:
    DocumentStoreOn()
        : dir_(fs::temp_directory_path() / ("sb-registry-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~DocumentStoreOn() override { fs::remove_all(dir_); }
    void SetUp() override {
        url_ = GetParam() == "sqlite" ? (dir_ / "registry.db").string()
                                      : test::Postgres::instance().freshDatabase();
    }
    std::unique_ptr<DocumentStore> open() {
        auto store = openDocumentStore(url_);
        EXPECT_TRUE(store) << store.error().message;
        return store ? std::move(store).value() : nullptr;
    }
    fs::path dir_;
    std::string url_;
};

TEST_P(DocumentStoreOn, PutsReplacesAndRemoves) {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->put("expert", "alice", R"({"name":"Alice"})"));
    ASSERT_TRUE(store->put("expert", "alice", R"({"name": "Alice", "skills": ["sip"]})"));
    auto all = store->all("expert");
    ASSERT_TRUE(all) << all.error().message;
    // The second body, exactly as given (whitespace and key order kept).
    EXPECT_EQ(*all, (Documents{{"alice", R"({"name": "Alice", "skills": ["sip"]})"}}));

    auto removed = store->remove("expert", "alice");
    ASSERT_TRUE(removed);
    EXPECT_TRUE(*removed);
    removed = store->remove("expert", "alice");
    ASSERT_TRUE(removed);
    EXPECT_FALSE(*removed); // no longer there
    all = store->all("expert");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->empty());
}

TEST_P(DocumentStoreOn, ListsByIdInByteOrderAndKeepsKindsApart) {
    auto store = open();
    ASSERT_TRUE(store);
    // Byte order, not a locale's: upper case before lower, '-' before '_', "é" after "z".
    for (const char* id : {"zoe", "émile", "bob", "Zed", "a_b", "a-b", "ab", "alice"})
        ASSERT_TRUE(store->put("expert", id, fmt::format(R"({{"id":"{}"}})", id)));
    ASSERT_TRUE(store->put("chain", "bob", R"({"steps":[]})"));
    ASSERT_TRUE(store->put("chain", "night", R"({"steps":["bob"]})"));

    auto experts = store->all("expert");
    ASSERT_TRUE(experts) << experts.error().message;
    std::vector<std::string> ids;
    for (const auto& [id, body] : *experts)
        ids.push_back(id);
    EXPECT_EQ(
        ids, (std::vector<std::string>{"Zed", "a-b", "a_b", "ab", "alice", "bob", "zoe", "émile"}));
    EXPECT_EQ((*experts)[5].second, R"({"id":"bob"})");

    auto chains = store->all("chain");
    ASSERT_TRUE(chains);
    EXPECT_EQ(*chains, (Documents{{"bob", R"({"steps":[]})"}, {"night", R"({"steps":["bob"]})"}}));
    ASSERT_TRUE(store->remove("chain", "bob"));
    experts = store->all("expert");
    ASSERT_TRUE(experts);
    EXPECT_EQ(experts->size(), 8u); // the expert "bob" is another document
    auto none = store->all("policy");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_P(DocumentStoreOn, KeepsDocumentsWhenOpenedAgain) {
    {
        auto store = open();
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->put("expert", "alice", R"({"name":"Alice"})"));
        ASSERT_TRUE(store->put("expert", "bob", R"({"name":"Bob"})"));
        ASSERT_TRUE(store->remove("expert", "bob"));
    }
    auto store = open();
    ASSERT_TRUE(store);
    auto all = store->all("expert");
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, (Documents{{"alice", R"({"name":"Alice"})"}}));
}

TEST_P(DocumentStoreOn, RefusesWhatIsNotADocument) {
    auto store = open();
    ASSERT_TRUE(store);
    for (const auto& [kind, id, body] :
         std::initializer_list<std::tuple<const char*, const char*, const char*>>{
             {"expert", "alice", "{\"name\":"}, // cut short
             {"expert", "alice", ""},
             {"expert", "", "{}"},
             {"", "alice", "{}"},
         }) {
        auto put = store->put(kind, id, body);
        ASSERT_FALSE(put) << kind << '/' << id << ' ' << body;
        EXPECT_EQ(put.error().code, Errc::invalid_input);
    }
    auto put = store->put("expert", "alice", "{\"name\":");
    ASSERT_FALSE(put);
    EXPECT_THAT(put.error().message, HasSubstr("expert \"alice\""));
    auto all = store->all("expert");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, DocumentStoreOn, testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(DocumentStoreUrl, RefusesAnUnknownScheme) {
    auto store = openDocumentStore("mongodb://localhost/registry");
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::config);
}

} // namespace
} // namespace sb::registry

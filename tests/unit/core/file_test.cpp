#include "core/file.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb {
namespace {

using ::testing::HasSubstr;

class NamedFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("sb-file-test-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path write(const std::string& name, const std::string& bytes) {
        const auto path = dir_ / name;
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
    std::filesystem::path dir_;
};

TEST_F(NamedFile, ReadsEveryByte) {
    const std::string bytes("a\0b\r\n\xff", 6);
    auto text = readNamedFile(write("f", bytes), "policy file");
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, bytes);
}

TEST_F(NamedFile, ReadsAFileOfExactlyTheLimit) {
    auto text = readNamedFile(write("f", std::string(16, 'x')), "policy file", 16);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(text->size(), 16u);
}

TEST_F(NamedFile, RefusesAFileOverTheLimit) {
    const auto path = write("f", std::string(17, 'x'));
    auto text = readNamedFile(path, "policy file", 16);
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().code, Errc::config);
    EXPECT_EQ(text.error().message, path.string() + ": the policy file is larger than 16 bytes");
}

TEST_F(NamedFile, NamesAMissingFileAndWhy) {
    const auto path = dir_ / "absent";
    auto text = readNamedFile(path, "experts file");
    ASSERT_FALSE(text);
    EXPECT_EQ(text.error().message,
              path.string() + ": cannot read the experts file: No such file or directory");
}

TEST_F(NamedFile, RefusesADirectory) {
    auto text = readNamedFile(dir_, "configuration file");
    ASSERT_FALSE(text);
    EXPECT_THAT(text.error().message, HasSubstr("cannot read the configuration file: it is a "
                                                "directory"));
}

} // namespace
} // namespace sb

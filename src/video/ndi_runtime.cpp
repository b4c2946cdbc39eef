#include "video/ndi_runtime.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <tuple>

namespace sb::video {
namespace {

// Where each entry we call sits in the runtime's table (pointers, from its start), as the
// SDK's Processing.NDI.DynamicLoad.h lays the table out: v1.5's entries first, then v2's,
// v3's and so on, each kept in place by the later versions.
enum Entry : std::size_t {
    kInitialize = 0,
    kDestroy = 1,
    kVersion = 2,
    kFindCreateV2 = 5,
    kFindDestroy = 6,
    kRecvDestroy = 23,
    kFindWaitForSources = 42,
    kFindGetCurrentSources = 43,
    kRecvFreeVideoV2 = 47,
    kRecvFreeAudioV2 = 48,
    kRecvCaptureV2 = 49,
    kRecvCreateV3 = 84,
};

struct Candidate {
    std::string file;
    const char* loadFunction;
};

std::vector<Candidate> candidates() {
    std::vector<Candidate> out;
    for (const auto& [variable, library, load] :
         {std::tuple{"NDI_RUNTIME_DIR_V6", "libndi.so.6", "NDIlib_v6_load"},
          std::tuple{"NDI_RUNTIME_DIR_V5", "libndi.so.5", "NDIlib_v5_load"}}) {
        if (const char* dir = std::getenv(variable); dir && *dir)
            out.push_back({fmt::format("{}/{}", dir, library), load});
        out.push_back({library, load}); // the loader's search: /usr/lib, ld.so.conf, …
    }
    return out;
}

template <class F>
F entry(void* const* table, std::size_t index) {
    return reinterpret_cast<F>(table[index]);
}

} // namespace

NdiRuntime::~NdiRuntime() {
    if (table_.destroy) table_.destroy();
    if (handle_) dlclose(handle_);
}

Result<std::shared_ptr<NdiRuntime>> NdiRuntime::load() {
    std::string tried;
    for (const auto& candidate : candidates()) {
        void* handle = dlopen(candidate.file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            tried += fmt::format("{}{}", tried.empty() ? "" : ", ", candidate.file);
            continue;
        }
        std::shared_ptr<NdiRuntime> runtime(new NdiRuntime);
        runtime->handle_ = handle;
        runtime->file_ = candidate.file;
        using Load = const void* (*)();
        const auto load = reinterpret_cast<Load>(dlsym(handle, candidate.loadFunction));
        if (!load)
            return fail(Errc::unsupported,
                        fmt::format("{} is not an NDI runtime we can use: it has no {}",
                                    candidate.file, candidate.loadFunction));
        const auto* table = static_cast<void* const*>(load());
        if (!table)
            return fail(Errc::unsupported, fmt::format("{}: {} gave no entry points",
                                                       candidate.file, candidate.loadFunction));
        for (std::size_t i : {kInitialize, kDestroy, kVersion, kFindCreateV2, kFindDestroy,
                              kRecvDestroy, kFindWaitForSources, kFindGetCurrentSources,
                              kRecvFreeVideoV2, kRecvFreeAudioV2, kRecvCaptureV2, kRecvCreateV3})
            if (!table[i])
                return fail(Errc::unsupported,
                            fmt::format("{}: entry {} of its table is empty; not an NDI 5 or 6 "
                                        "runtime",
                                        candidate.file, i));
        auto& t = runtime->table_;
        t.initialize = entry<bool (*)()>(table, kInitialize);
        t.version = entry<const char* (*)()>(table, kVersion);
        t.findCreate = entry<void* (*)(const ndi::FindCreate*)>(table, kFindCreateV2);
        t.findDestroy = entry<void (*)(void*)>(table, kFindDestroy);
        t.findWaitForSources = entry<bool (*)(void*, std::uint32_t)>(table, kFindWaitForSources);
        t.findCurrentSources =
            entry<const ndi::Source* (*)(void*, std::uint32_t*)>(table, kFindGetCurrentSources);
        t.recvCreate = entry<void* (*)(const ndi::RecvCreate*)>(table, kRecvCreateV3);
        t.recvDestroy = entry<void (*)(void*)>(table, kRecvDestroy);
        t.recvCapture =
            entry<int (*)(void*, ndi::VideoFrame*, ndi::AudioFrame*, void*, std::uint32_t)>(
                table, kRecvCaptureV2);
        t.recvFreeVideo = entry<void (*)(void*, const ndi::VideoFrame*)>(table, kRecvFreeVideoV2);
        t.recvFreeAudio = entry<void (*)(void*, const ndi::AudioFrame*)>(table, kRecvFreeAudioV2);
        if (!t.initialize())
            return fail(Errc::unsupported,
                        fmt::format("{}: the NDI runtime did not start (it needs a CPU with "
                                    "SSE4.2)",
                                    candidate.file));
        t.destroy = entry<void (*)()>(table, kDestroy); // only once it has started
        return runtime;
    }
    return fail(Errc::unsupported,
                fmt::format("no NDI runtime: install NDI's runtime for Linux (libndi.so.6, from "
                            "https://ndi.video/tools/ or the NDI SDK) and set NDI_RUNTIME_DIR_V6 "
                            "to its folder; tried {}",
                            tried));
}

std::string NdiRuntime::version() const {
    const char* v = table_.version();
    return v ? v : "";
}

std::vector<NdiSource> NdiRuntime::sources(std::uint32_t waitMs,
                                           const std::string& extraIps) const {
    ndi::FindCreate settings;
    settings.extraIps = extraIps.empty() ? nullptr : extraIps.c_str();
    void* finder = table_.findCreate(&settings);
    if (!finder) return {};
    (void)table_.findWaitForSources(finder, waitMs);
    std::uint32_t count = 0;
    const ndi::Source* found = table_.findCurrentSources(finder, &count);
    std::vector<NdiSource> out;
    for (std::uint32_t i = 0; found && i < count; ++i)
        out.push_back({found[i].name ? found[i].name : "", found[i].url ? found[i].url : ""});
    table_.findDestroy(finder);
    return out;
}

Result<void> configureNdi(const std::filesystem::path& folder,
                          const std::vector<std::string>& extraIps,
                          const std::vector<std::string>& discoveryServers) {
    if (extraIps.empty() && discoveryServers.empty()) return {};
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    const auto file = folder / "ndi-config.v1.json";
    // The values are addresses the configuration reader has checked: nothing to escape.
    const std::string text =
        fmt::format("{{\"ndi\": {{\"networks\": {{\"ips\": \"{}\", \"discovery\": \"{}\"}}}}}}\n",
                    fmt::join(extraIps, ","), fmt::join(discoveryServers, ","));
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (error || !out)
        return fail(Errc::io, fmt::format("{}: cannot write NDI's configuration", file.string()));
    ::setenv("NDI_CONFIG_DIR", folder.c_str(), 1);
    return {};
}

} // namespace sb::video

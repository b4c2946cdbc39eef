#include "video/video_legs.hpp"

#include "core/log.hpp"
#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/parser.hpp"
#include "video/encoder.hpp"
#include "video/sound_sender.hpp"
#include "video/stream_sdp.hpp"
#include "video/stream_sender.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <atomic>
#include <fmt/format.h>

namespace sb::video {

struct VideoLegs::Shared {
    std::atomic<bool> stop{false}, done{false};
    // A preset asked for (its name, from the presets' own table), taken by the leg's thread.
    std::atomic<const char*> presetAsked{nullptr};
    // Read and written on the control loop only: the leg has gone, its events are dropped.
    bool cancelled = false;
    room::LegSink* sink = nullptr;
    room::LegId id;
};

namespace {

spdlog::logger& logger() {
    return log::get("video");
}

std::string tagOf(const room::Dial& dial, std::string_view name) {
    for (const auto& [key, value] : dial.tags)
        if (key == name) return value;
    return {};
}

// The room's offer, and our answer to it: the codec we take among those offered (ours
// first), sendonly, on our socket's port, with rtcp-mux (our feedback comes on the same port);
// and, when the source has sound (`soundPort` not 0), the room's audio stream too, sendonly,
// in the best codec it offers.
struct Agreed {
    Codec codec = Codec::h264;
    std::string host; // where the room receives
    std::uint16_t port = 0;
    std::uint8_t payloadType = 96;
    std::optional<media::CodecId> soundCodec; // none: no sound goes
    std::uint8_t soundPayloadType = 0;
    std::uint16_t soundPort = 0; // the room's
    std::string answer;
};

const sdp::Media* firstTaken(const sdp::Session& session, std::string_view type) {
    for (const auto& m : session.media)
        if (m.type == type && m.port != 0) return &m;
    return nullptr;
}

Result<Agreed> agree(std::string_view offerText, Codec preferred, const std::string& address,
                     std::uint16_t ourPort, std::uint16_t soundPort) {
    auto offer = sdp::parse(offerText);
    if (!offer) return fail(offer.error());
    const sdp::Media* video = firstTaken(*offer, "video");
    if (!video) return fail(Errc::unsupported, "the room's offer has no video stream");
    if (!video->rtcpMux()) return fail(Errc::unsupported, "the room's offer has no rtcp-mux");
    const auto* connection = offer->connectionOf(*video);
    if (!connection) return fail(Errc::invalid_input, "the room's offer has no c= line");
    sdp::LocalStream sound;
    sound.address = address;
    sound.port = soundPort;
    sound.codecs = {{"opus", 48000, 2}, {"G722", 8000, 1}, {"PCMU", 8000, 1}, {"PCMA", 8000, 1}};
    sound.ptime = 20;
    sound.direction = sdp::Direction::sendonly;
    sdp::LocalStream local;
    local.type = "video";
    local.address = address;
    local.port = ourPort;
    local.codecs = preferred == Codec::h264 ? std::vector{kCallH264, kCallH265}
                                            : std::vector{kCallH265, kCallH264};
    local.direction = sdp::Direction::sendonly;
    local.feedback = {"nack pli", "ccm fir"};
    const sdp::Origin origin{
        "switchboard", "1", "1", "IN", address.find(':') == std::string::npos ? "IP4" : "IP6",
        address};
    auto answer = sdp::makeAnswer(*offer, origin, {sound, local});
    if (!answer) return fail(answer.error());
    const sdp::Media* ours = firstTaken(*answer, "video");
    if (!ours) return fail(Errc::unsupported, "the room offers no H.264 or H.265 we send");
    Agreed agreed;
    agreed.payloadType = static_cast<std::uint8_t>(std::stoi(ours->formats.front()));
    const auto codec = sdp::codecOf(*ours, agreed.payloadType);
    agreed.codec = codec && codec->sameAs(kCallH265) ? Codec::h265 : Codec::h264;
    agreed.host = connection->address;
    agreed.port = video->port;
    if (const sdp::Media* taken = firstTaken(*answer, "audio")) {
        agreed.soundPayloadType = static_cast<std::uint8_t>(std::stoi(taken->formats.front()));
        const auto chosen = sdp::codecOf(*taken, agreed.soundPayloadType);
        if (chosen)
            agreed.soundCodec =
                media::codecByName(chosen->name, chosen->clockRate, chosen->channels);
        agreed.soundPort = firstTaken(*offer, "audio")->port;
    }
    agreed.answer = sdp::write(*answer);
    return agreed;
}

} // namespace

class VideoLeg final : public room::Leg {
public:
    VideoLeg(VideoLegs& provider, std::shared_ptr<VideoLegs::Shared> shared, std::string source)
        : provider_(provider), shared_(std::move(shared)), source_(std::move(source)) {}
    ~VideoLeg() override {
        hangUp();
        shared_->cancelled = true;
        provider_.retire(std::move(thread_), shared_);
    }
    void start(std::thread thread) { thread_ = std::move(thread); }

    void hangUp() override {
        if (std::exchange(hungUp_, true)) return;
        shared_->stop = true;
        // `ended` comes through the control loop, as the leg's other events do.
        asio::post(provider_.control_, [shared = shared_] {
            if (!shared->cancelled)
                shared->sink->onLegEvent(shared->id, {room::LegEvent::Kind::ended, 0, "hung up"});
        });
    }
    std::string describe() const override { return "video " + source_; }
    Result<void> reoffer(std::string, Answered) override {
        return fail(Errc::unsupported, "a video source takes no new offer");
    }

private:
    VideoLegs& provider_;
    std::shared_ptr<VideoLegs::Shared> shared_;
    std::string source_;
    std::thread thread_;
    bool hungUp_ = false;
};

VideoLegs::VideoLegs(asio::io_context& control, VideoOptions options)
    : control_(control), options_(std::move(options)) {}

VideoLegs::~VideoLegs() {
    for (auto& [thread, shared] : retired_)
        if (thread.joinable()) thread.join();
}

bool VideoLegs::knows(std::string_view name) const {
    if (name == "pattern") return true;
    return std::any_of(options_.sources.begin(), options_.sources.end(),
                       [&](const SourceConfig& s) { return s.name == name; });
}

Result<void> VideoLegs::setPreset(room::LegId leg, std::string_view name) {
    const auto preset = findPreset(name);
    if (!preset) return fail(Errc::invalid_input, fmt::format("preset: one of {}", presetNames()));
    const auto found = legs_.find(leg);
    if (found == legs_.end()) return fail(Errc::not_found, "no such video leg");
    found->second->presetAsked = preset->name.data();
    return {};
}

void VideoLegs::retire(std::thread thread, std::shared_ptr<const Shared> shared) {
    legs_.erase(shared->id);
    // The threads that have finished are joined now (at once); the others, told to stop, on a
    // later turn or when the provider goes.
    std::erase_if(retired_, [](auto& r) {
        if (!r.second->done) return false;
        r.first.join();
        return true;
    });
    if (thread.joinable()) retired_.emplace_back(std::move(thread), std::move(shared));
}

Result<std::unique_ptr<room::Leg>> VideoLegs::place(room::LegId id, const room::Dial& dial,
                                                    room::LegSink& sink) {
    std::string url;
    if (dial.target != "pattern") {
        const auto found =
            std::find_if(options_.sources.begin(), options_.sources.end(),
                         [&](const SourceConfig& s) { return s.name == dial.target; });
        if (found == options_.sources.end())
            return fail(Errc::not_found, fmt::format("no video source named {}", dial.target));
        url = found->url;
    }
    const auto preset = findPreset(options_.preset);
    if (!preset)
        return fail(Errc::config,
                    fmt::format("video preset {}: one of {}", options_.preset, presetNames()));
    auto socket = DatagramSocket::bind(options_.address);
    if (!socket) return fail(socket.error());
    auto soundSocket = DatagramSocket::bind(options_.address);
    if (!soundSocket) return fail(soundSocket.error());
    // What the room's offer allows; the answer waits for the source (has it sound?).
    auto agreed = agree(dial.offer, options_.codec, options_.address, socket->localPort(),
                        soundSocket->localPort());
    if (!agreed) return fail(agreed.error());
    if (auto connected = socket->connect(agreed->host, agreed->port); !connected)
        return fail(connected.error());
    if (agreed->soundCodec) {
        if (auto connected = soundSocket->connect(agreed->host, agreed->soundPort); !connected)
            return fail(connected.error());
    }

    auto shared = std::make_shared<Shared>();
    shared->sink = &sink;
    shared->id = id;
    legs_[id] = shared;
    auto leg = std::make_unique<VideoLeg>(*this, shared, dial.target);
    const std::string traceId = tagOf(dial, "Trace-ID");
    EncoderSettings settings;
    settings.codec = agreed->codec;
    settings.width = preset->width;
    settings.height = preset->height;
    settings.fps = preset->fps;
    settings.bitrateKbps = preset->bitrateKbps;
    settings.implementation = options_.encoder;
    settings.device = options_.vaapiDevice;
    settings.constrainedBaseline = true; // what kCallH264 offers
    FrameMetadata metadata{traceId, tagOf(dial, "Expert-ID"), 0};
    logger().info("trace={} video leg {}: {} as {} {} to {}:{}", traceId, id.value(), dial.target,
                  codecName(settings.codec), preset->name, agreed->host, agreed->port);

    // The thread: the source and the encoder opened (a failure fails the leg), the answer
    // given, then the stream until the leg hangs up.
    leg->start(std::thread([&control = control_, shared, url, settings, metadata,
                            offer = dial.offer, address = options_.address,
                            agreed = std::move(agreed).value(), socket = std::move(socket).value(),
                            soundSocket = std::move(soundSocket).value()]() mutable {
        nameThisThread(fmt::format("sb-video-{}", shared->id.value()));
        blockStopSignals(); // the control loop's (core/stop_signals.hpp)
        const auto report = [&](room::LegEvent event) {
            asio::post(control, [shared, event = std::move(event)]() mutable {
                if (!shared->cancelled) shared->sink->onLegEvent(shared->id, std::move(event));
            });
        };
        auto source = openSource(url, settings.width, settings.height, settings.fps,
                                 metadata.traceId, &shared->stop);
        if (!source) {
            report({room::LegEvent::Kind::failed, 0, source.error().message});
            shared->done = true;
            return;
        }
        std::string noHardware;
        auto encoder = Encoder::openOrSoftware(settings, noHardware);
        if (!noHardware.empty()) // the call keeps its video, at the CPU's cost
            logger().warn("trace={} video leg {}: {}; {} instead", metadata.traceId,
                          shared->id.value(), noHardware, encoder ? (*encoder)->name() : "nothing");
        if (!encoder) {
            report({room::LegEvent::Kind::failed, 0, encoder.error().message});
            shared->done = true;
            return;
        }
        std::unique_ptr<SoundSender> sound;
        if (agreed.soundCodec && (*source)->hasSound()) {
            auto made = SoundSender::make(*agreed.soundCodec, agreed.soundPayloadType, soundSocket,
                                          "switchboard-video");
            if (made) sound = std::move(made).value();
        }
        if (!sound) { // pictures alone: the answer refuses the room's audio
            auto alone = agree(offer, settings.codec, address, socket.localPort(), 0);
            if (!alone) {
                report({room::LegEvent::Kind::failed, 0, alone.error().message});
                shared->done = true;
                return;
            }
            agreed.answer = alone->answer;
        }
        report({room::LegEvent::Kind::answered, 200, "", agreed.answer});
        StreamTarget target;
        target.rtp = &socket;
        target.payloadType = agreed.payloadType;
        target.cname = "switchboard-video";
        StreamOptions options;
        options.metadata = metadata;
        options.stop = &shared->stop;
        // At the size the leg began with (the sender resizes it to the preset of the time).
        options.reopen = [&url, &metadata, &shared, width = settings.width,
                          height = settings.height, fps = settings.fps] {
            return openSource(url, width, height, fps, metadata.traceId, &shared->stop);
        };
        options.degraded = [&](const std::string& reason) {
            report({room::LegEvent::Kind::degraded, 0, "the source is away: " + reason});
        };
        options.recovered = [&] {
            report({room::LegEvent::Kind::recovered, 0, "the source is back"});
        };
        options.sound = sound.get();
        options.presetChange = [&]() -> std::optional<VideoPreset> {
            const char* asked = shared->presetAsked.exchange(nullptr);
            const auto preset = asked ? findPreset(asked) : std::nullopt;
            if (!preset) return std::nullopt;
            logger().info("trace={} video leg {}: now {} ({}x{}, {} kb/s)", metadata.traceId,
                          shared->id.value(), preset->name, preset->width, preset->height,
                          preset->bitrateKbps);
            return preset;
        };
        options.bitrateChanged = [&](int kbps, std::uint8_t fractionLost) {
            logger().info("trace={} video leg {}: its receivers lose {}%: now {} kb/s",
                          metadata.traceId, shared->id.value(), fractionLost * 100 / 256, kbps);
        };
        auto sent = sendStream(std::move(source).value(), **encoder, target, options);
        if (!sent) report({room::LegEvent::Kind::failed, 0, sent.error().message});
        shared->done = true;
    }));
    return std::unique_ptr<room::Leg>(std::move(leg));
}

} // namespace sb::video

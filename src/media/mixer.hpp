#pragma once
// The conference mixer: every participant hears everyone but itself. Frames of linear PCM at
// the mixer's rate (16 or 48 kHz) come in, one per participant per tick; the mixer sums them
// once and gives each participant the sum less its own contribution ("N−1" mixing), saturated to
// 16 bits. Joining and leaving ramp a participant's gain over one frame so that nobody hears a
// click; a muted participant is heard by no one but still hears the room. The active talker —
// the loudest voice held for a moment above the noise floor — is tracked and its changes
// reported. Codecs and resampling around it belong to the room (one decoder and encoder per
// participant); the mixer sees only PCM. An echo mixer gives everyone the whole sum, themselves
// included: with one participant, an echo test.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace sb::media {

class Mixer {
public:
    using Participant = std::uint32_t;
    using TalkerChanged = std::function<void(std::optional<Participant>)>;

    enum class Mode { othersOnly, echo };
    explicit Mixer(std::uint32_t sampleRate = 16000, std::uint32_t frameMs = 20,
                   Mode mode = Mode::othersOnly);

    Participant join();
    // The participant fades out over the next frame and is then gone.
    void leave(Participant p);
    void mute(Participant p, bool muted);
    // This tick's frame from `p` (frameSamples() samples; a shorter one is padded with silence,
    // none at all counts as silence).
    void push(Participant p, std::span<const std::int16_t> frame);
    // Mixes the tick: afterwards output(p) holds what `p` hears.
    void mix();
    std::span<const std::int16_t> output(Participant p) const;

    void onTalkerChanged(TalkerChanged callback) { talkerChanged_ = std::move(callback); }
    std::optional<Participant> activeTalker() const noexcept { return talker_; }

    std::size_t participants() const noexcept { return members_.size(); }
    std::size_t frameSamples() const noexcept { return frame_; }
    std::uint32_t sampleRate() const noexcept { return rate_; }

private:
    struct Member {
        std::vector<std::int16_t> in, out;
        bool fresh = true;    // joined this tick: fades in
        bool leaving = false; // fades out this tick, then goes
        bool muted = false;
        double level = 0; // smoothed energy, for the active talker
        int loudTicks = 0;
    };
    void updateTalker();

    std::uint32_t rate_;
    std::size_t frame_;
    Mode mode_;
    Participant next_ = 1;
    std::unordered_map<Participant, Member> members_;
    std::vector<std::int32_t> sum_;
    std::vector<float> rampUp_, rampDown_;
    std::optional<Participant> talker_;
    TalkerChanged talkerChanged_;
};

} // namespace sb::media

#include "media/mixer.hpp"
#include "support/tone.hpp"

#include <gtest/gtest.h>

namespace sb::media {
namespace {

constexpr std::uint32_t kRate = 16000;
constexpr std::size_t kFrame = 320;

// Runs `ticks` ticks in which each listed participant says its tone; collects what `listener`
// hears.
std::vector<std::int16_t> run(Mixer& mixer,
                              const std::vector<std::pair<Mixer::Participant, double>>& speakers,
                              Mixer::Participant listener, int ticks, std::size_t* clock) {
    std::vector<std::int16_t> heard;
    for (int t = 0; t < ticks; ++t, *clock += kFrame) {
        for (const auto& [p, hz] : speakers)
            mixer.push(p, test::tone(hz, kRate, kFrame, 6000, *clock));
        mixer.mix();
        const auto out = mixer.output(listener);
        heard.insert(heard.end(), out.begin(), out.end());
    }
    return heard;
}

TEST(Mixer, EachHearsTheOthersAndNotItself) {
    Mixer mixer(kRate);
    const auto a = mixer.join(), b = mixer.join(), c = mixer.join();
    std::size_t clock = 0;
    const std::vector<std::pair<Mixer::Participant, double>> all{{a, 400}, {b, 800}, {c, 1200}};
    run(mixer, all, a, 5, &clock); // past the fade-in
    for (auto [listener, own] : all) {
        const auto heard = run(mixer, all, listener, 25, &clock); // half a second
        // Two tones of equal strength: each is about half of what is heard (0 dB to the rest).
        for (auto [speaker, hz] : all) {
            const double db = test::toneToRestDb(heard, hz, kRate);
            if (speaker == listener)
                EXPECT_LT(db, -40) << "participant " << listener << " hears itself";
            else
                EXPECT_GT(db, -3) << "participant " << listener << " misses " << hz << " Hz";
        }
    }
}

TEST(Mixer, AnEchoMixerGivesEachParticipantItselfToo) {
    Mixer mixer(kRate, 20, Mixer::Mode::echo);
    const auto a = mixer.join();
    std::size_t clock = 0;
    run(mixer, {{a, 700}}, a, 5, &clock); // past the fade-in
    const auto heard = run(mixer, {{a, 700}}, a, 25, &clock);
    EXPECT_GT(test::toneToRestDb(heard, 700, kRate), 30);
    const auto b = mixer.join();
    run(mixer, {{a, 700}, {b, 1100}}, b, 5, &clock);
    const auto both = run(mixer, {{a, 700}, {b, 1100}}, b, 25, &clock);
    EXPECT_GT(test::toneToRestDb(both, 1100, kRate), -3); // itself, about half of all it hears
    EXPECT_GT(test::toneToRestDb(both, 700, kRate), -3);
}

TEST(Mixer, AMutedParticipantIsHeardByNoOneButStillHears) {
    Mixer mixer(kRate);
    const auto a = mixer.join(), b = mixer.join(), c = mixer.join();
    std::size_t clock = 0;
    const std::vector<std::pair<Mixer::Participant, double>> all{{a, 400}, {b, 800}, {c, 1200}};
    mixer.mute(b, true);
    run(mixer, all, a, 5, &clock);
    const auto heardByA = run(mixer, all, a, 25, &clock);
    EXPECT_LT(test::toneToRestDb(heardByA, 800, kRate), -40);
    EXPECT_GT(test::toneToRestDb(heardByA, 1200, kRate), 20); // only c is left to hear
    const auto heardByB = run(mixer, all, b, 25, &clock);
    EXPECT_GT(test::toneToRestDb(heardByB, 400, kRate), -3);
    EXPECT_GT(test::toneToRestDb(heardByB, 1200, kRate), -3);
}

TEST(Mixer, JoiningAndLeavingRampInsteadOfClicking) {
    Mixer mixer(kRate);
    const auto listener = mixer.join();
    mixer.mix();
    const auto loud = mixer.join();
    const std::vector<std::int16_t> level(kFrame, 10000);
    mixer.push(loud, level);
    mixer.mix();
    auto joined = mixer.output(listener);
    EXPECT_LT(joined[0], 100);       // starts near silence …
    EXPECT_EQ(joined.back(), 10000); // … and reaches full level by the frame's end
    for (std::size_t i = 1; i < kFrame; ++i)
        EXPECT_LE(joined[i] - joined[i - 1], 40); // a ramp, not a step
    mixer.push(loud, level);
    mixer.leave(loud);
    mixer.mix();
    auto left = mixer.output(listener);
    EXPECT_GT(left[0], 9900);
    EXPECT_LT(left.back(), 100);
    EXPECT_EQ(mixer.participants(), 1u);
}

TEST(Mixer, SumsSaturateInsteadOfWrappingAround) {
    Mixer mixer(kRate);
    const auto listener = mixer.join(), x = mixer.join(), y = mixer.join();
    const std::vector<std::int16_t> high(kFrame, 30000);
    for (int t = 0; t < 2; ++t) {
        mixer.push(x, high);
        mixer.push(y, high);
        mixer.mix();
    }
    for (auto v : mixer.output(listener))
        EXPECT_EQ(v, INT16_MAX);
}

TEST(Mixer, TheActiveTalkerIsTheLoudestVoiceHeldAMoment) {
    Mixer mixer(kRate);
    const auto a = mixer.join(), b = mixer.join();
    std::vector<std::optional<Mixer::Participant>> changes;
    mixer.onTalkerChanged([&](auto p) { changes.push_back(p); });
    std::size_t clock = 0;
    auto say = [&](Mixer::Participant p, double amplitude) {
        mixer.push(p, test::tone(500, kRate, kFrame, amplitude, clock));
    };
    for (int t = 0; t < 20; ++t, clock += kFrame) {
        say(a, 100); // murmuring, under the floor
        say(b, 8000);
        mixer.mix();
    }
    EXPECT_EQ(mixer.activeTalker(), b);
    for (int t = 0; t < 20; ++t, clock += kFrame) {
        say(a, 8000);
        mixer.mix();
    }
    EXPECT_EQ(mixer.activeTalker(), a);
    mixer.leave(a);
    mixer.mix();
    EXPECT_EQ(changes, (std::vector<std::optional<Mixer::Participant>>{b, a, std::nullopt}));
}

} // namespace
} // namespace sb::media

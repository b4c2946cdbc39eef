#include "api/event_hub.hpp"

#include <vector>

namespace sb::api {

EventHub::EventHub(boost::asio::any_io_executor executor, Options options)
    : options_(std::move(options)), gate_(std::move(executor)) {}

void EventHub::publish(std::string text, std::string key, std::string audience) {
    auto shared = std::make_shared<const std::string>(std::move(text));
    gate_.post(
        [weak = weak_from_this(), shared, key = std::move(key), audience = std::move(audience)] {
            if (auto hub = weak.lock()) hub->fanOut(shared, key, audience);
        });
}

void EventHub::fanOut(const std::shared_ptr<const std::string>& text, const std::string& key,
                      const std::string& audience) {
    ++published_;
    // A subscriber that overflows detaches itself from inside deliver(): iterate over a copy.
    std::vector<std::shared_ptr<Subscriber>> targets;
    targets.reserve(subscribers_.size());
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
        if (auto s = it->second.lock()) {
            if ((s->filter().empty() || s->filter() == key) &&
                (audience.empty() || s->agent() == audience))
                targets.push_back(std::move(s));
            ++it;
        } else {
            it = subscribers_.erase(it);
        }
    }
    count_ = subscribers_.size();
    for (const auto& s : targets)
        if (!s->deliver(text)) ++overflows_;
}

void EventHub::attach(const std::shared_ptr<Subscriber>& subscriber) {
    subscribers_[subscriber.get()] = subscriber;
    count_ = subscribers_.size();
}

void EventHub::detach(const Subscriber* subscriber) {
    subscribers_.erase(subscriber);
    count_ = subscribers_.size();
}

} // namespace sb::api

#pragma once
// A vector that keeps its first N elements inline and spills to the heap only beyond that.
// The SIP parser keeps Via/Contact/Route values in these so that a typical message costs no
// allocation per header.

#include <array>
#include <cstddef>
#include <vector>

namespace sb {

template <class T, std::size_t N>
class SmallVector {
public:
    void push_back(const T& v) {
        if (size_ < N)
            inline_[size_] = v;
        else
            heap_.push_back(v);
        ++size_;
    }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const T& operator[](std::size_t i) const noexcept { return i < N ? inline_[i] : heap_[i - N]; }
    T& operator[](std::size_t i) noexcept { return i < N ? inline_[i] : heap_[i - N]; }
    const T& front() const noexcept { return (*this)[0]; }
    void clear() noexcept {
        size_ = 0;
        heap_.clear();
    }

    class const_iterator {
    public:
        using difference_type = std::ptrdiff_t;
        using value_type = T;
        const_iterator() = default;
        const_iterator(const SmallVector* v, std::size_t i) : v_(v), i_(i) {}
        const T& operator*() const { return (*v_)[i_]; }
        const T* operator->() const { return &(*v_)[i_]; }
        const_iterator& operator++() {
            ++i_;
            return *this;
        }
        const_iterator operator++(int) {
            auto old = *this;
            ++i_;
            return old;
        }
        bool operator==(const const_iterator& o) const { return i_ == o.i_; }

    private:
        const SmallVector* v_ = nullptr;
        std::size_t i_ = 0;
    };
    const_iterator begin() const { return {this, 0}; }
    const_iterator end() const { return {this, size_}; }

private:
    std::array<T, N> inline_{};
    std::vector<T> heap_;
    std::size_t size_ = 0;
};

} // namespace sb

#pragma once
// A vector that keeps its first N elements inline and spills to the heap only beyond that.
// The SIP parser keeps Via/Contact/Route values in these so that a typical message costs no
// allocation per header.

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

namespace sb {

//
// For trivially copyable element types only (the parser's views are): the inline storage is left
// uninitialised, and copying or moving copies just the elements in use, not all N.
template <class T, std::size_t N>
class SmallVector {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    SmallVector() noexcept = default;
    SmallVector(const SmallVector& o) : heap_(o.heap_), size_(o.size_) { copyInline(o); }
    SmallVector(SmallVector&& o) noexcept : heap_(std::move(o.heap_)), size_(o.size_) {
        copyInline(o);
        o.size_ = 0;
    }
    SmallVector& operator=(const SmallVector& o) {
        if (this != &o) {
            heap_ = o.heap_;
            size_ = o.size_;
            copyInline(o);
        }
        return *this;
    }
    SmallVector& operator=(SmallVector&& o) noexcept {
        if (this != &o) {
            heap_ = std::move(o.heap_);
            size_ = o.size_;
            copyInline(o);
            o.size_ = 0;
        }
        return *this;
    }

    void push_back(const T& v) {
        if (size_ < N)
            std::memcpy(static_cast<void*>(inlineAt(size_)), &v, sizeof(T));
        else
            heap_.push_back(v);
        ++size_;
    }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const T& operator[](std::size_t i) const noexcept {
        return i < N ? *inlineAt(i) : heap_[i - N];
    }
    T& operator[](std::size_t i) noexcept { return i < N ? *inlineAt(i) : heap_[i - N]; }
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
    T* inlineAt(std::size_t i) noexcept { return std::launder(reinterpret_cast<T*>(storage_)) + i; }
    const T* inlineAt(std::size_t i) const noexcept {
        return std::launder(reinterpret_cast<const T*>(storage_)) + i;
    }
    void copyInline(const SmallVector& o) noexcept {
        const std::size_t used = size_ < N ? size_ : N;
        if (used) std::memcpy(storage_, o.storage_, used * sizeof(T));
    }

    alignas(T) std::byte storage_[N * sizeof(T)];
    std::vector<T> heap_;
    std::size_t size_ = 0;
};

} // namespace sb

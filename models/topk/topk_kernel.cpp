#include "models/topk/topk_kernel.hpp"

#include <algorithm>
#include <stdexcept>

namespace qsim {

TopKLists::TopKLists(int k, int lanes) : k_(k), lanes_(size_t(std::max(lanes, 0))) {
    if (k < 1 || lanes < 1) throw std::invalid_argument("top-k: k and lanes must be >= 1");
    for (auto& l : lanes_) l.reserve(size_t(k) + 1);
}

void TopKLists::clear() {
    for (auto& l : lanes_) l.clear();
}

void TopKLists::insert(int32_t code, int index) {
    auto& list = lanes_[size_t(index) % lanes_.size()];
    const Entry e{code, index};
    // The comparators of every slot decide at once; the entry goes in before the first slot it
    // beats, the slots behind it shift down and the last falls off.
    const auto at = std::find_if(list.begin(), list.end(), [&](const Entry& x) { return before(e, x); });
    if (at == list.end() && int(list.size()) == k_) return;
    list.insert(at, e);
    if (int(list.size()) > k_) list.pop_back();
}

void TopKLists::merge(int32_t* out) const {
    std::vector<size_t> head(lanes_.size(), 0);
    for (int n = 0; n < k_; ++n) {
        const Entry* best = nullptr;
        size_t from = 0;
        for (size_t l = 0; l < lanes_.size(); ++l) {
            if (head[l] >= lanes_[l].size()) continue;
            const Entry& e = lanes_[l][head[l]];
            if (best == nullptr || before(e, *best)) {
                best = &e;
                from = l;
            }
        }
        if (best == nullptr) return;
        out[n] = best->index;
        ++head[from];
    }
}

void select_top_k(const int32_t* codes, int channels, int k, int lanes, int32_t* out) {
    TopKLists lists(k, lanes);
    for (int c = 0; c < channels; ++c) lists.insert(codes[c], c);
    lists.merge(out);
}

}  // namespace qsim

// Functional kernel of the label-select unit (type topk, FINN's LabelSelect): the indices of
// the k largest of a vector's C values, the largest first, equal values in index order.
// Built as the hardware is: SIMD lanes each keep a sorted list of their k best (value, index)
// pairs as channel c enters lane c % SIMD, and a merge takes the k best of the lanes' lists.
// Codes compare as their values: every stream encoding is monotonic in its code (a bipolar
// code c stands for 2c - 1), so no decoding is needed.
#pragma once

#include <cstdint>
#include <vector>

namespace qsim {

class TopKLists {
public:
    TopKLists(int k, int lanes);
    // Starts a new vector.
    void clear();
    // Offers value `code` of channel `index` to lane index % lanes (channels arrive in order).
    void insert(int32_t code, int index);
    // The k indices (fewer if fewer channels arrived), largest value first, ties lowest index first.
    void merge(int32_t* out) const;

private:
    struct Entry {
        int32_t code;
        int index;
    };
    // a ranks before b: larger value, or the same value and a lower index.
    static bool before(const Entry& a, const Entry& b) {
        return a.code > b.code || (a.code == b.code && a.index < b.index);
    }
    int k_;
    std::vector<std::vector<Entry>> lanes_;  // each sorted, at most k entries
};

// The whole vector at once: out receives min(k, channels) indices.
void select_top_k(const int32_t* codes, int channels, int k, int lanes, int32_t* out);

}  // namespace qsim

#include "sim/runner/stream_check.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "models/source/input_kernel.hpp"
#include "sim/golden/golden_reference.hpp"

namespace qsim {

bool StreamingCheck::before_failure(int frame, size_t layer) const {
    return failure_.frame < 0 || frame < failure_.frame || (frame == failure_.frame && layer < failure_.layer);
}

bool StreamingCheck::finished(int frame) const {
    return frame < finished_below_ || finished_above_.count(frame) != 0;
}

void StreamingCheck::mark_finished(int frame) {
    finished_above_.insert(frame);
    while (finished_above_.count(finished_below_) != 0) finished_above_.erase(finished_below_++);
}

uint64_t StreamingCheck::values_before(int frame, size_t layer) const {
    uint64_t per_frame = 0, in_frame = 0;
    for (size_t i = 0; i < net_.layers.size(); ++i) {
        const uint64_t n = uint64_t(net_.layers[i].out.elements());
        per_frame += n;
        if (i < layer) in_frame += n;
    }
    return uint64_t(frame) * per_frame + in_frame;
}

StreamingCheck::Pending StreamingCheck::start(int frame) const {
    if (pending_.empty() && finished_below_ == 0 && finished_above_.empty()) golden::check_network(net_, params_);
    Pending p;
    p.input = input_frame(net_.input, frame);
    p.golden.resize(net_.layers.size());
    p.unread.assign(net_.layers.size(), 0);
    for (size_t i = 0; i < net_.layers.size(); ++i)
        for (int from : net_.inputs_of(i)) ++(from < 0 ? p.unread_input : p.unread[size_t(from)]);
    p.seen.assign(net_.layers.size(), false);
    p.left = net_.layers.size();
    return p;
}

void StreamingCheck::drop_if_done(Pending& p, size_t layer) const {
    if (p.seen[layer] && p.unread[layer] == 0) FeatureMap().data.swap(p.golden[layer].data);
}

void StreamingCheck::run_golden_to(Pending& p, size_t layer) {
    const auto output_of = [&](int l) -> const FeatureMap& { return l < 0 ? p.input : p.golden[size_t(l)]; };
    for (; p.next <= layer; ++p.next) {
        p.golden[p.next] = golden::run_network_layer(net_, params_, p.next, output_of, &plans_[p.next]);
        for (int from : net_.inputs_of(p.next)) {
            if (from < 0) {
                if (--p.unread_input == 0) FeatureMap().data.swap(p.input.data);
            } else {
                --p.unread[size_t(from)];
                drop_if_done(p, size_t(from));
            }
        }
    }
}

void StreamingCheck::layer_frame(size_t layer, int frame, const FeatureMap& output) {
    if (error_ || frame < 0 || layer >= net_.layers.size() || !before_failure(frame, layer) || finished(frame)) return;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        auto it = pending_.find(frame);
        if (it == pending_.end()) {
            it = pending_.emplace(frame, start(frame)).first;
            peak_pending_ = std::max(peak_pending_, pending_.size());
        }
        Pending& p = it->second;
        if (!p.seen[layer]) {
            run_golden_to(p, layer);
            p.seen[layer] = true;
            --p.left;
            const std::vector<int32_t>& want = p.golden[layer].data;
            const std::vector<int32_t>& got = output.data;
            Failure f;
            f.frame = frame;
            f.layer = layer;
            if (got.size() != want.size()) {
                f.incomplete = true;
            } else {
                size_t k = 0;
                while (k < got.size() && got[k] == want[k]) ++k;
                if (k < got.size()) {
                    f.index = k;
                    f.golden = want[k];
                    f.simulated = got[k];
                } else {
                    f.frame = -1;
                }
            }
            drop_if_done(p, layer);
            if (f.frame >= 0) {
                failure_ = f;
                // Nothing after the first mismatch in (frame, layer) order matters any more.
                pending_.erase(pending_.upper_bound(frame), pending_.end());
            } else if (p.left == 0) {
                pending_.erase(it);
                mark_finished(frame);
            }
        }
    } catch (...) {
        error_ = std::current_exception();
        pending_.clear();
    }
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

CheckResult StreamingCheck::finish(int frames) const {
    if (error_) std::rethrow_exception(error_);
    CheckResult r;
    r.done = true;
    r.passed = true;
    Failure first = failure_;
    if (first.frame >= frames) first.frame = -1;
    // The first output that never came, unless a mismatch precedes it.
    for (int f = finished_below_; f < frames && (first.frame < 0 || f <= first.frame); ++f) {
        if (finished(f)) continue;
        const auto it = pending_.find(f);
        size_t layer = 0;
        if (it != pending_.end())
            while (layer < it->second.seen.size() && it->second.seen[layer]) ++layer;
        if (layer >= net_.layers.size()) continue;  // all seen: only the failure's frame stays pending
        if (first.frame < 0 || f < first.frame || layer < first.layer) {
            first = Failure{};
            first.frame = f;
            first.layer = layer;
            first.incomplete = true;
        }
        break;
    }
    if (first.frame >= 0) {
        const LayerConfig& l = net_.layers[first.layer];
        std::ostringstream os;
        r.passed = false;
        r.values_compared = values_before(first.frame, first.layer);
        if (first.incomplete) {
            os << "layer " << l.name << " frame " << first.frame << ": no complete output";
        } else {
            r.values_compared += first.index;
            const FmShape s = l.out;
            const size_t k = first.index, c = k % size_t(s.channels), x = (k / s.channels) % s.width,
                         y = k / (size_t(s.channels) * s.width);
            os << "layer " << l.name << " frame " << first.frame << " at (y=" << y << ", x=" << x << ", c=" << c
               << "): golden " << first.golden << ", simulated " << first.simulated;
        }
        r.message = os.str();
        return r;
    }
    r.values_compared = values_before(frames, 0);
    std::ostringstream os;
    os << "all " << net_.layers.size() << " layers bit-true over " << frames << " frame(s), " << r.values_compared
       << " values";
    r.message = os.str();
    return r;
}

}  // namespace qsim

// AddNet weight quantisation (ch. 6.5): weights are stored as RCCM select indices (4, 6 or
// 8 bits for 2-Add, 3-Add, 4-Add). A float weight maps to the select index of the nearest
// coefficient scaled by the per-layer scale lambda (eq. 6.3), and the coefficient set of a
// layer is chosen by distribution matching, the Kullback-Leibler divergence between the
// histogram of the weights and that of the coefficients (eq. 6.2). docs/rccm.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/rccm/rccm_topology.hpp"

namespace qsim {

// The coefficient of every select code of one circuit, and its distinct coefficients each
// with the smallest select index that produces it (the index the quantiser stores).
struct RccmCodebook {
    int select_bits = 0;
    std::vector<int64_t> by_select;  // 2^select_bits entries
    std::vector<int64_t> levels;     // distinct coefficients, ascending
    std::vector<uint32_t> level_select;
};

RccmCodebook make_rccm_codebook(const RccmCircuit& circuit);

// lambda so that the largest coefficient magnitude lands on max_abs_weight (ch. 6.5.2:
// the scaled coefficients span the range M of the pre-trained weights). Throws for a
// non-positive or non-finite range, or an all-zero codebook.
double rccm_scale_for_range(const RccmCodebook& book, double max_abs_weight);

// eq. 6.3: the select index of the coefficient c minimising |lambda * c - w|. For a set
// symmetric around zero this is sign(w) times the nearest non-negative coefficient to |w|.
// Ties (w exactly halfway) go to the smaller |c|, then to c >= 0. Weights beyond the range
// map to the extreme coefficient. Throws for non-finite w or lambda <= 0.
uint32_t rccm_quantize(const RccmCodebook& book, double lambda, double w);

// Element-wise rccm_quantize into select codes (one byte each: at most 8 select bits).
std::vector<uint8_t> rccm_quantize_weights(const RccmCodebook& book, double lambda,
                                           const std::vector<float>& w);

// Select index -> coefficient (the weight an index stands for); for tests and golden
// references, the hardware never decodes. Throws for an index outside the codebook.
int64_t rccm_decode(const RccmCodebook& book, uint32_t select);

// ---------------------------------------------------------------------------------------
// Distribution matching (eq. 6.2).
struct RccmKlOptions {
    int bins = 31;           // histogram bins (Fig. 6.5 uses 31)
    double epsilon = 1e-6;   // added to every bin of R before normalising, so an empty bin
                             // under a non-empty weight bin costs a finite penalty
};

// Normalised histogram of `values` over [-range, range] in `bins` equal bins (values
// outside are clamped into the end bins). Throws for bins < 1 or range <= 0.
std::vector<double> rccm_histogram(const std::vector<double>& values, double range, int bins);

// D_KL(P || R) = sum_i P(i) log(P(i) / R(i)) over the bins, with R smoothed by epsilon;
// bins where P(i) = 0 contribute nothing. Throws if the sizes differ.
double rccm_kl_divergence(const std::vector<double>& p, const std::vector<double>& r, double epsilon);

// D_KL between the weights' histogram over [-max|w|, max|w|] and the coefficient set's over
// [-max|c|, max|c|] (each coefficient counted once), i.e. after the scale lambda of
// rccm_scale_for_range has mapped one range onto the other.
double rccm_set_divergence(const std::vector<float>& weights, const std::vector<int64_t>& set,
                           const RccmKlOptions& options = {});

struct RccmRankedSet {
    size_t index;       // into the candidate list
    double divergence;
};

// Candidates ordered by divergence, smallest first (ties: lower index first).
std::vector<RccmRankedSet> rccm_rank_sets(const std::vector<float>& weights,
                                          const std::vector<std::vector<int64_t>>& candidates,
                                          const RccmKlOptions& options = {});

// ch. 6.5.1's choice: of the top_k sets with the smallest divergence, those that contain
// zero (all of them if none does); of these the one with the most coefficients; ties go to
// the smaller divergence, then the lower index. Returns the index into `candidates`.
// Throws for an empty candidate list or top_k < 1.
size_t rccm_select_set(const std::vector<float>& weights,
                       const std::vector<std::vector<int64_t>>& candidates, int top_k = 5,
                       const RccmKlOptions& options = {});

}  // namespace qsim

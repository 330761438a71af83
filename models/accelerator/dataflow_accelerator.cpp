#include "models/accelerator/dataflow_accelerator.hpp"

#include <algorithm>
#include <stdexcept>

#include "models/accelerator/dataflow_timing.hpp"
#include "models/decompressor/decompressor_timing.hpp"
#include "models/decompressor/sparse_pe_array.hpp"
#include "models/syq/syq_mvtu.hpp"
#include "models/topk/topk_unit.hpp"

namespace qsim {

namespace {

// SystemC names may not contain '.', which YAML layer names may.
std::string object_name(const std::string& s) {
    std::string out = s;
    for (char& c : out)
        if (c == '.') c = '_';
    return out;
}

sc_core::sc_time period_of(const NetworkConfig& net) {
    ensure_time_resolution();
    return sc_core::sc_time(1e15 / net.clock_hz(), sc_core::SC_FS);
}

}  // namespace

DataflowAccelerator::DataflowAccelerator(sc_core::sc_module_name name, const NetworkConfig& net,
                                         const NetworkParams& params, const AcceleratorOptions& options)
    : sc_core::sc_module(name), period_(period_of(net)), net_(&net) {
    if (net.layers.empty()) throw std::invalid_argument("network has no layers");
    const size_t layer_count = options.device_layers ? options.device_layers : net.layers.size();
    if (layer_count > net.layers.size()) throw std::invalid_argument("more device layers than the network has");
    if (!options.host_linked && params.layers.size() != net.layers.size())
        throw std::invalid_argument("parameters do not match the network's layers");

    source_ = std::make_unique<InputSource>("host_source", net.input, options.frames, period_,
                                            options.source_interval);
    RowFifo* upstream = make_fifo("host_to_" + object_name(net.layers.front().name), net.input.fifo_depth);
    source_->out(*upstream);
    if (options.host_linked) {
        dma_input_ = make_fifo("dma_to_source", options.dma_buffer_rows);
        source_->from_dma(*dma_input_);
    }
    mvtus_.assign(net.layers.size(), nullptr);

    for (size_t i = 0; i < layer_count; ++i) {
        const LayerConfig& layer = net.layers[i];
        const std::string base = object_name(layer.name);
        LayerBlocks blocks;
        blocks.layer = &layer;
        const std::vector<int> inputs = net.inputs_of(i);
        RowFifo* in_fifo = stream_to(i, inputs.front());

        sc_core::sc_port<RowReadIf>* unit_in = nullptr;
        sc_core::sc_port<RowWriteIf>* unit_out = nullptr;
        std::unique_ptr<TimedBlock> unit;
        switch (layer.type) {
            case LayerType::Conv:
            case LayerType::Fc: {
                if (layer.has_special_unit()) {
                    // The thesis's own compute blocks: a decompressor-fed PE array (ch. 3.4) or
                    // a SYQ-scaled MVTU with its ring counter (ch. 5.7.2).
                    if (options.host_linked)
                        throw std::invalid_argument("layer '" + layer.name +
                                                    "': decompressor and SYQ layers take their weights "
                                                    "from the configuration, not over a host link");
                    if (layer.decompressor.enabled) {
                        auto array = std::make_unique<SparsePeArray>((base + "_pe_array").c_str(), layer,
                                                                     params.layers[i], options.frames, period_);
                        unit_in = &array->in;
                        unit_out = &array->out;
                        unit = std::move(array);
                    } else {
                        auto syq = std::make_unique<SyqMvtu>((base + "_mvtu").c_str(), layer, params.layers[i], period_);
                        unit_in = &syq->in;
                        unit_out = &syq->out;
                        unit = std::move(syq);
                    }
                    break;
                }
                auto mvtu = options.host_linked
                                ? std::make_unique<Mvtu>((base + "_mvtu").c_str(), layer, period_)
                                : std::make_unique<Mvtu>((base + "_mvtu").c_str(), layer, params.layers[i], period_);
                mvtus_[i] = mvtu.get();
                unit_in = &mvtu->in;
                unit_out = &mvtu->out;
                unit = std::move(mvtu);
                break;
            }
            case LayerType::MaxPool:
            case LayerType::AvgPool: {
                auto pool = std::make_unique<PoolUnit>((base + "_pool").c_str(), layer, period_);
                unit_in = &pool->in;
                unit_out = &pool->out;
                unit = std::move(pool);
                break;
            }
            case LayerType::GlobalMaxPool:
            case LayerType::GlobalAvgPool: {
                auto pool = std::make_unique<GlobalPoolUnit>((base + "_gpool").c_str(), layer, period_);
                unit_in = &pool->in;
                unit_out = &pool->out;
                unit = std::move(pool);
                break;
            }
            case LayerType::Add: {
                auto add = std::make_unique<AddUnit>((base + "_add").c_str(), layer, params.layers.at(i), period_);
                unit_in = &add->in_a;
                add->in_b(*stream_to(i, inputs.at(1)));
                unit_out = &add->out;
                unit = std::move(add);
                break;
            }
            case LayerType::TopK: {
                auto topk = std::make_unique<TopKUnit>((base + "_topk").c_str(), layer, period_);
                unit_in = &topk->in;
                unit_out = &topk->out;
                unit = std::move(topk);
                break;
            }
            case LayerType::Concat: {
                auto concat = std::make_unique<ConcatUnit>((base + "_concat").c_str(), layer, period_);
                unit_in = &concat->in_a;
                concat->in_b(*stream_to(i, inputs.at(1)));
                for (size_t k = 2; k < inputs.size(); ++k) concat->in_more[k - 2](*stream_to(i, inputs.at(k)));
                unit_out = &concat->out;
                unit = std::move(concat);
                break;
            }
        }

        if (layer.uses_swu()) {
            auto swu = std::make_unique<SlidingWindowUnit>((base + "_swu").c_str(), layer, period_);
            const char* to = layer.type == LayerType::Conv ? "_swu2mvtu" : "_swu2pool";
            RowFifo* windows = make_fifo(base + to, options.internal_fifo_depth);
            swu->in(*in_fifo);
            swu->out(*windows);
            (*unit_in)(*windows);
            blocks.swu = swu.get();
            blocks.swu_fifo = windows;
            swus_.push_back(std::move(swu));
        } else {
            (*unit_in)(*in_fifo);
        }

        const bool last = i + 1 == layer_count;
        const std::vector<size_t> readers = last ? std::vector<size_t>{} : net.readers(i);
        const std::string fifo_name = last                ? base + "_to_host"
                                      : readers.size() > 1 ? base + "_to_fork"
                                                           : base + "_to_" + object_name(net.layers[readers.at(0)].name);
        RowFifo* downstream = make_fifo(fifo_name, layer.fifo_depth);
        TimedBlock* producer = unit.get();  // the block whose rows are the layer's output
        if (layer.reuse > 1) {
            // PE reuse: the MVTU's passes go through the OFM buffer, complete rows leave it.
            auto buffer = std::make_unique<OfmBuffer>((base + "_ofm_buffer").c_str(), layer, period_);
            RowFifo* passes = make_fifo(base + "_mvtu2ofm", options.internal_fifo_depth);
            (*unit_out)(*passes);
            buffer->in(*passes);
            buffer->out(*downstream);
            blocks.ofm_buffer = buffer.get();
            producer = buffer.get();
            ofm_buffers_.push_back(std::move(buffer));
        } else {
            (*unit_out)(*downstream);
        }
        blocks.out_fifo = downstream;
        if (readers.size() > 1) {
            // Several layers read the output: a fork copies each row into one FIFO per reader.
            auto fork = std::make_unique<StreamFork>((base + "_fork").c_str(), layer, int(readers.size()), period_);
            fork->in(*downstream);
            for (size_t k = 0; k < readers.size(); ++k) {
                RowFifo* branch = make_fifo(base + "_fork_to_" + object_name(net.layers[readers[k]].name),
                                            net.branch_fifo_depth(i, readers[k]));
                fork->out[k](*branch);
                blocks.branch_fifos.push_back(branch);
            }
            blocks.fork = fork.get();
            forks_.push_back(std::move(fork));
        }

        if (options.observer != nullptr) {
            probes_.push_back(std::make_unique<FrameAssembler>(layer.out, options.observer, i, options.record_layers));
            producer->set_probe(probes_.back().get());
        } else if (options.record_layers) {
            probes_.push_back(std::make_unique<FrameAssembler>(layer.out));
            producer->set_probe(probes_.back().get());
        }
        blocks.unit = unit.get();
        units_.push_back(std::move(unit));
        layers_.push_back(blocks);
    }

    sink_ = std::make_unique<OutputSink>("host_sink", net.layers[layer_count - 1].out, options.frames, period_,
                                         options.output_observer, options.keep_outputs);
    sink_->in(*layers_.back().out_fifo);
    if (options.host_linked) {
        dma_output_ = make_fifo("sink_to_dma", 2);
        sink_->to_dma(*dma_output_);
    }

    uint64_t limit = options.watchdog_cycles;
    // A batched decompressor fc layer computes a whole batch at once: wait longer than that.
    if (limit == 0) limit = 4 * std::max(estimate_dataflow(net).interval_cycles, longest_batch_pass(net)) + 10000;
    std::vector<const RowFifo*> fifos;
    for (const auto& f : fifos_) fifos.push_back(f.get());
    std::vector<ProgressWatchdog::Probe> probes;
    auto probe = [&](const auto* block) {
        probes.push_back({block->name(), [block] { return block->working(); },
                          [block] { return std::string(block->waiting_for()); }});
    };
    probe(source_.get());
    for (const auto& l : layers_) {
        if (l.swu != nullptr) probe(l.swu);
        probe(l.unit);
        if (l.ofm_buffer != nullptr) probe(l.ofm_buffer);
        if (l.fork != nullptr) probe(l.fork);
    }
    const OutputSink* sink = sink_.get();
    const int frames = options.frames;
    watchdog_ = std::make_unique<ProgressWatchdog>(
        "watchdog", period_, limit, std::move(fifos), std::move(probes),
        [sink, frames] { return sink->frames_completed() >= frames; }, sink_->all_frames_done());
}

size_t DataflowAccelerator::peak_frames_held() const {
    size_t n = 0;
    for (const auto& p : probes_) n += p->peak_frames_held();
    return n;
}

namespace {

// Layer `from` and every layer it reads, transitively (-1: the network input).
std::vector<int> ancestors(const NetworkConfig& net, int from) {
    std::vector<int> out, todo{from};
    while (!todo.empty()) {
        const int l = todo.back();
        todo.pop_back();
        if (std::find(out.begin(), out.end(), l) != out.end()) continue;
        out.push_back(l);
        if (l >= 0)
            for (int p : net.inputs_of(size_t(l))) todo.push_back(p);
    }
    return out;
}

std::string fill_text(const RowFifo& f) {
    return std::string(f.name()) + " (" + std::to_string(f.size()) + "/" + std::to_string(f.depth()) + " rows)";
}

}  // namespace

std::vector<std::string> DataflowAccelerator::reconvergence_diagnosis() const {
    std::vector<std::string> out;
    for (size_t j = 0; j < layers_.size(); ++j) {
        if (!layers_[j].layer->is_join()) continue;
        const std::vector<int> from = net_->inputs_of(j);
        std::vector<const RowFifo*> fifo;
        for (int f : from) fifo.push_back(stream_to(j, f));
        for (size_t full = 0; full < fifo.size(); ++full)
            for (size_t empty = 0; empty < fifo.size(); ++empty) {
                if (full == empty || fifo[full]->size() < fifo[full]->depth() || fifo[empty]->size() > 0) continue;
                // The nearest layer both paths come from: the fork.
                const std::vector<int> a = ancestors(*net_, from[full]), b = ancestors(*net_, from[empty]);
                int split = -1;
                for (int x : a)
                    if (x > split && std::find(b.begin(), b.end(), x) != b.end()) split = x;
                const std::string fork = split < 0 ? "the network input" : "'" + net_->layers[size_t(split)].name + "'";
                const std::string join = layers_[j].layer->name;
                out.push_back(
                    "reconvergent paths: the join '" + join + "' waits on " + fill_text(*fifo[empty]) + " from '" +
                    net_->layers[size_t(from[empty])].name + "' while its input from '" + net_->layers[size_t(from[full])].name +
                    "' is full: " + fill_text(*fifo[full]) + ". The paths split at " + fork + ": the path through '" +
                    net_->layers[size_t(from[empty])].name + "' needs more rows of " + fork +
                    " before it delivers one than the full path can hold; make that path deeper (layers[" +
                    std::to_string(j) + "].input_fifo_depths[" + std::to_string(full) + "] > " +
                    std::to_string(fifo[full]->depth()) + " when the fork feeds '" + join + "' directly)");
            }
    }
    return out;
}

RowFifo* DataflowAccelerator::stream_to(size_t reader, int producer) const {
    if (producer < 0) return fifos_.front().get();  // the host's input FIFO, made first
    const LayerBlocks& p = layers_.at(size_t(producer));
    if (p.fork == nullptr) return p.out_fifo;
    const std::vector<size_t> readers = net_->readers(size_t(producer));
    return p.branch_fifos.at(size_t(std::find(readers.begin(), readers.end(), reader) - readers.begin()));
}

RowFifo* DataflowAccelerator::make_fifo(const std::string& name, int depth) {
    fifos_.push_back(std::make_unique<RowFifo>(name.c_str(), depth));
    return fifos_.back().get();
}

}  // namespace qsim

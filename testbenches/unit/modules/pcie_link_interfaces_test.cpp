// PCIe link (tlm/pcie_link), loosely timed: its other interfaces. Debug transport and DMI are
// forwarded, DMI invalidations go back to the host, and non-blocking initiators are served
// by host_side's conversion to b_transport. Each test builds its own LinkBench
// (pcie_link_testbench.hpp) with a blocking or a non-blocking initiator.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_get.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "testbenches/unit/modules/pcie_link_testbench.hpp"
#include "tlm/pcie_link.hpp"
#include "tlm/pcie_timing.hpp"
#include "tlm/timed_block.hpp"

namespace qsim {
namespace pcie_link_interfaces_test {

using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;
using sc_core::sc_time;
using sc_core::sc_time_stamp;
using testbench::BlockingInitiator;
using testbench::fill;
using testbench::kBase;
using testbench::LinkBench;
using testbench::ns;
using testbench::pattern;
using testbench::read_req;
using testbench::Request;
using testbench::Result;
using testbench::write_req;

// Memory manager of the non-blocking initiator: counts payloads handed out and not yet back.
class PayloadPool : public tlm::tlm_mm_interface {
public:
    ~PayloadPool() override {
        for (auto* p : free_) delete p;
    }
    tlm::tlm_generic_payload* allocate() {
        tlm::tlm_generic_payload* p;
        if (free_.empty()) {
            p = new tlm::tlm_generic_payload();
            p->set_mm(this);
        } else {
            p = free_.back();
            free_.pop_back();
        }
        ++outstanding_;
        return p;
    }
    void free(tlm::tlm_generic_payload* p) override {
        p->reset();
        free_.push_back(p);
        --outstanding_;
    }
    int outstanding() const { return outstanding_; }

private:
    std::vector<tlm::tlm_generic_payload*> free_;
    int outstanding_ = 0;
};

// How a non-blocking initiator answers BEGIN_RESP.
enum class RespStyle { Completed, UpdatedEndResp, AcceptedThenEndResp };

// Issues its requests with nb_transport_fw (base protocol) on payloads of its memory manager.
// A request waits for the previous one's END_REQ (or its BEGIN_RESP, which implies it);
// pipelined, it does not wait for the previous response too. AcceptedThenEndResp sends
// END_RESP `end_resp_hold` after BEGIN_RESP.
class NonBlockingInitiator : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<NonBlockingInitiator> socket;
    std::vector<Result> results;
    PayloadPool pool;

    SC_HAS_PROCESS(NonBlockingInitiator);
    NonBlockingInitiator(sc_core::sc_module_name n, std::vector<Request> requests,
                         RespStyle style = RespStyle::Completed, bool pipelined = false,
                         sc_time end_resp_hold = SC_ZERO_TIME)
        : sc_core::sc_module(n),
          socket("socket"),
          requests_(std::move(requests)),
          style_(style),
          pipelined_(pipelined),
          hold_(end_resp_hold),
          end_resp_peq_("end_resp_peq") {
        results.resize(requests_.size());
        buffers_.resize(requests_.size());
        enables_.resize(requests_.size());
        socket.register_nb_transport_bw(this, &NonBlockingInitiator::nb_transport_bw);
        SC_THREAD(run);
        SC_THREAD(end_resp_thread);
    }

private:
    void run() {
        for (size_t i = 0; i < requests_.size(); ++i) {
            const Request& r = requests_[i];
            tlm::tlm_generic_payload* t = pool.allocate();
            t->acquire();
            fill(*t, r, buffers_[i], enables_[i]);
            index_[t] = i;
            results[i].issued = sc_time_stamp();
            request_open_ = t;
            tlm::tlm_phase phase = tlm::BEGIN_REQ;
            sc_time delay = SC_ZERO_TIME;
            const tlm::tlm_sync_enum s = socket->nb_transport_fw(*t, phase, delay);
            if (s == tlm::TLM_COMPLETED) {
                request_open_ = nullptr;
                record(*t, delay);
                done(*t);
                continue;
            }
            if (s == tlm::TLM_UPDATED) {
                EXPECT_EQ(phase, tlm::END_REQ);
                request_open_ = nullptr;
                if (delay > SC_ZERO_TIME) wait(delay);
            } else {
                while (request_open_ == t) wait(end_req_);
            }
            if (!pipelined_) {
                while (!results[i].done) wait(response_);
            }
        }
    }

    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& t, tlm::tlm_phase& phase, sc_time& delay) {
        if (phase == tlm::END_REQ || &t == request_open_) {  // BEGIN_RESP implies END_REQ
            request_open_ = nullptr;
            end_req_.notify(delay);
            if (phase == tlm::END_REQ) return tlm::TLM_ACCEPTED;
        }
        EXPECT_EQ(phase, tlm::BEGIN_RESP);
        record(t, delay);
        switch (style_) {
            case RespStyle::Completed:
                done(t);
                return tlm::TLM_COMPLETED;
            case RespStyle::UpdatedEndResp:
                phase = tlm::END_RESP;
                done(t);
                return tlm::TLM_UPDATED;
            case RespStyle::AcceptedThenEndResp:
                end_resp_peq_.notify(t, delay + hold_);
                return tlm::TLM_ACCEPTED;
        }
        return tlm::TLM_ACCEPTED;
    }

    void end_resp_thread() {
        for (;;) {
            tlm::tlm_generic_payload* t = end_resp_peq_.get_next_transaction();
            if (t == nullptr) {
                wait(end_resp_peq_.get_event());
                continue;
            }
            tlm::tlm_phase phase = tlm::END_RESP;
            sc_time delay = SC_ZERO_TIME;
            EXPECT_EQ(socket->nb_transport_fw(*t, phase, delay), tlm::TLM_COMPLETED);
            done(*t);
        }
    }

    void record(tlm::tlm_generic_payload& t, const sc_time& delay) {
        Result& res = results[index_.at(&t)];
        res.finished = sc_time_stamp() + delay;
        res.status = t.get_response_status();
        res.data = buffers_[index_.at(&t)];
    }

    void done(tlm::tlm_generic_payload& t) {
        results[index_.at(&t)].done = true;
        index_.erase(&t);
        t.release();
        response_.notify(SC_ZERO_TIME);
    }

    std::vector<Request> requests_;
    RespStyle style_;
    bool pipelined_;
    sc_time hold_;
    std::vector<std::vector<uint8_t>> buffers_, enables_;
    std::map<const tlm::tlm_generic_payload*, size_t> index_;
    const tlm::tlm_generic_payload* request_open_ = nullptr;  // sent, its END_REQ not seen yet
    sc_core::sc_event end_req_, response_;
    tlm_utils::peq_with_get<tlm::tlm_generic_payload> end_resp_peq_;
};

TEST(PcieLinkLt, DebugTransportAndDmiAreForwarded) {
    ensure_time_resolution();
    LinkBench<BlockingInitiator> tb("tb", PcieConfig{},
                                    std::vector<Request>{write_req(kBase + 100, {9, 8, 7, 6})});
    tb.mem.grant_dmi = true;
    sc_core::sc_start();
    EXPECT_EQ(tb.init.results[0].status, tlm::TLM_OK_RESPONSE);

    std::vector<uint8_t> buf(4, 0);
    tlm::tlm_generic_payload t;
    t.set_read();
    t.set_address(kBase + 100);
    t.set_data_ptr(buf.data());
    t.set_data_length(4);
    t.set_streaming_width(4);
    EXPECT_EQ(tb.init.socket->transport_dbg(t), 4u);
    EXPECT_EQ(buf, (std::vector<uint8_t>{9, 8, 7, 6}));
    EXPECT_EQ(tb.link.transactions_device_to_host(), 0u);  // debug accesses are not traffic

    tlm::tlm_dmi dmi;
    t.set_address(kBase);
    ASSERT_TRUE(tb.init.socket->get_direct_mem_ptr(t, dmi));
    EXPECT_EQ(dmi.get_dmi_ptr(), tb.mem.mem.data());
    EXPECT_EQ(dmi.get_read_latency(), sc_time(5 + 500, SC_NS));   // target's + link latency
    EXPECT_EQ(dmi.get_write_latency(), sc_time(7 + 500, SC_NS));

    tb.mem.grant_dmi = false;
    tlm::tlm_dmi denied;
    EXPECT_FALSE(tb.init.socket->get_direct_mem_ptr(t, denied));
}

TEST(PcieLinkLt, DmiInvalidationReachesTheHost) {
    ensure_time_resolution();
    LinkBench<BlockingInitiator> tb("tb", PcieConfig{}, std::vector<Request>{});
    sc_core::sc_start();
    tb.mem.socket->invalidate_direct_mem_ptr(kBase + 4096, kBase + 8191);
    ASSERT_EQ(tb.init.invalidated.size(), 1u);
    EXPECT_EQ(tb.init.invalidated[0], std::make_pair(kBase + 4096, kBase + 8191));
}

TEST(PcieLinkLt, AcceptsNonBlockingInitiators) {
    ensure_time_resolution();
    const PcieConfig cfg;
    LinkBench<NonBlockingInitiator> tb("tb", cfg,
                                       std::vector<Request>{write_req(kBase, pattern(4096, 3)), read_req(kBase, 4096)});
    sc_core::sc_start();
    EXPECT_NEAR(ns(tb.init.results[0].span()), pcie_transfer_time_ns(4096, cfg), 1.0);
    EXPECT_EQ(tb.init.results[1].data, pattern(4096, 3));
    EXPECT_EQ(tb.init.pool.outstanding(), 0);
}

// The conversion's base protocol: BEGIN_RESP comes after the transfer time and implies END_REQ
// (a pipelined initiator's next request starts then), the initiator may end a response in any
// of the three ways, and a response waits for the END_RESP of the one before it.
TEST(PcieLinkLt, NonBlockingResponsesComeOneAtATime) {
    ensure_time_resolution();
    const PcieConfig cfg;
    const sc_time hold(10, sc_core::SC_US);  // longer than any of the transfers
    const std::vector<Request> reqs = {write_req(kBase, pattern(4096, 1)), read_req(kBase, 4096),
                                       write_req(kBase + 8192, pattern(300, 2))};
    LinkBench<NonBlockingInitiator> completed("completed", cfg, reqs, RespStyle::Completed, true);
    LinkBench<NonBlockingInitiator> updated("updated", cfg, reqs, RespStyle::UpdatedEndResp, true);
    LinkBench<NonBlockingInitiator> held("held", cfg, reqs, RespStyle::AcceptedThenEndResp, true, hold);
    sc_core::sc_start();

    for (auto* tb : {&completed, &updated, &held}) {
        const std::vector<Result>& r = tb->init.results;
        for (size_t i = 0; i < r.size(); ++i) {
            ASSERT_TRUE(r[i].done) << tb->name() << " " << i;
            EXPECT_EQ(r[i].status, tlm::TLM_OK_RESPONSE);
            if (i > 0) {
                EXPECT_EQ(r[i].issued, r[i - 1].finished) << tb->name() << " " << i;
            }
        }
        EXPECT_EQ(r[1].data, pattern(4096, 1));
        EXPECT_EQ(tb->init.pool.outstanding(), 0);
        EXPECT_EQ(tb->link.transactions_host_to_device(), 2u);
        EXPECT_EQ(tb->link.transactions_device_to_host(), 1u);
    }
    for (auto* tb : {&completed, &updated}) {
        for (size_t i = 0; i < reqs.size(); ++i)
            EXPECT_EQ(tb->init.results[i].span(), tb->link.transfer_time(reqs[i].data.size()))
                << tb->name() << " " << i;
    }
    // Each later transfer crossed in its own time but its BEGIN_RESP waited for the END_RESP
    // of the one before.
    const std::vector<Result>& r = held.init.results;
    EXPECT_EQ(r[0].span(), held.link.transfer_time(4096));
    EXPECT_EQ(r[1].finished, r[0].finished + hold);
    EXPECT_EQ(r[2].finished, r[1].finished + hold);
}

}  // namespace pcie_link_interfaces_test
}  // namespace qsim

// The C interface of the ns-3 shim (bs_ns3.h): topology, boxes, applications,
// running and statistics.  Every entry point catches C++ exceptions and turns
// them into a status with a message.
#include "bs_ns3_internal.h"

extern "C" {
#include "base/status.h"
}

#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>
#include <ns3/version.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <exception>
#include <memory>
#include <new>
#include <string>

using namespace ns3;
using namespace bsns3;

struct LinkRec
{
    int a, b;
    double delay_s;
    Ptr<NetDevice> dev[2];
};

// Bytes sent on a directed link: all, and by tag (app, tunnel, untagged).
struct LinkCount
{
    uint64_t total = 0;
    bool by_app = false;                   // bs_ns3_count_by_app: split the bytes below
    uint64_t by[BS_NS3_MAX_APPS + 2] = {}; // apps, then tunnels, then untagged
};

struct bs_ns3
{
    NodeContainer nodes;
    std::vector<LinkRec> links;
    std::vector<Ipv4Address> addr; // each node's address (its first interface)
    bool installed = false;
    std::deque<bs_ns3_call_stats> calls; // deque: stable addresses for the apps
    std::deque<bs_ns3_transfer_stats> transfers;
    std::deque<LinkCount> link_bytes;     // [directed link]
    std::map<int, bs_ns3_box_stats> boxes; // std::map: stable addresses
};

static bool g_alive = false;

// Run f, turning any C++ exception into a status with a message and `fail`.
template <class R, class F>
static R guarded(R fail, F f)
{
    try {
        return f();
    } catch (const std::bad_alloc& e) { // bs_nomem's wording: what was being allocated
        bs_nomem("the packet simulation in ns-3 (%s)", e.what());
    } catch (const std::exception& e) {
        bs_fail(BS_ERUNTIME, "ns-3: %s", e.what());
    } catch (...) {
        bs_fail(BS_ERUNTIME, "ns-3: unknown C++ exception");
    }
    return fail;
}

extern "C" {

// The version of the ns-3 library linked, from the library itself
// (ns3::Version, compiled into libns3-core: Debian's build has no git tag,
// so VersionTag() is a placeholder, but Major/Minor/Patch hold the release).
const char* bs_ns3_version(void)
{
    static const std::string v = [] {
        std::string s = std::to_string(Version::Major()) + "." + std::to_string(Version::Minor());
        if (Version::Patch())
            s += "." + std::to_string(Version::Patch());
        return s;
    }();
    return v.c_str();
}

bs_ns3* bs_ns3_new(uint32_t seed, uint64_t run)
{
    if (g_alive) {
        bs_fail(BS_ERUNTIME, "ns-3: one simulation at a time (the simulator is process-wide)");
        return nullptr;
    }
    if (seed == 0) {
        bs_fail(BS_EINPUT, "ns-3: the seed must not be 0");
        return nullptr;
    }
    return guarded<bs_ns3*>(nullptr, [&]() -> bs_ns3* {
            RngSeedManager::SetSeed(seed);
            RngSeedManager::SetRun(run);
            bs_ns3* s = new bs_ns3;
            g_alive = true;
            return s;
        });
}

void bs_ns3_free(bs_ns3* s)
{
    if (!s)
        return;
    try {
        Simulator::Destroy();
    } catch (...) {
    }
    delete s;
    g_alive = false;
}

int bs_ns3_add_node(bs_ns3* s)
{
    if (s->installed)
        return bs_fail(BS_EINPUT, "ns-3: nodes must be added before bs_ns3_install"), -1;
    return guarded<int>(-1, [&]() -> int {
            s->nodes.Create(1);
            return static_cast<int>(s->nodes.GetN()) - 1;
        });
}

static void count_tx(LinkCount* c, Ptr<const Packet> p)
{
    uint32_t bytes = p->GetSize();
    c->total += bytes;
    if (!c->by_app)
        return;
    BsTag tag;
    int k = BS_NS3_MAX_APPS + 1;
    if (p->PeekPacketTag(tag))
        k = tag.t.vpn > 0 ? BS_NS3_MAX_APPS
            : tag.t.app >= 0 && tag.t.app < BS_NS3_MAX_APPS ? tag.t.app
                                                            : BS_NS3_MAX_APPS + 1;
    c->by[k] += bytes;
}

int bs_ns3_add_link(bs_ns3* s, int a, int b, double rate_bps, double delay_s, int queue_packets)
{
    int n = static_cast<int>(s->nodes.GetN());
    if (s->installed)
        return bs_fail(BS_EINPUT, "ns-3: links must be added before bs_ns3_install"), -1;
    if (a < 0 || a >= n || b < 0 || b >= n || a == b)
        return bs_fail(BS_EINPUT, "ns-3: a link between nodes %d and %d (of %d)", a, b, n), -1;
    if (!(rate_bps >= 1) || !(delay_s >= 0) || queue_packets < 1)
        return bs_fail(BS_EINPUT, "ns-3: link %d-%d: rate %g bit/s, delay %g s, queue %d packets",
                       a, b, rate_bps, delay_s, queue_packets),
               -1;
    return guarded<int>(-1, [&]() -> int {
            PointToPointHelper p2p;
            p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(static_cast<uint64_t>(rate_bps))));
            p2p.SetChannelAttribute("Delay", TimeValue(Seconds(delay_s)));
            p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                         QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, queue_packets)));
            NetDeviceContainer d = p2p.Install(s->nodes.Get(a), s->nodes.Get(b));
            LinkRec rec{a, b, delay_s, {d.Get(0), d.Get(1)}};
            s->links.push_back(rec);
            for (int k = 0; k < 2; k++) {
                s->link_bytes.emplace_back();
                d.Get(k)->TraceConnectWithoutContext(
                    "PhyTxEnd", MakeBoundCallback(&count_tx, &s->link_bytes.back()));
            }
            return static_cast<int>(s->links.size()) - 1;
        });
}

int bs_ns3_install(bs_ns3* s)
{
    if (s->installed)
        return bs_fail(BS_EINPUT, "ns-3: bs_ns3_install called twice");
    return guarded<int>(BS_ERUNTIME, [&]() -> int {
            InternetStackHelper stack;
            stack.Install(s->nodes);
            Ipv4AddressHelper ip;
            s->addr.assign(s->nodes.GetN(), Ipv4Address());
            std::vector<bool> has(s->nodes.GetN(), false);
            for (size_t l = 0; l < s->links.size(); l++) {
                char base[32];
                snprintf(base, sizeof base, "10.%u.%u.0", unsigned(l / 64 % 256),
                         unsigned(l % 64 * 4));
                ip.SetBase(base, "255.255.255.252");
                NetDeviceContainer d;
                d.Add(s->links[l].dev[0]);
                d.Add(s->links[l].dev[1]);
                Ipv4InterfaceContainer ifc = ip.Assign(d);
                // Routes by delay, as models/network.h routes: the metric is
                // the delay in units of 0.1 ms.
                double m = std::min(65535.0, std::max(1.0, std::round(s->links[l].delay_s * 1e4)));
                for (uint32_t k = 0; k < 2; k++)
                    ifc.Get(k).first->SetMetric(ifc.Get(k).second, static_cast<uint16_t>(m));
                int ends[2] = {s->links[l].a, s->links[l].b};
                for (int k = 0; k < 2; k++)
                    if (!has[ends[k]]) {
                        s->addr[ends[k]] = ifc.GetAddress(k);
                        has[ends[k]] = true;
                    }
            }
            for (size_t k = 0; k < has.size(); k++)
                if (!has[k])
                    return bs_fail(BS_EINPUT, "ns-3: node %zu has no link", k);
            Ipv4GlobalRoutingHelper::PopulateRoutingTables();
            s->installed = true;
            return BS_OK;
        });
}

int bs_ns3_add_box(bs_ns3* s, int node, int box, bs_ns3_verdict fn, void* arg)
{
    if (!s->installed)
        return bs_fail(BS_EINPUT, "ns-3: boxes go in after bs_ns3_install (addresses first)");
    if (node < 0 || node >= static_cast<int>(s->nodes.GetN()) || !fn)
        return bs_fail(BS_EINPUT, "ns-3: a box on node %d", node);
    return guarded<int>(BS_ERUNTIME, [&]() -> int {
            bs_ns3_box_stats* st = &s->boxes[box];
            Ptr<Node> n = s->nodes.Get(node);
            Ptr<TrafficControlLayer> tc = n->GetObject<TrafficControlLayer>();
            for (uint32_t i = 0; i < n->GetNDevices(); i++) {
                Ptr<NetDevice> dev = n->GetDevice(i);
                if (!DynamicCast<PointToPointNetDevice>(dev))
                    continue; // the loopback
                // Uninstall crashes on a device without a root queue disc.
                if (tc->GetRootQueueDiscOnDevice(dev))
                    tc->DeleteRootQueueDiscOnDevice(dev);
                TrafficControlHelper tch;
                tch.SetRootQueueDisc("bsns3::BoxQueueDisc");
                QueueDiscContainer q = tch.Install(dev);
                DynamicCast<BoxQueueDisc>(q.Get(0))->Configure(fn, arg, box, static_cast<int>(i), st);
            }
            return BS_OK;
        });
}

int bs_ns3_add_call(bs_ns3* s, const bs_ns3_call_cfg* c)
{
    int n = static_cast<int>(s->nodes.GetN());
    auto bad = [n](int k, bool optional) { return optional ? (k < -1 || k >= n) : (k < 0 || k >= n); };
    if (!s->installed)
        return bs_fail(BS_EINPUT, "ns-3: calls go in after bs_ns3_install"), -1;
    if (bad(c->caller, false) || bad(c->callee, false) || bad(c->relay, true) ||
        bad(c->exit, true) || bad(c->callee_exit, true) || c->caller == c->callee ||
        (c->callee_exit >= 0 && c->vpn <= 0 && c->callee_vpn <= 0) || c->callee_vpn < 0 ||
        !(c->callee_overhead >= 0))
        return bs_fail(BS_EINPUT, "ns-3: a call %d -> %d (relay %d, exit %d) of %d nodes", c->caller,
                       c->callee, c->relay, c->exit, n),
               -1;
    if (!(c->rate_bps > 0) || c->packet_bytes < 1 || c->packet_bytes > 1400 || !(c->duration_s >= 0) ||
        !(c->timeout_s > 0) || !(c->start_s >= 0) || !(c->overhead >= 0) || (c->exit >= 0) != (c->vpn > 0))
        return bs_fail(BS_EINPUT, "ns-3: call: rate %g bit/s, packets of %d bytes (1..1400), "
                                  "duration %g s, timeout %g s, a VPN protocol exactly with an exit",
                       c->rate_bps, c->packet_bytes, c->duration_s, c->timeout_s),
               -1;
    if (s->calls.size() >= 10000)
        return bs_fail(BS_EINPUT, "ns-3: at most 10,000 calls (five UDP ports each)"), -1;
    return guarded<int>(-1, [&]() -> int {
            uint32_t flow = static_cast<uint32_t>(s->calls.size());
            // Hop k of the call listens on port base + k (a node can be on the
            // chain twice: the same exit for both ends, around a relay).
            uint16_t base = static_cast<uint16_t>(10000 + 5 * flow);
            s->calls.push_back(bs_ns3_call_stats{});
            bs_ns3_call_stats* st = &s->calls.back();
            // The chain of nodes: caller, [exit], [relay], callee.
            std::vector<int> chain{c->caller};
            if (c->exit >= 0)
                chain.push_back(c->exit);
            if (c->relay >= 0 && c->relay != chain.back())
                chain.push_back(c->relay);
            if (c->callee_exit >= 0 && c->callee_exit != chain.back())
                chain.push_back(c->callee_exit);
            chain.push_back(c->callee);
            size_t last = chain.size() - 1;
            for (size_t k = 0; k < chain.size(); k++) {
                CallApp::Role role = k == 0 ? CallApp::CALLER
                                     : k + 1 == chain.size() ? CallApp::CALLEE
                                                             : CallApp::FORWARDER;
                uint16_t port = static_cast<uint16_t>(base + k);
                Ptr<CallApp> app = Create<CallApp>(role, *c, flow, port, st);
                Address prev = k > 0 ? Address(InetSocketAddress(s->addr[chain[k - 1]], port - 1))
                                     : Address();
                Address next = k + 1 < chain.size()
                                   ? Address(InetSocketAddress(s->addr[chain[k + 1]], port + 1))
                                   : Address();
                // An end's own packets and its exit's side towards it are the tunnel.
                int t_prev = c->exit >= 0 && k == 1 ? 1 : c->callee_exit >= 0 && k == last ? 2 : 0;
                int t_next = c->exit >= 0 && k == 0 ? 1 : c->callee_exit >= 0 && k + 1 == last ? 2 : 0;
                app->SetPeers(prev, next, t_prev, t_next);
                s->nodes.Get(chain[k])->AddApplication(app);
                app->SetStartTime(Seconds(c->start_s));
            }
            return static_cast<int>(flow);
        });
}

int bs_ns3_add_transfer(bs_ns3* s, int src, int dst, int app, uint64_t bytes, double start_s)
{
    int n = static_cast<int>(s->nodes.GetN());
    if (!s->installed)
        return bs_fail(BS_EINPUT, "ns-3: transfers go in after bs_ns3_install"), -1;
    if (src < 0 || src >= n || dst < 0 || dst >= n || src == dst || bytes == 0 || !(start_s >= 0))
        return bs_fail(BS_EINPUT, "ns-3: a transfer of %llu bytes %d -> %d", (unsigned long long)bytes,
                       src, dst),
               -1;
    if (s->transfers.size() >= 20000)
        return bs_fail(BS_EINPUT, "ns-3: at most 20,000 transfers"), -1;
    return guarded<int>(-1, [&]() -> int {
            uint32_t t = static_cast<uint32_t>(s->transfers.size());
            uint16_t port = static_cast<uint16_t>(40000 + t);
            s->transfers.push_back(bs_ns3_transfer_stats{0, -1});
            bs_pkt_tag tag{static_cast<int16_t>(app), 2 /* messaging */, BS_PKT_DATA, 0, 1000000u + t};
            Ptr<TransferSink> sink = Create<TransferSink>(port, bytes, &s->transfers.back());
            s->nodes.Get(dst)->AddApplication(sink);
            sink->SetStartTime(Seconds(0));
            Ptr<TransferSender> snd =
                Create<TransferSender>(InetSocketAddress(s->addr[dst], port), bytes, tag);
            s->nodes.Get(src)->AddApplication(snd);
            snd->SetStartTime(Seconds(start_s));
            return static_cast<int>(t);
        });
}

int bs_ns3_run(bs_ns3* s, double until_s)
{
    if (!s->installed)
        return bs_fail(BS_EINPUT, "ns-3: nothing to run before bs_ns3_install");
    if (!(until_s > Simulator::Now().GetSeconds()))
        return bs_fail(BS_EINPUT, "ns-3: run until %g s, which is not after now", until_s);
    return guarded<int>(BS_ERUNTIME, [&]() -> int {
            Simulator::Stop(Seconds(until_s) - Simulator::Now());
            Simulator::Run();
            return BS_OK;
        });
}

int bs_ns3_get_call(const bs_ns3* s, int call, bs_ns3_call_stats* out)
{
    if (call < 0 || call >= static_cast<int>(s->calls.size()))
        return bs_fail(BS_EINPUT, "ns-3: no call %d", call);
    *out = s->calls[static_cast<size_t>(call)];
    return BS_OK;
}

int bs_ns3_get_transfer(const bs_ns3* s, int t, bs_ns3_transfer_stats* out)
{
    if (t < 0 || t >= static_cast<int>(s->transfers.size()))
        return bs_fail(BS_EINPUT, "ns-3: no transfer %d", t);
    *out = s->transfers[static_cast<size_t>(t)];
    return BS_OK;
}

uint64_t bs_ns3_link_bytes(const bs_ns3* s, int dl)
{
    return dl >= 0 && dl < static_cast<int>(s->link_bytes.size()) ? s->link_bytes[static_cast<size_t>(dl)].total : 0;
}

int bs_ns3_count_by_app(bs_ns3* s, int dl)
{
    if (dl < 0 || dl >= static_cast<int>(s->link_bytes.size()))
        return bs_fail(BS_EINPUT, "ns-3: no directed link %d to count by app", dl);
    s->link_bytes[static_cast<size_t>(dl)].by_app = true;
    return BS_OK;
}

uint64_t bs_ns3_link_app_bytes(const bs_ns3* s, int dl, int app)
{
    int k = app == BS_NS3_TUNNEL ? BS_NS3_MAX_APPS : app == BS_NS3_UNTAGGED ? BS_NS3_MAX_APPS + 1 : app;
    if (dl < 0 || dl >= static_cast<int>(s->link_bytes.size()) || k < 0 || k > BS_NS3_MAX_APPS + 1)
        return 0;
    return s->link_bytes[static_cast<size_t>(dl)].by[k];
}

int bs_ns3_get_box(const bs_ns3* s, int box, bs_ns3_box_stats* out)
{
    auto it = s->boxes.find(box);
    if (it == s->boxes.end())
        return bs_fail(BS_EINPUT, "ns-3: no box %d", box);
    *out = it->second;
    return BS_OK;
}

} // extern "C"

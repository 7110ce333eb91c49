// bench_ns3_native: the same dumbbell and traffic as bench_ns3_wrapper,
// written in C++ against ns-3 directly, with ns-3's own applications: per
// call, a UdpClient each way (160-byte packets every 10 ms: 128 kbit/s) to
// a UdpServer, for SECONDS.  What the shim adds is its own call
// applications (STUN set-up, tags, per-packet statistics) and its C layer.
// usage: bench_ns3_native CALLS SECONDS
#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>

#include <chrono>
#include <cstdio>

using namespace ns3;

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: bench_ns3_native CALLS SECONDS\n");
        return 2;
    }
    int n = std::atoi(argv[1]);
    double secs = std::atof(argv[2]);
    auto t0 = std::chrono::steady_clock::now();
    RngSeedManager::SetSeed(1);
    RngSeedManager::SetRun(1);
    NodeContainer core, a, b;
    core.Create(2);
    a.Create(n);
    b.Create(n);
    PointToPointHelper p2p;
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", QueueSizeValue(QueueSize("1000p")));
    p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("10ms"));
    std::vector<NetDeviceContainer> links{p2p.Install(core.Get(0), core.Get(1))};
    p2p.SetDeviceAttribute("DataRate", StringValue("100Mbps"));
    p2p.SetChannelAttribute("Delay", StringValue("1ms"));
    for (int i = 0; i < n; i++) {
        links.push_back(p2p.Install(a.Get(i), core.Get(0)));
        links.push_back(p2p.Install(b.Get(i), core.Get(1)));
    }
    InternetStackHelper stack;
    stack.InstallAll();
    Ipv4AddressHelper ip;
    std::vector<Ipv4InterfaceContainer> ifs;
    for (size_t l = 0; l < links.size(); l++) {
        char base[32];
        std::snprintf(base, sizeof base, "10.%u.%u.0", unsigned(l / 64 % 256), unsigned(l % 64 * 4));
        ip.SetBase(base, "255.255.255.252");
        ifs.push_back(ip.Assign(links[l]));
    }
    Ipv4GlobalRoutingHelper::PopulateRoutingTables();
    std::vector<Ptr<UdpServer>> servers;
    for (int i = 0; i < n; i++) {
        Ipv4Address addr_a = ifs[1 + 2 * i].GetAddress(0), addr_b = ifs[2 + 2 * i].GetAddress(0);
        for (int dir = 0; dir < 2; dir++) {
            uint16_t port = static_cast<uint16_t>(10000 + 2 * i + dir);
            UdpServerHelper srv(port);
            ApplicationContainer s = srv.Install(dir ? a.Get(i) : b.Get(i));
            servers.push_back(DynamicCast<UdpServer>(s.Get(0)));
            UdpClientHelper cli(dir ? addr_a : addr_b, port);
            cli.SetAttribute("MaxPackets", UintegerValue(static_cast<uint32_t>(secs / 0.01)));
            cli.SetAttribute("Interval", TimeValue(MilliSeconds(10)));
            cli.SetAttribute("PacketSize", UintegerValue(160));
            ApplicationContainer c = cli.Install(dir ? b.Get(i) : a.Get(i));
            c.Start(Seconds(1.0 + 0.001 * i));
        }
    }
    Simulator::Stop(Seconds(1.0 + 0.001 * n + secs + 1.0));
    Simulator::Run();
    unsigned long long pk = 0;
    for (auto& s : servers)
        pk += s->GetReceived();
    Simulator::Destroy();
    double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("| native (C++, ns-3 apps) | %d | %llu | %.2f | %.3g |\n", n, pk, w, pk / w);
    return 0;
}

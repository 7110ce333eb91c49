// The applications of the ns-3 shim: a call's ends and forwarders, and a
// TCP transfer.
#include "bs_ns3_internal.h"

#include <ns3/tcp-socket-factory.h>
#include <ns3/udp-socket-factory.h>

#include <algorithm>

namespace bsns3
{
using namespace ns3;

static const uint32_t STUN_BYTES = 100;
static const double STUN_RETRY_S = 0.5;

CallApp::CallApp(Role role, const bs_ns3_call_cfg& cfg, uint32_t flow, uint16_t port,
                 bs_ns3_call_stats* stats)
    : m_role(role), m_cfg(cfg), m_flow(flow), m_port(port), m_stats(stats)
{
}

void CallApp::SetPeers(Address prev, Address next, int tunnel_prev, int tunnel_next)
{
    m_prev = prev;
    m_next = next;
    m_tunnel_prev = tunnel_prev;
    m_tunnel_next = tunnel_next;
}

void CallApp::StartApplication()
{
    m_sock = Socket::CreateSocket(GetNode(), UdpSocketFactory::GetTypeId());
    m_sock->Bind(InetSocketAddress(Ipv4Address::GetAny(), m_port));
    m_sock->SetRecvCallback(MakeCallback(&CallApp::Receive, this));
    if (m_role == CALLER) {
        m_first_request = Simulator::Now().GetSeconds();
        SendRequest();
    }
}

void CallApp::StopApplication()
{
    Simulator::Cancel(m_retry);
    Simulator::Cancel(m_send);
    if (m_sock)
        m_sock->Close();
}

// A packet of `payload` bytes (more by the overhead in a tunnel), tagged.
// Forwarded packets keep the sender's time and payload size.
void CallApp::Send(Address to, int dir, int kind, uint32_t payload, int tunnel, const BsTag* fwd)
{
    BsTag tag;
    bool callee_own = tunnel == 2 && m_cfg.callee_vpn > 0;
    double overhead = callee_own ? m_cfg.callee_overhead : m_cfg.overhead;
    tag.t.app = static_cast<int16_t>(tunnel ? -1 : m_cfg.app);
    tag.t.cls = static_cast<int8_t>(m_cfg.cls);
    tag.t.kind = static_cast<int8_t>(kind);
    tag.t.vpn = static_cast<int8_t>(!tunnel ? 0 : callee_own ? m_cfg.callee_vpn : m_cfg.vpn);
    tag.t.flow = m_flow;
    tag.dir = static_cast<uint8_t>(dir);
    tag.sent_ns = fwd ? fwd->sent_ns : Simulator::Now().GetNanoSeconds();
    tag.payload = fwd ? fwd->payload : payload;
    double size = tunnel ? tag.payload * (1.0 + overhead) : tag.payload;
    Ptr<Packet> p = Create<Packet>(static_cast<uint32_t>(size + 0.5));
    p->AddPacketTag(tag);
    m_sock->SendTo(p, 0, to);
}

void CallApp::SendRequest()
{
    if (m_answered)
        return;
    double now = Simulator::Now().GetSeconds();
    if (now - m_first_request >= m_cfg.timeout_s)
        return; // "User not available"
    Send(m_next, 0, BS_PKT_STUN, STUN_BYTES, m_tunnel_next, nullptr);
    m_retry = Simulator::Schedule(Seconds(STUN_RETRY_S), &CallApp::SendRequest, this);
}

void CallApp::StartMedia(int dir)
{
    m_media = true;
    m_media_end = Simulator::Now().GetSeconds() + m_cfg.duration_s;
    SendMedia(dir);
}

void CallApp::SendMedia(int dir)
{
    if (Simulator::Now().GetSeconds() >= m_media_end)
        return;
    const Address& to = dir == 0 ? m_next : m_prev;
    int tunnel = dir == 0 ? m_tunnel_next : m_tunnel_prev;
    Send(to, dir, BS_PKT_MEDIA, static_cast<uint32_t>(m_cfg.packet_bytes), tunnel, nullptr);
    m_stats->tx[dir]++;
    double gap = m_cfg.packet_bytes * 8.0 / m_cfg.rate_bps;
    m_send = Simulator::Schedule(Seconds(gap), &CallApp::SendMedia, this, dir);
}

void CallApp::Receive(Ptr<Socket> sock)
{
    Address from;
    Ptr<Packet> p;
    while ((p = sock->RecvFrom(from))) {
        BsTag tag;
        if (!p->PeekPacketTag(tag) || tag.t.flow != m_flow)
            continue;
        double now = Simulator::Now().GetSeconds();
        if (m_role == FORWARDER) {
            // Towards the callee: to next; back: to prev; each tunnelled on
            // an exit's side towards its end.
            if (tag.dir == 0)
                Send(m_next, 0, tag.t.kind, 0, m_tunnel_next, &tag);
            else
                Send(m_prev, 1, tag.t.kind, 0, m_tunnel_prev, &tag);
            continue;
        }
        if (tag.t.kind == BS_PKT_STUN) {
            if (m_role == CALLEE) {
                m_prev = from;
                Send(from, 1, BS_PKT_STUN, STUN_BYTES, m_tunnel_prev, nullptr);
                if (!m_media)
                    StartMedia(1);
            } else if (!m_answered && now - m_first_request <= m_cfg.timeout_s) {
                m_answered = true;
                m_stats->setup_ok = 1;
                m_stats->setup_s = now - m_first_request;
                Simulator::Cancel(m_retry);
                StartMedia(0);
            }
            continue;
        }
        int dir = m_role == CALLEE ? 0 : 1;
        m_stats->rx[dir]++;
        m_stats->rx_bytes[dir] += tag.payload;
        m_stats->delay_sum[dir] += now - tag.sent_ns * 1e-9;
        if (m_first_rx[dir] < 0)
            m_first_rx[dir] = now;
        m_stats->media_s[dir] = now - m_first_rx[dir];
    }
}

TransferSender::TransferSender(Address to, uint64_t bytes, bs_pkt_tag tag)
    : m_to(to), m_left(bytes), m_tag(tag)
{
}

void TransferSender::StartApplication()
{
    m_sock = Socket::CreateSocket(GetNode(), TcpSocketFactory::GetTypeId());
    m_sock->Bind();
    m_sock->Connect(m_to);
    m_sock->SetSendCallback(MakeCallback(&TransferSender::Fill, this));
}

void TransferSender::StopApplication()
{
    if (m_sock)
        m_sock->Close();
}

void TransferSender::Fill(Ptr<Socket> s, uint32_t space)
{
    const uint32_t chunk = 1448;
    while (m_left > 0 && space > 0) {
        uint32_t n = static_cast<uint32_t>(std::min<uint64_t>({m_left, chunk, space}));
        BsTag tag;
        tag.t = m_tag;
        tag.sent_ns = Simulator::Now().GetNanoSeconds();
        tag.payload = n;
        Ptr<Packet> p = Create<Packet>(n);
        p->AddPacketTag(tag);
        int sent = s->Send(p);
        if (sent <= 0)
            break;
        m_left -= static_cast<uint64_t>(sent);
        space -= static_cast<uint32_t>(sent);
    }
    if (m_left == 0)
        s->Close();
}

TransferSink::TransferSink(uint16_t port, uint64_t bytes, bs_ns3_transfer_stats* stats)
    : m_port(port), m_bytes(bytes), m_stats(stats)
{
}

void TransferSink::StartApplication()
{
    m_listen = Socket::CreateSocket(GetNode(), TcpSocketFactory::GetTypeId());
    m_listen->Bind(InetSocketAddress(Ipv4Address::GetAny(), m_port));
    m_listen->Listen();
    m_listen->SetAcceptCallback(MakeNullCallback<bool, Ptr<Socket>, const Address&>(),
                                MakeCallback(&TransferSink::Accept, this));
}

void TransferSink::StopApplication()
{
    for (auto& s : m_accepted)
        s->Close();
    if (m_listen)
        m_listen->Close();
}

void TransferSink::Accept(Ptr<Socket> s, const Address&)
{
    s->SetRecvCallback(MakeCallback(&TransferSink::Receive, this));
    m_accepted.push_back(s);
}

void TransferSink::Receive(Ptr<Socket> s)
{
    Ptr<Packet> p;
    while ((p = s->Recv())) {
        m_stats->rx_bytes += p->GetSize();
        if (m_stats->rx_bytes >= m_bytes && m_stats->done_s < 0)
            m_stats->done_s = Simulator::Now().GetSeconds();
    }
}

} // namespace bsns3

// bs_ns3_internal: the C++ side of the ns-3 shim, shared by its files.
// Nothing here is seen from C.
#ifndef BS_NS3_INTERNAL_H
#define BS_NS3_INTERNAL_H

#include "ns3/bs_ns3.h"

#include <ns3/application.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/queue-disc.h>

#include <map>
#include <vector>

namespace bsns3
{

// What a box can see, plus what the endpoints need: the send time and the
// payload size before any tunnel overhead.
class BsTag : public ns3::Tag
{
  public:
    bs_pkt_tag t{};
    int64_t sent_ns = 0;
    uint32_t payload = 0;
    uint8_t dir = 0; // 0: caller -> callee, 1: back

    static ns3::TypeId GetTypeId();
    ns3::TypeId GetInstanceTypeId() const override;
    uint32_t GetSerializedSize() const override;
    void Serialize(ns3::TagBuffer b) const override;
    void Deserialize(ns3::TagBuffer b) override;
    void Print(std::ostream& os) const override;
};

// A censor box on one device: asks the C callback for each packet.
class BoxQueueDisc : public ns3::QueueDisc
{
  public:
    static ns3::TypeId GetTypeId();
    BoxQueueDisc();
    void Configure(bs_ns3_verdict fn, void* arg, int box, int dev, bs_ns3_box_stats* stats);

  private:
    bool DoEnqueue(ns3::Ptr<ns3::QueueDiscItem> item) override;
    ns3::Ptr<ns3::QueueDiscItem> DoDequeue() override;
    bool CheckConfig() override;
    void InitializeParams() override;
    bool Police(uint32_t flow, double rate, uint32_t bytes);

    bs_ns3_verdict m_fn = nullptr;
    void* m_arg = nullptr;
    int m_box = -1, m_dev = -1;
    bs_ns3_box_stats* m_stats = nullptr;
    struct Bucket
    {
        double tokens; // bytes
        double last;   // s
    };
    std::map<uint32_t, Bucket> m_buckets;
};

// One end of a call (caller or callee), or a forwarder on a relay or VPN
// exit.  Hop k of call n listens on UDP port 10000 + 5 n + k.
class CallApp : public ns3::Application
{
  public:
    enum Role
    {
        CALLER,
        CALLEE,
        FORWARDER
    };
    CallApp(Role role, const bs_ns3_call_cfg& cfg, uint32_t flow, uint16_t port,
            bs_ns3_call_stats* stats);
    // The hop towards the caller (prev) and towards the callee (next); the
    // caller needs only next, the callee learns prev from the request.
    // tunnel_prev, tunnel_next: the packets to and from prev (next) are
    // tunnel packets: a tunnelled end's own packets, its exit's side towards it.
    void SetPeers(ns3::Address prev, ns3::Address next, int tunnel_prev, int tunnel_next);

  private:
    void StartApplication() override;
    void StopApplication() override;
    void Receive(ns3::Ptr<ns3::Socket> sock);
    void SendRequest();
    void SendMedia(int dir);
    void StartMedia(int dir);
    void Send(ns3::Address to, int dir, int kind, uint32_t payload, int tunnel, const BsTag* fwd);

    Role m_role;
    bs_ns3_call_cfg m_cfg;
    uint32_t m_flow;
    uint16_t m_port;
    bs_ns3_call_stats* m_stats;
    ns3::Ptr<ns3::Socket> m_sock;
    ns3::Address m_prev, m_next;
    int m_tunnel_prev = 0, m_tunnel_next = 0; // 0: plain; 1: the caller's tunnel; 2: the callee's
    bool m_answered = false, m_media = false;
    double m_media_end = 0;
    double m_first_request = -1;
    double m_first_rx[2] = {-1, -1};
    ns3::EventId m_retry, m_send;
};

// A TCP transfer of a given number of bytes, tagged packet by packet.
class TransferSender : public ns3::Application
{
  public:
    TransferSender(ns3::Address to, uint64_t bytes, bs_pkt_tag tag);

  private:
    void StartApplication() override;
    void StopApplication() override;
    void Fill(ns3::Ptr<ns3::Socket> s, uint32_t space);
    ns3::Address m_to;
    uint64_t m_left;
    bs_pkt_tag m_tag;
    ns3::Ptr<ns3::Socket> m_sock;
};

class TransferSink : public ns3::Application
{
  public:
    TransferSink(uint16_t port, uint64_t bytes, bs_ns3_transfer_stats* stats);

  private:
    void StartApplication() override;
    void StopApplication() override;
    void Accept(ns3::Ptr<ns3::Socket> s, const ns3::Address& from);
    void Receive(ns3::Ptr<ns3::Socket> s);
    uint16_t m_port;
    uint64_t m_bytes;
    bs_ns3_transfer_stats* m_stats;
    ns3::Ptr<ns3::Socket> m_listen;
    std::vector<ns3::Ptr<ns3::Socket>> m_accepted;
};

} // namespace bsns3

#endif

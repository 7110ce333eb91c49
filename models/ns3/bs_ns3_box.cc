// The packet tag and the censor box (a queue discipline) of the ns-3 shim.
#include "bs_ns3_internal.h"

#include <algorithm>

#include <ns3/drop-tail-queue.h>

namespace bsns3
{
using namespace ns3;

NS_OBJECT_ENSURE_REGISTERED(BsTag);
NS_OBJECT_ENSURE_REGISTERED(BoxQueueDisc);

TypeId BsTag::GetTypeId()
{
    static TypeId tid =
        TypeId("bsns3::BsTag").SetParent<Tag>().SetGroupName("blockshift").AddConstructor<BsTag>();
    return tid;
}

TypeId BsTag::GetInstanceTypeId() const { return GetTypeId(); }

uint32_t BsTag::GetSerializedSize() const { return 2 + 1 + 1 + 1 + 4 + 8 + 4 + 1; }

void BsTag::Serialize(TagBuffer b) const
{
    b.WriteU16(static_cast<uint16_t>(t.app));
    b.WriteU8(static_cast<uint8_t>(t.cls));
    b.WriteU8(static_cast<uint8_t>(t.kind));
    b.WriteU8(static_cast<uint8_t>(t.vpn));
    b.WriteU32(t.flow);
    b.WriteU64(static_cast<uint64_t>(sent_ns));
    b.WriteU32(payload);
    b.WriteU8(dir);
}

void BsTag::Deserialize(TagBuffer b)
{
    t.app = static_cast<int16_t>(b.ReadU16());
    t.cls = static_cast<int8_t>(b.ReadU8());
    t.kind = static_cast<int8_t>(b.ReadU8());
    t.vpn = static_cast<int8_t>(b.ReadU8());
    t.flow = b.ReadU32();
    sent_ns = static_cast<int64_t>(b.ReadU64());
    payload = b.ReadU32();
    dir = b.ReadU8();
}

void BsTag::Print(std::ostream& os) const
{
    os << "app=" << t.app << " class=" << int(t.cls) << " kind=" << int(t.kind)
       << " vpn=" << int(t.vpn) << " flow=" << t.flow;
}

TypeId BoxQueueDisc::GetTypeId()
{
    static TypeId tid =
        TypeId("bsns3::BoxQueueDisc")
            .SetParent<QueueDisc>()
            .SetGroupName("blockshift")
            .AddConstructor<BoxQueueDisc>()
            .AddAttribute("MaxSize", "The most packets the box's queue holds",
                          QueueSizeValue(QueueSize("1000p")),
                          MakeQueueSizeAccessor(&QueueDisc::SetMaxSize, &QueueDisc::GetMaxSize),
                          MakeQueueSizeChecker());
    return tid;
}

BoxQueueDisc::BoxQueueDisc() : QueueDisc(QueueDiscSizePolicy::SINGLE_INTERNAL_QUEUE) {}

void BoxQueueDisc::Configure(bs_ns3_verdict fn, void* arg, int box, int dev, bs_ns3_box_stats* stats)
{
    m_fn = fn;
    m_arg = arg;
    m_box = box;
    m_dev = dev;
    m_stats = stats;
}

// A token bucket per flow on this device: `rate` bit/s, 50 ms of depth but at
// least 1,500 bytes (a bucket shallower than a full packet would drop every
// full packet whatever the rate, which no policer is configured to do).
bool BoxQueueDisc::Police(uint32_t flow, double rate, uint32_t bytes)
{
    double now = Simulator::Now().GetSeconds(), depth = std::max(rate / 8.0 * 0.05, 1500.0);
    auto it = m_buckets.find(flow);
    if (it == m_buckets.end())
        it = m_buckets.emplace(flow, Bucket{depth, now}).first;
    Bucket& b = it->second;
    b.tokens = std::min(depth, b.tokens + (now - b.last) * rate / 8.0);
    b.last = now;
    if (b.tokens < bytes)
        return false;
    b.tokens -= bytes;
    return true;
}

bool BoxQueueDisc::DoEnqueue(Ptr<QueueDiscItem> item)
{
    BsTag tag;
    uint32_t bytes = item->GetSize();
    if (m_fn && item->GetPacket()->PeekPacketTag(tag)) {
        double rate = 0;
        int v = m_fn(m_arg, m_box, m_dev, &tag.t, &rate);
        if (v == BS_DROP) {
            m_stats->dropped++;
            m_stats->dropped_b += bytes;
            DropBeforeEnqueue(item, "censored");
            return false;
        }
        if (v == BS_POLICE && !Police(tag.t.flow, rate, bytes)) {
            m_stats->policed++;
            m_stats->policed_b += bytes;
            DropBeforeEnqueue(item, "policed");
            return false;
        }
    }
    if (!GetInternalQueue(0)->Enqueue(item))
        return false; // the queue counted the drop
    m_stats->passed++;
    m_stats->passed_b += bytes;
    return true;
}

Ptr<QueueDiscItem> BoxQueueDisc::DoDequeue() { return GetInternalQueue(0)->Dequeue(); }

bool BoxQueueDisc::CheckConfig()
{
    if (GetNQueueDiscClasses() > 0 || GetNPacketFilters() > 0)
        return false;
    if (GetNInternalQueues() == 0)
        AddInternalQueue(CreateObjectWithAttributes<DropTailQueue<QueueDiscItem>>(
            "MaxSize", QueueSizeValue(GetMaxSize())));
    return GetNInternalQueues() == 1;
}

void BoxQueueDisc::InitializeParams() {}

} // namespace bsns3

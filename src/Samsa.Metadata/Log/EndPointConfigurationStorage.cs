using System.Net;
using DotNext.Buffers;
using DotNext.Net;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace Samsa.Metadata.Log;

/// <summary>The fixed voter list, kept in memory (every node is started with the same list).</summary>
internal sealed class EndPointConfigurationStorage : InMemoryClusterConfigurationStorage<EndPoint>
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> output) => output.WriteEndPoint(address);

    protected override EndPoint Decode(ref SequenceReader reader) => reader.ReadEndPoint();
}

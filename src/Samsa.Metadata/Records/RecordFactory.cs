using System.Collections.Immutable;
using Samsa.Metadata.Image;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Records;

/// <summary>Builds metadata records, at the versions this build writes, from image types.</summary>
public static class RecordFactory
{
    /// <summary>Versions written (the newest each reader here understands and the image needs).</summary>
    public const short RegisterBrokerVersion = 1;
    public const short PartitionVersion = 0;
    public const short PartitionChangeVersion = 0;
    public const short BrokerRegistrationChangeVersion = 1;

    public static MetadataRecord RegisterBroker(BrokerRegistration broker)
    {
        var record = new RegisterBrokerRecord
        {
            BrokerId = broker.Id,
            IncarnationId = broker.IncarnationId,
            BrokerEpoch = broker.Epoch,
            Rack = broker.Rack,
            Fenced = broker.Fenced,
            InControlledShutdown = broker.InControlledShutdown,
        };
        foreach (var l in broker.Listeners)
        {
            record.EndPoints.Add(new RegisterBrokerRecord.BrokerEndpoint
            {
                Name = l.Name,
                Host = l.Host,
                Port = (ushort)l.Port,
                SecurityProtocol = l.SecurityProtocol,
            });
        }

        foreach (var (name, (min, max)) in broker.SupportedFeatures.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            record.Features.Add(new RegisterBrokerRecord.BrokerFeature
            {
                Name = name,
                MinSupportedVersion = min,
                MaxSupportedVersion = max,
            });
        }

        return new MetadataRecord(record, RegisterBrokerVersion);
    }

    public static MetadataRecord Partition(Guid topicId, int partitionId, PartitionRegistration p)
        => new(new PartitionRecord
        {
            PartitionId = partitionId,
            TopicId = topicId,
            Replicas = [.. p.Replicas],
            Isr = [.. p.Isr],
            RemovingReplicas = [.. p.RemovingReplicas],
            AddingReplicas = [.. p.AddingReplicas],
            Leader = p.Leader,
            LeaderRecoveryState = p.LeaderRecoveryState,
            LeaderEpoch = p.LeaderEpoch,
            PartitionEpoch = p.PartitionEpoch,
        }, PartitionVersion);

    /// <summary>A new partition: leader is the first replica, every replica in sync, epochs 0.</summary>
    public static MetadataRecord NewPartition(Guid topicId, int partitionId, ImmutableArray<int> replicas)
        => Partition(topicId, partitionId, new PartitionRegistration(
            replicas, replicas, [], [], replicas.Length > 0 ? replicas[0] : PartitionRegistration.NoLeader, 0, 0, 0));

    /// <summary>Sets (value not null) or deletes (value null) one config key.</summary>
    public static MetadataRecord Config(ConfigResource resource, string name, string? value)
        => new(new ConfigRecord
        {
            ResourceType = (sbyte)resource.Type,
            ResourceName = resource.Name,
            Name = name,
            Value = value,
        }, 0);
}

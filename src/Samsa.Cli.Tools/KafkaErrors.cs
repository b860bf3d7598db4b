using Samsa.Client;
using Samsa.Protocol;

namespace Samsa.Cli.Tools;

/// <summary>Kafka's wording for the error codes the tools meet most, so messages read as Kafka's tools print them.</summary>
internal static class KafkaErrors
{
    public static string Message(ErrorCode code) => code switch
    {
        ErrorCode.UnknownTopicOrPartition => "This server does not host this topic-partition.",
        ErrorCode.LeaderNotAvailable => "There is no leader for this topic-partition as we are in the middle of a leadership election.",
        ErrorCode.InvalidTopicException => "The request attempted to perform an operation on an invalid topic.",
        ErrorCode.TopicAlreadyExists => "Topic already exists.",
        ErrorCode.InvalidPartitions => "Number of partitions is below 1.",
        ErrorCode.InvalidReplicationFactor => "Replication factor is below 1 or larger than the number of available brokers.",
        ErrorCode.InvalidConfig => "Configuration is invalid.",
        ErrorCode.PolicyViolation => "Request parameters do not satisfy the configured policy.",
        ErrorCode.GroupIdNotFound => "The group id does not exist.",
        ErrorCode.NonEmptyGroup => "The group is not empty.",
        ErrorCode.UnknownMemberId => "The coordinator is not aware of this member.",
        ErrorCode.CoordinatorNotAvailable => "The coordinator is not available.",
        ErrorCode.NotCoordinator => "This is not the correct coordinator.",
        ErrorCode.TopicAuthorizationFailed => "Topic authorization failed.",
        ErrorCode.GroupAuthorizationFailed => "Group authorization failed.",
        ErrorCode.UnsupportedVersion => "The version of API is not supported.",
        ErrorCode.RequestTimedOut => "The request timed out.",
        ErrorCode.TopicDeletionDisabled => "Topic deletion is disabled.",
        ErrorCode.UnknownTopicId => "This server does not host this topic ID.",
        _ => code.ToString(),
    };

    /// <summary>One line for a failed admin call: each failed entity with the broker's message or Kafka's.</summary>
    public static string Describe(AdminException e)
    {
        var parts = new List<string>();
        foreach (var r in e.Results)
        {
            if (r.IsSuccess) continue;
            parts.Add(Describe(r));
        }
        return parts.Count == 0 ? e.Message : string.Join(" ", parts);
    }

    public static string Describe(AdminResult r) => r.Error switch
    {
        ErrorCode.TopicAlreadyExists => $"Topic '{r.Name}' already exists.",
        ErrorCode.UnknownTopicOrPartition when !r.Name.Contains('-', StringComparison.Ordinal) || r.ErrorMessage is null
            => $"Topic '{r.Name}' does not exist as expected",
        _ => string.IsNullOrEmpty(r.ErrorMessage) ? $"{r.Name}: {Message(r.Error)}" : r.ErrorMessage,
    };
}

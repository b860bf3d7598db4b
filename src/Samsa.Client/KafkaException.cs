using Samsa.Protocol;

namespace Samsa.Client;

/// <summary>
/// An error from a broker or from the client, carrying Kafka's error code (or
/// <see cref="ErrorCode.UnknownServerError"/> for client-side failures) and whether retrying the
/// operation may succeed.
/// </summary>
public class KafkaException : Exception
{
    public KafkaException(ErrorCode errorCode, string message) : this(errorCode, message, null) { }

    public KafkaException(ErrorCode errorCode, string message, Exception? inner) : base(message, inner)
    {
        ErrorCode = errorCode;
        IsRetriable = IsRetriableCode(errorCode);
    }

    protected KafkaException(ErrorCode errorCode, string message, bool isRetriable, Exception? inner) : base(message, inner)
    {
        ErrorCode = errorCode;
        IsRetriable = isRetriable;
    }

    public ErrorCode ErrorCode { get; }

    /// <summary>True when the same operation may succeed later (a leader moved, a timeout, a disconnect).</summary>
    public bool IsRetriable { get; }

    /// <summary>An exception for a response error code, with Kafka's name of the code in the message.</summary>
    public static KafkaException FromErrorCode(ErrorCode code, string? context = null, string? brokerMessage = null)
    {
        var message = context is null ? code.ToString() : $"{context}: {code}";
        if (!string.IsNullOrEmpty(brokerMessage)) message += $" ({brokerMessage})";
        return code switch
        {
            ErrorCode.OffsetOutOfRange => new OffsetOutOfRangeException(message),
            _ => new KafkaException(code, message),
        };
    }

    /// <summary>Kafka's constant name of an error code, as its clients log it: LEADER_NOT_AVAILABLE.</summary>
    public static string ErrorName(ErrorCode code)
    {
        var name = code.ToString();
        var sb = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && !char.IsUpper(name[i - 1])) sb.Append('_');
            sb.Append(char.ToUpperInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary>Kafka's retriable errors: the ones its clients retry on their own.</summary>
    public static bool IsRetriableCode(ErrorCode code) => code switch
    {
        ErrorCode.CorruptMessage or ErrorCode.UnknownTopicOrPartition or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderOrFollower or ErrorCode.RequestTimedOut or ErrorCode.NetworkException
            or ErrorCode.CoordinatorLoadInProgress or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator
            or ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.NotController
            or ErrorCode.ConcurrentTransactions or ErrorCode.KafkaStorageError or ErrorCode.FetchSessionIdNotFound
            or ErrorCode.InvalidFetchSessionEpoch or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch
            or ErrorCode.OffsetNotAvailable or ErrorCode.PreferredLeaderNotAvailable or ErrorCode.EligibleLeadersNotAvailable
            or ErrorCode.UnstableOffsetCommit or ErrorCode.ThrottlingQuotaExceeded or ErrorCode.UnknownTopicId
            or ErrorCode.InconsistentTopicId or ErrorCode.FetchSessionTopicIdError or ErrorCode.ReplicaNotAvailable
            or ErrorCode.BrokerNotAvailable => true,
        _ => false,
    };
}

/// <summary>A client-side wait ran out (max.block.ms, request.timeout.ms, delivery.timeout.ms...).</summary>
public sealed class KafkaTimeoutException : KafkaException
{
    public KafkaTimeoutException(string message, Exception? inner = null) : base(ErrorCode.RequestTimedOut, message, true, inner) { }
}

/// <summary>A connection to a broker failed or was closed while a request was outstanding.</summary>
public sealed class KafkaNetworkException : KafkaException
{
    public KafkaNetworkException(string message, Exception? inner = null) : base(ErrorCode.NetworkException, message, true, inner) { }
}

/// <summary>A fetch position is outside the partition's log and auto.offset.reset is none.</summary>
public sealed class OffsetOutOfRangeException : KafkaException
{
    public OffsetOutOfRangeException(string message) : base(ErrorCode.OffsetOutOfRange, message, false, null) { }
}

/// <summary>Thrown by a blocking consumer call after <c>Wakeup()</c> was called from another thread.</summary>
public sealed class WakeupException : KafkaException
{
    public WakeupException() : base(ErrorCode.None, "The consumer was woken up.", false, null) { }
}

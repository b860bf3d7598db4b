namespace Samsa.Protocol.Records;

/// <summary>What a batch's timestamps mean: set by the producer, or by the broker on append (attributes bit 3).</summary>
public enum TimestampType
{
    CreateTime = 0,
    LogAppendTime = 1,
}

using Samsa.Protocol;

namespace Samsa.Client.Tests;

public class KafkaExceptionTests
{
    [Theory]
    [InlineData(ErrorCode.LeaderNotAvailable, "LEADER_NOT_AVAILABLE")]
    [InlineData(ErrorCode.UnknownTopicOrPartition, "UNKNOWN_TOPIC_OR_PARTITION")]
    [InlineData(ErrorCode.None, "NONE")]
    public void Error_names_are_Kafkas_constants(ErrorCode code, string name) => Assert.Equal(name, KafkaException.ErrorName(code));
}

using Samsa.Cli.Tools;
using Samsa.Client;

namespace Samsa.Cli.Tests.Tools;

public class OffsetResetPlanTests
{
    private static readonly TopicPartition P0 = new("third_topic", 0), P1 = new("third_topic", 1);
    private static readonly Dictionary<TopicPartition, LogOffsets> Log = new() { [P0] = new(2, 10), [P1] = new(0, 5) };
    private static readonly Dictionary<TopicPartition, long> Committed = new() { [P0] = 8, [P1] = 1 };

    private static long[] Plan(ResetSpec spec, IReadOnlyDictionary<TopicPartition, long>? byTime = null) =>
        OffsetResetPlan.Plan(spec, [P1, P0], Committed, Log, byTime).Values.ToArray();

    [Fact]
    public void Earliest_latest_and_current() 
    {
        Assert.Equal([2, 0], Plan(new ResetSpec.ToEarliest()));
        Assert.Equal([10, 5], Plan(new ResetSpec.ToLatest()));
        Assert.Equal([8, 1], Plan(new ResetSpec.ToCurrent()));
    }

    [Fact]
    public void Explicit_offsets_and_shifts_are_clamped_to_the_log()
    {
        Assert.Equal([3, 3], Plan(new ResetSpec.ToOffset(3)));
        Assert.Equal([10, 5], Plan(new ResetSpec.ToOffset(100)));
        Assert.Equal([10, 3], Plan(new ResetSpec.ShiftBy(2)));
        Assert.Equal([2, 0], Plan(new ResetSpec.ShiftBy(-7)));
        Assert.Equal([2, 0], Plan(new ResetSpec.ShiftBy(long.MinValue)));
    }

    [Fact]
    public void Shift_without_a_committed_offset_is_refused()
    {
        var e = Assert.Throws<ToolException>(() => OffsetResetPlan.Plan(new ResetSpec.ShiftBy(1), [P0], new Dictionary<TopicPartition, long>(), Log));
        Assert.Equal("Cannot shift offset for partition third_topic-0 since there is no current committed offset", e.Message);
    }

    [Fact]
    public void A_time_after_the_last_record_means_the_log_end()
    {
        Assert.Equal([4, 5], Plan(new ResetSpec.ToTimestamp(DateTimeOffset.UnixEpoch), new Dictionary<TopicPartition, long> { [P0] = 4, [P1] = -1 }));
    }

    [Fact]
    public void Datetimes_with_and_without_zone()
    {
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 20, 30, 123, TimeSpan.Zero), OffsetResetPlan.ParseDateTime("2024-03-01T10:20:30.123Z"));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 20, 30, TimeSpan.FromHours(2)), OffsetResetPlan.ParseDateTime("2024-03-01T10:20:30+02:00"));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 20, 30, TimeSpan.FromHours(-5)), OffsetResetPlan.ParseDateTime("2024-03-01T10:20:30-0500"));
        Assert.Equal(new DateTime(2024, 3, 1, 10, 20, 30, 500), OffsetResetPlan.ParseDateTime("2024-03-01T10:20:30.500").LocalDateTime);
        Assert.Throws<ToolException>(() => OffsetResetPlan.ParseDateTime("yesterday"));
    }

    [Fact]
    public void Durations_and_topic_scopes()
    {
        Assert.Equal(TimeSpan.FromMinutes(90), OffsetResetPlan.ParseDuration("PT1H30M"));
        Assert.Equal(TimeSpan.FromDays(2), OffsetResetPlan.ParseDuration("P2D"));
        Assert.Throws<ToolException>(() => OffsetResetPlan.ParseDuration("P"));
        Assert.Throws<ToolException>(() => OffsetResetPlan.ParseDuration("1h"));
        Assert.Equal(("t", (List<int>?)null), OffsetResetPlan.ParseTopicScope("t"));
        var (topic, partitions) = OffsetResetPlan.ParseTopicScope("t:0,2");
        Assert.Equal("t", topic);
        Assert.Equal([0, 2], partitions!);
        Assert.Throws<ToolException>(() => OffsetResetPlan.ParseTopicScope("t:x"));
    }
}

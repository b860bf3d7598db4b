using Microsoft.Extensions.Time.Testing;
using Samsa.Broker.Groups;
using Samsa.Protocol;

namespace Samsa.Groups.Tests.Coordinator;

/// <summary>A coordinator on a fake clock and an in-memory log, every partition loaded, plus join helpers.</summary>
internal sealed class Harness : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public Harness(GroupCoordinatorOptions? options = null, InMemoryCoordinatorLogBase? log = null, FakeTimeProvider? time = null)
    {
        Time = time ?? new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        Log = log ?? new InMemoryCoordinatorLog();
        Options = options ?? new GroupCoordinatorOptions { GroupInitialRebalanceDelayMs = 0 };
        Coordinator = new GroupCoordinator(Log, Options, Time);
        for (int p = 0; p < Log.PartitionCount; p++) Coordinator.LoadPartition(p);
    }

    public FakeTimeProvider Time { get; }
    public InMemoryCoordinatorLogBase Log { get; }
    public GroupCoordinatorOptions Options { get; }
    public GroupCoordinator Coordinator { get; }

    public static IReadOnlyList<GroupProtocol> Protocols(params string[] names) =>
        names.Select(n => new GroupProtocol(n, System.Text.Encoding.UTF8.GetBytes("meta-" + n))).ToArray();

    public static JoinGroupRequestData Join(string group, string memberId = "", string? instanceId = null, IReadOnlyList<GroupProtocol>? protocols = null,
        int sessionTimeoutMs = 10_000, int rebalanceTimeoutMs = 30_000, bool requireKnownMemberId = false, string protocolType = "consumer") =>
        new(group, memberId, instanceId, protocolType, protocols ?? Protocols("range"), sessionTimeoutMs, rebalanceTimeoutMs,
            "client", "/127.0.0.1", requireKnownMemberId);

    /// <summary>Joins and syncs one member into an empty group; returns its member id and generation.</summary>
    public async Task<(string MemberId, int Generation)> JoinStableAsync(string group, string? instanceId = null, byte[]? assignment = null)
    {
        var join = await Coordinator.JoinGroupAsync(Join(group, instanceId: instanceId)).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, join.Error);
        var sync = await Coordinator.SyncGroupAsync(group, join.GenerationId, join.MemberId, instanceId, null, null,
            new Dictionary<string, byte[]> { [join.MemberId] = assignment ?? [1, 2, 3] }).WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, sync.Error);
        return (join.MemberId, join.GenerationId);
    }

    public GroupState State(string group) => Coordinator.DescribeGroup(group).State;

    /// <summary>Waits (without sleeping blindly) until a condition holds.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting until " + what);
            await Task.Delay(5);
        }
    }

    public void Dispose() => Coordinator.Dispose();
}

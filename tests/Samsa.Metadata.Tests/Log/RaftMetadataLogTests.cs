using Samsa.Metadata.Image;
using Samsa.Metadata.Log;
using Samsa.Metadata.Records;
using Samsa.Protocol.MetadataRecords;

namespace Samsa.Metadata.Tests.Log;

public sealed class RaftMetadataLogTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private MetadataLogOptions Options(int snapshotInterval = 1000, IReadOnlyList<QuorumVoter>? voters = null) => new()
    {
        Directory = Path.Combine(dir.Path, MetadataLogOptions.DirectoryName),
        NodeId = 1,
        Voters = voters ?? [new QuorumVoter(1, "127.0.0.1", Samsa.TestSupport.FreePort.Next())],
        SnapshotIntervalEntries = snapshotInterval,
    };

    private static async Task<(RaftMetadataLog Log, MetadataLoader Loader)> OpenAsync(MetadataLogOptions options)
    {
        var log = new RaftMetadataLog(options);
        var loader = new MetadataLoader();
        await log.StartAsync(loader, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await log.WaitForLeaderAsync(timeout.Token);
        return (log, loader);
    }

    private static MetadataRecord[] TopicBatch(string name)
    {
        var id = Guid.NewGuid();
        return [new MetadataRecord(new TopicRecord { Name = name, TopicId = id }, 0), RecordFactory.NewPartition(id, 0, [1])];
    }

    [Fact]
    public async Task A_quorum_of_one_leads_and_appended_records_are_applied_when_append_returns()
    {
        await using var log = new RaftMetadataLog(Options());
        var loader = new MetadataLoader();
        var leaderEvents = new List<MetadataLeaderChangedEventArgs>();
        log.LeaderChanged += (_, e) => { lock (leaderEvents) leaderEvents.Add(e); };
        await log.StartAsync(loader, CancellationToken.None);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            await log.WaitForLeaderAsync(timeout.Token);

        lock (leaderEvents)
            Assert.Contains(leaderEvents, e => e.IsLocal && e.LeaderId == 1);

        Assert.True(log.IsLeader);
        Assert.Equal(1, log.LeaderId);
        var offset = await log.AppendAsync(TopicBatch("orders"), CancellationToken.None);

        Assert.Equal(offset, log.LastAppliedOffset);
        Assert.Equal(offset, loader.Current.Offset);
        Assert.Equal(1, loader.Current.GetTopic("orders")!.PartitionCount);
        var second = await log.AppendAsync(TopicBatch("payments"), CancellationToken.None);
        Assert.True(second > offset);
    }

    [Fact]
    public async Task Reopening_the_directory_rebuilds_the_same_image()
    {
        var options = Options();
        byte[] before;
        var (log, loader) = await OpenAsync(options);
        await using (log)
        {
            for (var i = 0; i < 20; i++)
                await log.AppendAsync(TopicBatch($"t{i}"), CancellationToken.None);
            await log.AppendAsync([RecordFactory.Config(ConfigResource.Topic("t3"), "retention.ms", "1000")], CancellationToken.None);
            before = TestSupport.Fingerprint(loader.Current);
        }

        var (reopened, reloaded) = await OpenAsync(options);
        await using (reopened)
        {
            Assert.Equal(before, TestSupport.Fingerprint(reloaded.Current));
            Assert.Equal("1000", reloaded.Current.GetConfigs(ConfigResource.Topic("t3"))["retention.ms"]);
            await reopened.AppendAsync(TopicBatch("after-restart"), CancellationToken.None);
            Assert.Equal(21, reloaded.Current.TopicsById.Count);
        }
    }

    [Fact]
    public async Task Snapshots_are_written_and_a_restart_loads_the_newest_then_replays_the_tail()
    {
        var options = Options(snapshotInterval: 5);
        byte[] before;
        var (log, loader) = await OpenAsync(options);
        await using (log)
        {
            for (var i = 0; i < 23; i++)
                await log.AppendAsync(TopicBatch($"t{i}"), CancellationToken.None);
            before = TestSupport.Fingerprint(loader.Current);
        }

        var snapshots = Directory.GetFiles(Path.Combine(options.Directory, "snapshots"));
        Assert.NotEmpty(snapshots);

        // A snapshot that was being written when the process stopped must not survive the next start.
        var stale = Path.Combine(options.Directory, "snapshots", "unfinished.tmp");
        await File.WriteAllTextAsync(stale, "partial");

        var (reopened, reloaded) = await OpenAsync(options);
        await using (reopened)
        {
            Assert.Equal(before, TestSupport.Fingerprint(reloaded.Current));
            Assert.Equal(23, reloaded.Current.TopicsById.Count);
            Assert.False(File.Exists(stale));
        }
    }

    [Fact]
    public async Task Without_a_majority_the_node_is_not_leader_and_writes_fail_with_not_controller()
    {
        // Two voters, the other never started: no majority, no leader.
        var voters = new[] { new QuorumVoter(1, "127.0.0.1", Samsa.TestSupport.FreePort.Next()), new QuorumVoter(2, "127.0.0.1", Samsa.TestSupport.FreePort.Next()) };
        await using var log = new RaftMetadataLog(Options(voters: voters));
        await log.StartAsync(new MetadataLoader(), CancellationToken.None);

        Assert.False(log.IsLeader);
        var e = await Assert.ThrowsAsync<NotControllerException>(async () => await log.AppendAsync(TopicBatch("x"), CancellationToken.None));
        Assert.Contains("NOT_CONTROLLER", e.Message);
    }

    [Fact]
    public async Task A_taken_raft_port_fails_the_start_with_the_endpoint_named()
    {
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        await using var log = new RaftMetadataLog(Options(voters: [new QuorumVoter(1, "127.0.0.1", port)]));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => log.StartAsync(new MetadataLoader(), CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.Contains("controller.quorum.voters", e.Message);
    }

    [Fact]
    public async Task A_corrupt_snapshot_stops_the_start_with_the_file_named()
    {
        var options = Options();
        var snapshots = Directory.CreateDirectory(Path.Combine(options.Directory, "snapshots"));
        await File.WriteAllBytesAsync(Path.Combine(snapshots.FullName, "5-0"), [1, 2, 3]);
        await using var log = new RaftMetadataLog(options);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => log.StartAsync(new MetadataLoader(), CancellationToken.None));
        Assert.Contains("5-0", e.Message);
    }

    [Fact]
    public void A_node_that_is_not_a_voter_is_refused_at_construction()
        => Assert.Throws<ArgumentException>(() => new RaftMetadataLog(Options(voters: [new QuorumVoter(2, "127.0.0.1", 9093)])));

    [Theory]
    [InlineData("1@localhost:9093", 1)]
    [InlineData("1@host-a:9093, 2@host-b:9093,3@[::1]:9094", 3)]
    public void Voters_parse_from_kafka_syntax(string value, int count)
        => Assert.Equal(count, QuorumVoter.ParseList(value).Count);

    [Theory]
    [InlineData("")]
    [InlineData("localhost:9093")]
    [InlineData("x@localhost:9093")]
    [InlineData("1@localhost")]
    [InlineData("1@localhost:99999")]
    [InlineData("1@a:1,1@b:2")]
    public void Bad_voter_lists_name_the_problem(string value)
    {
        var e = Assert.Throws<FormatException>(() => QuorumVoter.ParseList(value));
        Assert.Contains("controller.quorum.voters", e.Message);
    }
}

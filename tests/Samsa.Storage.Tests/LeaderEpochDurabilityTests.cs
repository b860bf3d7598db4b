namespace Samsa.Storage.Tests;

/// <summary>
/// The leader-epoch-checkpoint is rewritten without an fsync when an append starts a new epoch (that
/// append runs on a request thread) and synced before the recovery point passes the epoch. After a
/// crash, epochs the file lost are rebuilt from the batches recovery scans.
/// </summary>
public sealed class LeaderEpochDurabilityTests
{
    private static string CheckpointPath(Storage s, string topic = "t") => Path.Combine(s.LogDir, topic + "-0", "leader-epoch-checkpoint");

    private static void AppendEpochs(Storage s, PartitionLog log)
    {
        for (int i = 0; i < 5; i++)
        {
            Assert.True(log.AppendAsLeader(Batches.Make(2, s.NowMs), leaderEpoch: i < 3 ? 1 : 4).Succeeded);
        }
    }

    [Fact]
    public void A_new_epoch_is_written_at_once_and_synced_by_the_flush_that_moves_the_recovery_point()
    {
        using var s = new Storage();
        PartitionLog log = s.Log();
        AppendEpochs(s, log);
        Assert.True(log.LeaderEpochsNeedSync);
        Assert.Equal("0\n2\n1 0\n4 6\n", File.ReadAllText(CheckpointPath(s)));

        log.Flush();
        Assert.False(log.LeaderEpochsNeedSync);
        Assert.Equal(10, log.RecoveryPoint);
        Assert.Equal("0\n2\n1 0\n4 6\n", File.ReadAllText(CheckpointPath(s)));
    }

    [Fact]
    public void Epochs_the_file_lost_in_a_crash_are_rebuilt_from_the_batches()
    {
        using var dir = new TempDir();
        using (var s = new Storage(dir))
        {
            AppendEpochs(s, s.Log());
        }
        using (var s = new Storage(dir))
        {
            s.Manager.Close();
            // The crash came after epoch 1 was synced and before epoch 4's rewrite reached the disk.
            File.WriteAllText(CheckpointPath(s), "0\n1\n1 0\n");
            s.MakeUnclean();
            s.Open();
            PartitionLog log = s.Log();
            Assert.Equal([new(1, 0), new(4, 6)], log.LeaderEpochs);
            Assert.Equal((1, 6L), log.EndOffsetForEpoch(2));
            Assert.False(log.LeaderEpochsNeedSync);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("0\n2\n1 0\n")]
    [InlineData("0\n2\n1 0\n4 x\n")]
    public void An_unreadable_file_after_a_crash_is_rebuilt_from_the_whole_log(string content)
    {
        using var dir = new TempDir();
        using (var s = new Storage(dir))
        {
            AppendEpochs(s, s.Log());
        }
        using (var s = new Storage(dir))
        {
            s.Manager.Close();
            File.WriteAllText(CheckpointPath(s), content);
            s.Open();
            PartitionLog log = s.Log();
            Assert.Equal([new(1, 0), new(4, 6)], log.LeaderEpochs);
            Assert.Equal("0\n2\n1 0\n4 6\n", File.ReadAllText(CheckpointPath(s)));
        }
    }
}

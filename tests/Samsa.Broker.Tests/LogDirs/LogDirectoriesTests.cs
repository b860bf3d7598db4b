using Samsa.Broker.Config;
using Samsa.Broker.LogDirs;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.LogDirs;

public class LogDirectoriesTests
{
    private static BrokerConfig Config(TempDirectory dir, int nodeId = 1) => BrokerConfig.Create(new Dictionary<string, string>
    {
        ["process.roles"] = "broker,controller",
        ["node.id"] = nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["controller.quorum.voters"] = $"{nodeId}@localhost:9093",
        ["listeners"] = "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093",
        ["controller.listener.names"] = "CONTROLLER",
        ["log.dirs"] = $"{dir.Combine("a")},{dir.Combine("b")}",
        ["metadata.log.dir"] = dir.Combine("meta"),
    });

    [Fact]
    public void Random_uuids_are_22_url_safe_characters_that_round_trip()
    {
        for (int i = 0; i < 200; i++)
        {
            var id = KafkaUuid.NewRandom();
            string text = KafkaUuid.ToString(id);
            Assert.Equal(22, text.Length);
            Assert.DoesNotMatch("[+/=]", text);
            Assert.NotEqual('-', text[0]);
            Assert.True(KafkaUuid.TryParse(text, out var back));
            Assert.Equal(id, back);
        }
        Assert.False(KafkaUuid.TryParse("not-a-uuid", out _));
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", KafkaUuid.ToString(Guid.Empty));
    }

    [Fact]
    public void Format_writes_meta_properties_into_every_directory_and_verify_reads_it_back()
    {
        using var dir = new TempDirectory();
        var config = Config(dir);
        string clusterId = KafkaUuid.ToString(KafkaUuid.NewRandom());
        var written = LogDirectories.Format(config, clusterId, ignoreFormatted: false);
        Assert.Equal(3, written.Count);
        var directoryIds = new HashSet<string>();
        foreach (var d in written)
        {
            var props = PropertiesFile.Load(Path.Combine(d, "meta.properties"));
            Assert.Equal("1", props["version"]);
            Assert.Equal(clusterId, props["cluster.id"]);
            Assert.Equal("1", props["node.id"]);
            Assert.True(directoryIds.Add(props["directory.id"]));
        }
        Assert.Equal(clusterId, LogDirectories.Verify(config));
    }

    [Fact]
    public void Formatting_twice_needs_ignore_formatted()
    {
        using var dir = new TempDirectory();
        var config = Config(dir);
        string clusterId = KafkaUuid.ToString(KafkaUuid.NewRandom());
        LogDirectories.Format(config, clusterId, false);
        var e = Assert.Throws<StorageFormatException>(() => LogDirectories.Format(config, clusterId, false));
        Assert.Contains("already formatted", e.Message);
        Assert.Empty(LogDirectories.Format(config, clusterId, true));
    }

    [Fact]
    public void Verify_refuses_unformatted_foreign_and_mixed_directories()
    {
        using var dir = new TempDirectory();
        var config = Config(dir);
        var e = Assert.Throws<StorageFormatException>(() => LogDirectories.Verify(config));
        Assert.Contains("No meta.properties found in", e.Message);
        Assert.Contains("samsa storage format", e.Message);

        LogDirectories.Format(config, KafkaUuid.ToString(KafkaUuid.NewRandom()), false);
        e = Assert.Throws<StorageFormatException>(() => LogDirectories.Verify(Config(dir, nodeId: 2)));
        Assert.Contains("node.id 1", e.Message);

        new MetaProperties(KafkaUuid.ToString(KafkaUuid.NewRandom()), 1, null).Write(dir.Combine("b"));
        e = Assert.Throws<StorageFormatException>(() => LogDirectories.Verify(config));
        Assert.Contains("different clusters", e.Message);
    }

    [Fact]
    public void An_invalid_cluster_id_is_refused()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<StorageFormatException>(() => LogDirectories.Format(Config(dir), "hello", false));
        Assert.Contains("not a valid", e.Message);
    }
}

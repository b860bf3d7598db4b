using System.Text.Json;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// One real broker process shared by the tests of a class: auto-creation on, topics of
/// <see cref="Partitions"/> partitions, so keyed records spread and placement can be checked.
/// </summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    public const int Partitions = 6;

    public SamsaProcess Broker { get; private set; } = null!;

    public string BootstrapServers => Broker.BootstrapServers;

    public async Task InitializeAsync()
    {
        var options = new SamsaProcessOptions();
        options.Overrides["num.partitions"] = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
        options.Overrides["auto.create.topics.enable"] = "true";
        Broker = await SamsaProcess.StartAsync(options);
    }

    public async Task DisposeAsync() => await Broker.DisposeAsync();

    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}

/// <summary>A record as kcat's <c>-J</c> prints it.</summary>
internal sealed record KcatRecord(string Topic, int Partition, long Offset, string Tstype, long Ts, string? Key, string? Payload, List<string>? Headers);

internal static class Kcat
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Produces <c>key:value</c> lines from a file (one record per line).</summary>
    public static async Task ProduceAsync(string bootstrap, string topic, IEnumerable<string> keyValueLines, IEnumerable<string> extraArgs)
    {
        string file = Path.Combine(Path.GetTempPath(), $"samsa-kcat-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, ExternalTool.Lines(keyValueLines));
        try
        {
            var args = new List<string> { "-P", "-b", bootstrap, "-t", topic, "-K", ":", "-l", file };
            args.AddRange(extraArgs);
            ExternalTool.Result r = await ExternalTool.RunAsync("kcat", args, TimeSpan.FromMinutes(3));
            Assert.True(r.ExitCode == 0, $"kcat -P failed ({r.ExitCode}): {r.Stderr}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Reads the topic from the beginning to its end (<c>-e</c>), every partition.</summary>
    public static async Task<List<KcatRecord>> ConsumeAllAsync(string bootstrap, string topic)
    {
        ExternalTool.Result r = await ExternalTool.RunAsync("kcat",
            ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-J", "-q"], TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0, $"kcat -C failed ({r.ExitCode}): {r.Stderr}");
        var records = new List<KcatRecord>();
        foreach (string line in r.Lines)
        {
            records.Add(JsonSerializer.Deserialize<KcatRecord>(line, Json)!);
        }
        return records;
    }
}

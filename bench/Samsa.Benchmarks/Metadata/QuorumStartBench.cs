using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Samsa.Metadata;
using Samsa.Metadata.Controller;
using Samsa.Metadata.Image;
using Samsa.Metadata.Log;

namespace Samsa.Benchmarks.Metadata;

/// <summary>
/// Start time of the metadata quorum of one (<see cref="MetadataQuorum.StartAsync"/>: open WAL, load
/// snapshot, replay, become leader, bootstrap, register the broker), timed from the call until it
/// returns. The first start of the process pays the JIT; later ones show the steady cost. Then the
/// same for a directory holding <c>topics</c> topics (snapshot + tail replay). Run with:
/// <c>dotnet run -c Release --project bench/Samsa.Benchmarks -- metadata-start [runs] [topics]</c>
/// </summary>
internal static class QuorumStartBench
{
    public static void Run(string[] args)
    {
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var topics = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        var root = Path.Combine(Path.GetTempPath(), "samsa-metadata-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} cores, {Environment.OSVersion}");
            var empty = new List<double>();
            for (var i = 0; i < runs; i++)
                empty.Add(StartOnce(Path.Combine(root, $"empty-{i}"), 0).GetAwaiter().GetResult());
            Console.WriteLine($"empty dir: first (JIT) {empty[0]:0} ms; next {runs - 1}: {Stats(empty.Skip(1).ToList())}");

            var full = Path.Combine(root, "full");
            StartOnce(full, topics).GetAwaiter().GetResult();
            var reopen = new List<double>();
            for (var i = 0; i < runs; i++)
                reopen.Add(StartOnce(full, 0).GetAwaiter().GetResult());
            Console.WriteLine($"restart with {topics} topics: {Stats(reopen)}");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<double> StartOnce(string dir, int createTopics)
    {
        var sw = Stopwatch.StartNew();
        await using var quorum = await MetadataQuorum.StartAsync(new MetadataQuorumOptions
        {
            NodeId = 1,
            LogDirectory = dir,
            Voters = [new QuorumVoter(1, "127.0.0.1", FreePort())],
            Listeners = [new BrokerEndpoint("PLAINTEXT", "localhost", 9092, 0)],
        });
        var elapsed = sw.Elapsed.TotalMilliseconds;
        for (var i = 0; i < createTopics; i++)
            await quorum.Controller.CreateTopicsAsync([new CreatableTopic($"topic-{i}", 3)]);
        return elapsed;
    }

    private static string Stats(List<double> ms)
    {
        if (ms.Count == 0)
            return "-";
        ms.Sort();
        return $"min {ms[0]:0} ms, median {ms[ms.Count / 2]:0} ms, max {ms[^1]:0} ms";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

namespace Samsa.Cli.Tools.Perf;

/// <summary>What one perf run was asked to do (parsed from the command line).</summary>
public sealed record PerfOptions
{
    public required string Topic { get; init; }
    public long NumRecords { get; init; }
    public int RecordSize { get; init; } = 100;
    /// <summary>Target records/s; -1 (or 0) means as fast as possible.</summary>
    public double Throughput { get; init; } = -1;
    public string? BootstrapServers { get; init; }
    public Dictionary<string, string> ProducerProps { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> ConsumerProps { get; init; } = new(StringComparer.Ordinal);
    /// <summary>Consume in this group (subscribe); without it the consumer assigns every partition itself.</summary>
    public string? Group { get; init; }
    /// <summary>The consumer gives up after this long without a record.</summary>
    public int TimeoutMs { get; init; } = 10000;
    public bool PrintMetrics { get; init; }
}

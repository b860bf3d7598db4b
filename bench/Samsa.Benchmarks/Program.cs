using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project bench/Samsa.Benchmarks -- --filter '*'
// Metadata quorum start times: ... -- metadata-start [runs] [topics]
// Storage figures (whole files, not microbenchmarks): ... -- storage [appendMiB] [recoveryMiB] [partitions]
// What a segment roll costs the append that triggers it: ... -- storage-roll [segmentMiB] [rounds]
if (args.Length > 0 && args[0] == "storage")
{
    Samsa.Benchmarks.Storage.StorageBench.Run(args);
    return;
}
if (args.Length > 0 && args[0] == "storage-roll")
{
    Samsa.Benchmarks.Storage.RollBench.Run(args);
    return;
}
if (args.Length > 0 && args[0] == "storage-breakdown")
{
    Samsa.Benchmarks.Storage.AppendBreakdown.Run();
    return;
}
if (args.Length > 0 && args[0] == "metadata-start")
{
    Samsa.Benchmarks.Metadata.QuorumStartBench.Run(args);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal sealed partial class Program;

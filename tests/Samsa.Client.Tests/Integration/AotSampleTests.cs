using System.Diagnostics;
using Samsa.TestSupport;

namespace Samsa.Client.Tests.Integration;

/// <summary>
/// The sample console app publishes with Native AOT without trim or AOT warnings, and the native
/// binary produces and consumes through a real broker. The publish builds into the test's temp
/// directory (<c>--artifacts-path</c>), so nothing is written into the repository.
/// </summary>
public abstract class AotSampleTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : class, IBrokerFixture
{
    [Fact]
    public async Task Sample_publishes_with_native_aot_without_warnings_and_runs_against_the_broker()
    {
        var root = RepositoryRoot();
        var project = Path.Combine(root, "samples", "Samsa.Client.AotSample", "Samsa.Client.AotSample.csproj");
        var output = Directory.CreateTempSubdirectory("samsa-aot-");
        try
        {
            var publish = await RunAsync("dotnet", ["publish", project, "-c", "Release", "-r", "linux-x64",
                "--artifacts-path", Path.Combine(output.FullName, "artifacts"), "-o", Path.Combine(output.FullName, "app"),
                "-p:TreatWarningsAsErrors=false", "-nologo", "-v", "minimal"], TimeSpan.FromMinutes(15));
            Assert.True(publish.ExitCode == 0, publish.Output);
            var warnings = publish.Output.Split('\n').Where(l => l.Contains("warning IL", StringComparison.Ordinal)
                || l.Contains("warning AOT", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(warnings.Count == 0, string.Join('\n', warnings));

            var app = Path.Combine(output.FullName, "app");
            var binary = Path.Combine(app, "Samsa.Client.AotSample");
            Assert.True(File.Exists(binary), "no native binary");
            // Native AOT leaves no managed assemblies to load next to the executable.
            Assert.Empty(Directory.GetFiles(app, "*.dll"));
            var run = await RunAsync(binary, [fixture.BootstrapServers, $"aot-{Guid.NewGuid():N}", "50"], TimeSpan.FromMinutes(2));
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains("consumed 50 records", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Samsa.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Samsa.slnx not found above the test binaries.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        CliResult r = await ProcessRunner.RunAsync(new ProcessStartInfo(file, args), timeout);
        return (r.ExitCode, r.Output);
    }
}

using System.Diagnostics;
using System.Reflection;

namespace Samsa.TestSupport;

/// <summary>Result of one command (<c>samsa</c> or another tool) run to completion.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public string Output => StdOut + StdErr;
}

/// <summary>
/// Locates and runs the built <c>samsa</c> command (<c>dotnet samsa.dll</c>). The dll is the
/// Samsa.Cli build output of the same configuration as the tests; <c>SAMSA_CLI</c> overrides it,
/// with a samsa.dll or with a native <c>samsa</c> executable (run as it is).
/// </summary>
public static class SamsaCli
{
    private static readonly Lazy<string> s_dll = new(Locate);

    /// <summary>Path of samsa.dll, or of a native samsa executable (<c>SAMSA_CLI</c>).</summary>
    public static string DllPath => s_dll.Value;

    private static bool IsNative => !DllPath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    /// <summary>The repository root (the folder holding Samsa.slnx).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>A start info for <c>dotnet samsa.dll args...</c> (or the native executable) with output redirected.</summary>
    public static ProcessStartInfo CreateStartInfo(IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(IsNative ? DllPath : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        if (!IsNative) psi.ArgumentList.Add(DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        return psi;
    }

    /// <summary>Runs a command to completion (killed after <paramref name="timeout"/>, default 60 s).</summary>
    public static Task<CliResult> RunAsync(IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync(CreateStartInfo(args, workingDirectory), timeout ?? TimeSpan.FromSeconds(60));

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null, null);

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("SAMSA_CLI");
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        string configuration = typeof(SamsaCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SamsaBuildConfiguration")?.Value ?? "Release";
        string dll = Path.Combine(RepositoryRoot, "src", "Samsa.Cli", "bin", configuration, "net10.0", "samsa.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"The samsa command is not built ({dll}); build Samsa.Cli or set SAMSA_CLI.");
        return dll;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Samsa.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Samsa.slnx not found above " + AppContext.BaseDirectory);
    }
}

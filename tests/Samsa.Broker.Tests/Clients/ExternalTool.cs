using System.Diagnostics;
using System.Text;
using Samsa.TestSupport;

namespace Samsa.Broker.Tests.Clients;

/// <summary>Runs a client tool (kcat, python, node) to completion with a deadline; kills it on timeout.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout,
        string? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        if (environment is not null)
        {
            foreach ((string k, string v) in environment)
            {
                psi.Environment[k] = v;
            }
        }
        CliResult r = await ProcessRunner.RunAsync(psi, timeout, stdin);
        return new Result(r.ExitCode, r.StdOut, r.StdErr);
    }

    /// <summary>The repository root (where Samsa.slnx is), for scripts and tests/node.</summary>
    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "Samsa.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }
            return dir ?? throw new InvalidOperationException("Samsa.slnx not found above the test binaries");
        }
    }

    public static string Script(string name) => Path.Combine(RepoRoot, "tests", "Samsa.Broker.Tests", "Clients", "scripts", name);

    public static string Lines(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (string l in lines)
        {
            sb.Append(l).Append('\n');
        }
        return sb.ToString();
    }
}

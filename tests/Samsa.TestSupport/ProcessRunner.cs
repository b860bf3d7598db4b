using System.Diagnostics;

namespace Samsa.TestSupport;

/// <summary>Runs a tool (samsa, kcat, python, node, dotnet) to completion with a deadline.</summary>
public static class ProcessRunner
{
    /// <summary>
    /// Starts <paramref name="psi"/> with its output captured, writes <paramref name="stdin"/> (when
    /// given, or closes an input the start info redirects) and waits for the exit; after
    /// <paramref name="timeout"/> the process tree is killed and a <see cref="TimeoutException"/>
    /// carries what it printed.
    /// </summary>
    public static async Task<CliResult> RunAsync(ProcessStartInfo psi, TimeSpan timeout, string? stdin = null)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        if (stdin is not null)
        {
            psi.RedirectStandardInput = true;
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {psi.FileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (psi.RedirectStandardInput)
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }
            process.StandardInput.Close();
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{psi.FileName} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}. Output so far: {await stdout}\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}

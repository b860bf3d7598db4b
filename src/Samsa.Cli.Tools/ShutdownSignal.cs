using System.Runtime.InteropServices;

namespace Samsa.Cli.Tools;

/// <summary>
/// Turns Ctrl-C (SIGINT) and SIGTERM into a cancellation, so a long-running tool (console consumer,
/// console producer) can finish cleanly: leave its group, flush, print its summary.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal(CancellationToken outer = default)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    public CancellationToken Token => _cts.Token;

    public bool IsRequested => _cts.IsCancellationRequested;

    private void OnSignal(PosixSignalContext context)
    {
        // A second signal while shutting down falls through to the default (terminate now).
        if (_cts.IsCancellationRequested) return;
        context.Cancel = true;
        _cts.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _cts.Dispose();
    }
}

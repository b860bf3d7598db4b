using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Samsa.TestSupport;

/// <summary>How <see cref="SamsaProcess"/> starts a node.</summary>
public sealed class SamsaProcessOptions
{
    /// <summary><c>--override</c> pairs applied last (they win over the fixture's own).</summary>
    public Dictionary<string, string> Overrides { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Text of a server.properties to start with. Null: the built-in config, whose data directory
    /// formats itself on the first start. With a file the storage is formatted first (see <see cref="Format"/>).
    /// </summary>
    public string? ServerProperties { get; set; }

    /// <summary>With <see cref="ServerProperties"/>: run <c>samsa storage format</c> before the start.</summary>
    public bool Format { get; set; } = true;

    public int NodeId { get; set; } = 1;

    /// <summary>Wait until the node reports ready and its Kafka port accepts connections.</summary>
    public bool WaitUntilReady { get; set; } = true;

    /// <summary>Deadline for readiness (the first start of a fresh build JITs a lot).</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Extra environment variables for the process.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A real <c>samsa server-start</c> process on free ports (Kafka, controller, HTTP) with its data in a
/// temp directory. <see cref="DisposeAsync"/> kills it if still running and deletes the directory.
/// Output (stdout and stderr) is collected line by line for assertions.
/// <code>
/// await using var broker = await SamsaProcess.StartAsync();
/// // kcat -b broker.BootstrapServers -L ...
/// </code>
/// </summary>
public sealed class SamsaProcess : IAsyncDisposable
{
    private readonly List<string> _lines = [];
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SamsaProcessOptions _options;
    private readonly TempDirectory _dir;
    private readonly bool _ownsDir;
    private Process? _process;
    // Index of the first output line of the current launch: readiness is looked for from there,
    // so a restart does not return on the previous start's "ready" line.
    private int _launchLine;

    private SamsaProcess(SamsaProcessOptions options, TempDirectory dir, bool ownsDir, int port, int controllerPort, int httpPort)
    {
        _options = options;
        _dir = dir;
        _ownsDir = ownsDir;
        Port = port;
        ControllerPort = controllerPort;
        HttpPort = httpPort;
    }

    /// <summary>The Kafka (PLAINTEXT) port on 127.0.0.1.</summary>
    public int Port { get; }

    public int ControllerPort { get; }
    public int HttpPort { get; }

    /// <summary><c>127.0.0.1:port</c>, for <c>bootstrap.servers</c> / <c>kcat -b</c>.</summary>
    public string BootstrapServers => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public Uri HealthUrl => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}/health");

    /// <summary>The temp directory of this node (log dirs are <c>data</c> inside it).</summary>
    public string Directory => _dir.Path;

    public string DataDir => _dir.Combine("data");

    /// <summary>Path of the properties file written from <see cref="SamsaProcessOptions.ServerProperties"/>, if any.</summary>
    public string? PropertiesPath { get; private set; }

    public int ProcessId => _process?.Id ?? 0;
    public bool HasExited => _process is null || _process.HasExited;
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Every line written so far (stdout and stderr, in arrival order).</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_gate) return _lines.ToArray();
        }
    }

    public string Output => string.Join('\n', OutputLines);

    /// <summary>Starts a node (by default waiting until it is ready).</summary>
    public static async Task<SamsaProcess> StartAsync(SamsaProcessOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SamsaProcessOptions();
        for (int attempt = 1; ; attempt++)
        {
            var node = new SamsaProcess(options, new TempDirectory("samsa-node"), ownsDir: true, FreePort.Next(), FreePort.Next(), FreePort.Next());
            try
            {
                await node.LaunchAsync(cancellationToken);
                return node;
            }
            catch (InvalidOperationException) when (attempt < 3 && options.WaitUntilReady && node.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                // A free port was taken by someone else between choosing it and binding: new ports.
                await node.DisposeAsync();
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>The arguments after <c>samsa</c> that this fixture uses.</summary>
    public IReadOnlyList<string> Arguments
    {
        get
        {
            var args = new List<string> { "server-start" };
            if (PropertiesPath is not null) args.Add(PropertiesPath);
            foreach (var (k, v) in EffectiveOverrides())
            {
                args.Add("--override");
                args.Add($"{k}={v}");
            }
            return args;
        }
    }

    private Dictionary<string, string> EffectiveOverrides()
    {
        var ci = CultureInfo.InvariantCulture;
        var o = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["node.id"] = _options.NodeId.ToString(ci),
            ["listeners"] = $"PLAINTEXT://127.0.0.1:{Port.ToString(ci)},CONTROLLER://127.0.0.1:{ControllerPort.ToString(ci)}",
            ["controller.quorum.voters"] = $"{_options.NodeId.ToString(ci)}@127.0.0.1:{ControllerPort.ToString(ci)}",
            ["http.listeners"] = $"http://127.0.0.1:{HttpPort.ToString(ci)}",
            ["log.dirs"] = DataDir,
        };
        foreach (var (k, v) in _options.Overrides) o[k] = v;
        return o;
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        if (_options.ServerProperties is not null && PropertiesPath is null)
        {
            PropertiesPath = _dir.Combine("server.properties");
            await File.WriteAllTextAsync(PropertiesPath, _options.ServerProperties, cancellationToken);
            if (_options.Format)
            {
                var args = new List<string> { "storage", "format", "-t", NewClusterId(), "-c", PropertiesPath };
                foreach (var (k, v) in EffectiveOverrides())
                {
                    args.Add("--override");
                    args.Add($"{k}={v}");
                }
                var result = await SamsaCli.RunAsync(args, _dir.Path);
                if (result.ExitCode != 0) throw new InvalidOperationException($"samsa storage format failed: {result.Output}");
            }
        }

        var psi = SamsaCli.CreateStartInfo(Arguments, _dir.Path);
        foreach (var (k, v) in _options.Environment) psi.Environment[k] = v;
        lock (_gate) _launchLine = _lines.Count;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => Signal();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        if (_options.WaitUntilReady) await WaitUntilReadyAsync(_options.StartTimeout, cancellationToken);
    }

    /// <summary>A random cluster id in Kafka's text form (URL-safe base64 of 16 bytes, not starting with '-').</summary>
    public static string NewClusterId()
    {
        while (true)
        {
            string id = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            if (id[0] != '-') return id;
        }
    }

    /// <summary>Waits for the "ready" line of the current start (after a restart: of the new process), which the node writes once its listeners are open.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        int from;
        lock (_gate) from = _launchLine;
        await WaitForOutputAsync(l => l.Contains(" ready in ", StringComparison.Ordinal), from, timeout, cancellationToken);
    }

    /// <summary>Waits until some output line (since the first start) matches; throws with the output when the process exits first or time runs out.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForOutputAsync(match, 0, timeout, cancellationToken);

    private async Task<string> WaitForOutputAsync(Func<string, bool> match, int from, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        int seen = from;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (match(_lines[seen])) return _lines[seen];
                }
                changed = _changed.Task;
            }
            if (HasExited)
            {
                // Let the last lines arrive before giving up.
                _process?.WaitForExit();
                lock (_gate)
                {
                    for (; seen < _lines.Count; seen++)
                    {
                        if (match(_lines[seen])) return _lines[seen];
                    }
                }
                throw new InvalidOperationException($"samsa exited with code {ExitCode} before the expected output. Output:\n{Output}");
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"Expected output did not appear within {timeout}. Output:\n{Output}");
            await Task.WhenAny(changed, Task.Delay(left, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public Task<string> WaitForOutputAsync(string contains, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitForOutputAsync(l => l.Contains(contains, StringComparison.Ordinal), timeout, cancellationToken);

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is null) return -1;
        if (!_process.HasExited)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            await kill.WaitForExitAsync();
        }
        return await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for the process to exit by itself; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is null) return -1;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"samsa did not exit within {timeout}. Output:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL, no clean shutdown (crash tests).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    /// <summary>Starts the node again on the same ports and data (after <see cref="StopAsync"/> or <see cref="Kill"/>).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (!HasExited) throw new InvalidOperationException("The node is still running; stop or kill it first.");
        _process?.Dispose();
        _process = null;
        OnLine("---- restart ----");
        await LaunchAsync(cancellationToken);
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_gate) _lines.Add(line);
        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            Kill();
            await Task.Yield();
            _process.Dispose();
            _process = null;
        }
        if (_ownsDir) _dir.Dispose();
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("samsa node ").Append(_options.NodeId).Append(" on ").Append(BootstrapServers);
        return sb.ToString();
    }
}

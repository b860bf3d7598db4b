using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Samsa.Broker;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.Requests;
using Samsa.Server.Hosting;
using Samsa.Server.Http;
using Samsa.Server.Network;

namespace Samsa.Server;

/// <summary>
/// The broker process: one Kestrel server carrying the Kafka listeners (connection handlers over
/// System.IO.Pipelines) and the HTTP port (<c>/health</c>; the web console and <c>/metrics</c> map
/// into <see cref="MapHttpEndpoints"/>). Built on the empty web builder (no config files, no
/// environment binding) so a start costs little.
/// </summary>
public sealed class SamsaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly BrokerConfig _config;
    private readonly List<(ListenerEndpoint Listener, ListenOptions Options)> _kafkaListens;
    private readonly List<(Uri Url, ListenOptions Options)> _httpListens;

    private SamsaServer(WebApplication app, BrokerConfig config, List<(ListenerEndpoint, ListenOptions)> kafka, List<(Uri, ListenOptions)> http)
    {
        _app = app;
        _config = config;
        _kafkaListens = kafka;
        _httpListens = http;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>The Kafka listeners as bound (after <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<ListenerEndpoint> KafkaEndpoints => Services.GetRequiredService<BrokerEndpoints>().Bound;

    /// <summary>The HTTP URLs as bound (after <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<Uri> HttpEndpoints { get; private set; } = [];

    /// <summary>
    /// Builds the server. <paramref name="configureServices"/> may add handlers, components or
    /// replace services (tests and embedding).
    /// </summary>
    public static SamsaServer Create(BrokerConfig config, BrokerIdentity identity, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "samsa",
            EnvironmentName = Environments.Production,
        });

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // A failed start is reported by the caller in one line; the host would add a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        var services = builder.Services;
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        services.AddSamsaBroker(config, identity);
        services.AddSingleton<ConnectionLimiter>();
        // Registered before the web server, so components start before listeners open and stop after.
        services.AddHostedService<BrokerComponentsService>();
        services.AddRoutingCore();
        configureServices?.Invoke(services);

        var kafka = new List<(ListenerEndpoint, ListenOptions)>();
        var http = new List<(Uri, ListenOptions)>();
        // Socket completions run the connection loops inline instead of hopping through the thread
        // pool twice per request (receive -> pipe reader, pipe writer -> send): on a loaded machine each
        // hop is a wait for a CPU, which set the produce round trip. Handlers never block a thread
        // (storage appends are short positional writes), which is what inline scheduling asks for.
        // Reading straight into a buffer skips the zero-byte "wait for data" receive before each read.
        services.Configure<SocketTransportOptions>(o =>
        {
            o.UnsafePreferInlineScheduling = true;
            o.WaitForDataBeforeAllocatingBuffer = false;
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            var sp = options.ApplicationServices;
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.Server.Network");
            foreach (var listener in config.BrokerListeners)
            {
                var handler = new KafkaConnectionHandler(listener, sp.GetRequiredService<RequestDispatcher>(),
                    sp.GetRequiredService<ConnectionLimiter>(), config, sp.GetRequiredService<IHostApplicationLifetime>(), logger);
                Listen(options, listener.Host, listener.Port, lo =>
                {
                    lo.Run(handler.OnConnectedAsync);
                    kafka.Add((listener, lo));
                });
            }
            foreach (var url in config.HttpListeners)
            {
                Listen(options, url.Host, url.Port, lo =>
                {
                    lo.Protocols = HttpProtocols.Http1;
                    http.Add((url, lo));
                });
            }
        });

        // After Kestrel's registration, so this one is resolved: 64 KiB receive buffers, one receive
        // per produce request of the Java client's default batch instead of four.
        services.AddSingleton<LargeBlockMemoryPoolFactory>();
        services.AddSingleton<IMemoryPoolFactory<byte>>(sp => sp.GetRequiredService<LargeBlockMemoryPoolFactory>());
        var app = builder.Build();
        app.UseRouting();
        MapHttpEndpoints(app);
        return new SamsaServer(app, config, kafka, http);
    }

    /// <summary>The HTTP side: health now; the web console and /metrics belong here too.</summary>
    private static void MapHttpEndpoints(WebApplication app)
    {
        app.MapHealth();
    }

    /// <summary>Starts components, then listeners; returns when the broker is ready.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var state = Services.GetRequiredService<BrokerState>();
        state.Set(BrokerLifecycle.Starting);
        await _app.StartAsync(cancellationToken);

        var bound = new List<ListenerEndpoint>();
        foreach (var (listener, lo) in _kafkaListens)
        {
            int port = lo.IPEndPoint?.Port ?? listener.Port;
            bound.Add(listener with { Port = port });
        }
        Services.GetRequiredService<BrokerEndpoints>().SetBound(bound);
        var urls = new List<Uri>();
        foreach (var (url, lo) in _httpListens)
        {
            urls.Add(new UriBuilder(url) { Port = lo.IPEndPoint?.Port ?? url.Port }.Uri);
        }
        HttpEndpoints = urls;
        state.Set(BrokerLifecycle.Running);

        var identity = Services.GetRequiredService<BrokerIdentity>();
        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Services.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.Server").LogInformation(
            "Samsa node {NodeId} (cluster {ClusterId}) ready in {Ms} ms: {Kafka}; HTTP {Http}",
            identity.NodeId, identity.ClusterId, ((long)elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            string.Join(", ", bound), urls.Count == 0 ? "off" : string.Join(", ", urls.Select(u => u.ToString().TrimEnd('/'))));
    }

    /// <summary>Completes when Ctrl-C, SIGTERM or <see cref="IHostApplicationLifetime.StopApplication"/> asks to stop.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Closes listeners (in-flight requests answered), then stops components in reverse order.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _app.StopAsync(cancellationToken);
        Services.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.Server").LogInformation("Samsa node {NodeId} shut down cleanly", _config.NodeId);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static void Listen(KestrelServerOptions options, string host, int port, Action<ListenOptions> configure)
    {
        if (host.Length == 0 || host == "0.0.0.0")
        {
            options.ListenAnyIP(port, configure);
        }
        else if (host == "::")
        {
            options.Listen(IPAddress.IPv6Any, port, configure);
        }
        else if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            options.Listen(ip, port, configure);
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel cannot bind localhost to a dynamic port (it would differ per address family).
            if (port == 0) options.Listen(IPAddress.Loopback, 0, configure);
            else options.ListenLocalhost(port, configure);
        }
        else
        {
            foreach (var address in Dns.GetHostAddresses(host))
            {
                options.Listen(address, port, configure);
            }
        }
    }
}

using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Samsa.Broker;
using Samsa.Broker.Config;
using Samsa.Broker.Hosting;
using Samsa.Broker.LogDirs;
using Samsa.Server;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa server-start [server.properties] [--override key=value ...]</c>: runs a node until
/// Ctrl-C or SIGTERM. Without a file it uses the built-in single-node config and formats its data
/// directory on the first start; with a file it refuses unformatted storage, as Kafka does.
/// </summary>
internal static class ServerStartCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo?>("server.properties")
        {
            Description = "Kafka server.properties to read; without it a single broker+controller on localhost:9092 with data in ./data.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var overrides = new Option<string[]>("--override")
        {
            Description = "key=value that wins over the file (repeatable).",
        };
        var command = new Command("server-start", "Start a Samsa node (broker and/or controller).");
        command.Arguments.Add(file);
        command.Options.Add(overrides);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(file), parse.GetValue(overrides), ct));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo? file, string[]? overrides, CancellationToken cancellationToken)
    {
        BrokerConfig config;
        string clusterId;
        string? formatted = null;
        try
        {
            config = ConfigLoader.Load(file, overrides);
            if (file is null && LogDirectories.NoneFormatted(config))
            {
                // The built-in config is for trying Samsa out: format on the first start.
                clusterId = KafkaUuid.ToString(KafkaUuid.NewRandom());
                LogDirectories.Format(config, clusterId, ignoreFormatted: false);
                formatted = $"Formatted {string.Join(", ", LogDirectories.All(config))} for new cluster {clusterId}";
            }
            else
            {
                clusterId = LogDirectories.Verify(config);
            }
        }
        catch (Exception e) when (e is ConfigException or StorageFormatException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        await using var server = SamsaServer.Create(config, new BrokerIdentity(clusterId, config.NodeId));
        var logger = server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.Server");
        if (config.UnknownKeys.Count > 0)
        {
            logger.LogWarning("Unknown config keys, ignored: {Keys}", string.Join(", ", config.UnknownKeys));
        }
        if (formatted is not null) logger.LogInformation("{Formatted}", formatted);
        try
        {
            await server.StartAsync(cancellationToken);
        }
        catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogCritical("Cannot open a listener: {Reason}", e.Message);
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogCritical(e, "Start failed");
            return 1;
        }
        await server.WaitForShutdownAsync(CancellationToken.None);
        await server.StopAsync(CancellationToken.None);
        return 0;
    }
}

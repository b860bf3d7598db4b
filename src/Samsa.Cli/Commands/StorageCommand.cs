using System.CommandLine;
using Samsa.Broker;
using Samsa.Broker.Config;
using Samsa.Broker.LogDirs;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa storage random-uuid</c> and <c>samsa storage format -t ID -c server.properties
/// [--ignore-formatted]</c>, as Kafka's kafka-storage tool.
/// </summary>
internal static class StorageCommand
{
    public static Command Create()
    {
        var storage = new Command("storage", "Prepare log directories (kafka-storage).");
        storage.Subcommands.Add(CreateRandomUuid());
        storage.Subcommands.Add(CreateFormat());
        return storage;
    }

    private static Command CreateRandomUuid()
    {
        var command = new Command("random-uuid", "Print a new random cluster id.");
        command.SetAction(_ =>
        {
            Console.WriteLine(KafkaUuid.ToString(KafkaUuid.NewRandom()));
            return 0;
        });
        return command;
    }

    private static Command CreateFormat()
    {
        var clusterId = new Option<string>("--cluster-id", "-t") { Description = "The cluster id (from random-uuid).", Required = true };
        var config = new Option<FileInfo>("--config", "-c") { Description = "The node's server.properties.", Required = true };
        var ignoreFormatted = new Option<bool>("--ignore-formatted", "-g") { Description = "Skip directories that are already formatted." };
        var overrides = new Option<string[]>("--override") { Description = "key=value that wins over the file (repeatable)." };
        var command = new Command("format", "Write meta.properties into every log directory.");
        command.Options.Add(clusterId);
        command.Options.Add(config);
        command.Options.Add(ignoreFormatted);
        command.Options.Add(overrides);
        command.SetAction(parse =>
        {
            try
            {
                var broker = ConfigLoader.Load(parse.GetValue(config), parse.GetValue(overrides));
                if (broker.UnknownKeys.Count > 0)
                {
                    Console.Error.WriteLine($"Warning: unknown config keys, ignored: {string.Join(", ", broker.UnknownKeys)}");
                }
                string id = parse.GetValue(clusterId)!;
                var written = LogDirectories.Format(broker, id, parse.GetValue(ignoreFormatted));
                if (written.Count == 0)
                {
                    Console.WriteLine("All of the log directories are already formatted.");
                }
                foreach (var dir in written)
                {
                    Console.WriteLine($"Formatted {dir} (cluster.id {id}, node.id {broker.NodeId}).");
                }
                return 0;
            }
            catch (Exception e) when (e is ConfigException or StorageFormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}

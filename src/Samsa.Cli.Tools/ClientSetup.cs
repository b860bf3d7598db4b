using System.CommandLine;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>The options every client tool shares and the client configs built from them.</summary>
internal static class ClientSetup
{
    /// <summary>
    /// How long an admin tool waits for the cluster unless the properties say otherwise
    /// (default.api.timeout.ms): short, as a person is waiting, but long enough for a controller election.
    /// </summary>
    public const int DefaultAdminTimeoutMs = 15000;

    public static Option<string> BootstrapServerOption(bool required = true) => new("--bootstrap-server")
    {
        Description = required ? "REQUIRED: The Kafka server to connect to (host:port[,host:port...])." : "The Kafka server to connect to.",
        HelpName = "server to connect to",
    };

    public static Option<string> CommandConfigOption() => new("--command-config")
    {
        Description = "Property file with configs for the admin client (security, timeouts...).",
        HelpName = "command config property file",
    };

    public static string RequireBootstrap(string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new ToolException("Missing required argument \"[bootstrap-server]\"") : value;

    /// <summary>Admin client settings: the file (if any), then bootstrap.servers, then the tool's default timeout.</summary>
    public static AdminConfig Admin(string bootstrapServers, string? commandConfigFile)
    {
        var properties = commandConfigFile is null ? new Dictionary<string, string>() : KafkaProperties.LoadFile(commandConfigFile);
        var config = new AdminConfig();
        if (!properties.ContainsKey("default.api.timeout.ms")) config.DefaultApiTimeoutMs = DefaultAdminTimeoutMs;
        if (!properties.ContainsKey("request.timeout.ms")) config.RequestTimeoutMs = DefaultAdminTimeoutMs;
        config.Apply(properties);
        config.BootstrapServers = bootstrapServers;
        return config;
    }

    public static AdminClient CreateAdmin(string bootstrapServers, string? commandConfigFile) =>
        new(Admin(bootstrapServers, commandConfigFile), new StderrLoggerFactory());
}

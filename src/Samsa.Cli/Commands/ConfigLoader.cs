using System.Reflection;
using Samsa.Broker.Config;

namespace Samsa.Cli.Commands;

/// <summary>Reads server.properties (or the built-in default) plus <c>--override key=value</c> pairs.</summary>
internal static class ConfigLoader
{
    /// <summary>The built-in configuration (default-server.properties in this project).</summary>
    public static Dictionary<string, string> LoadDefault()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("default-server.properties")!;
        using var reader = new StreamReader(stream);
        return PropertiesFile.Parse(reader.ReadToEnd());
    }

    /// <exception cref="ConfigException">Unreadable file, bad --override syntax or a bad value.</exception>
    public static BrokerConfig Load(FileInfo? file, IReadOnlyList<string>? overrides)
    {
        Dictionary<string, string> props;
        if (file is null)
        {
            props = LoadDefault();
        }
        else
        {
            if (!file.Exists) throw new ConfigException($"Config file {file.FullName} does not exist.");
            try
            {
                props = PropertiesFile.Load(file.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                throw new ConfigException($"Cannot read config file {file.FullName}: {e.Message}");
            }
        }
        return BrokerConfig.Create(props, ParseOverrides(overrides));
    }

    public static Dictionary<string, string> ParseOverrides(IReadOnlyList<string>? overrides)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (overrides is null) return result;
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ConfigException($"--override expects key=value, got '{o}'.");
            result[o[..eq].Trim()] = o[(eq + 1)..];
        }
        return result;
    }
}

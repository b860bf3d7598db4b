using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Samsa.Cli.Tools;

/// <summary>
/// The client's log lines on stderr, in the shape Kafka's tools print them
/// (<c>[2024-01-01 12:00:00,123] WARN message (category)</c>), from <see cref="LogLevel.Warning"/> up
/// unless asked otherwise. Keeps the tools free of a logging framework (start time, AOT size).
/// </summary>
internal sealed class StderrLoggerFactory : ILoggerFactory
{
    private readonly LogLevel _minimum;
    private readonly TextWriter _output;

    public StderrLoggerFactory(LogLevel minimum = LogLevel.Warning, TextWriter? output = null)
    {
        _minimum = minimum;
        _output = output ?? Console.Error;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    internal static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "FATAL",
        _ => level.ToString().ToUpperInvariant(),
    };

    private sealed class Logger(StderrLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= factory._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string time = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture);
            string message = formatter(state, exception);
            // One line per event: the exception's message, not its stack.
            if (exception is not null) message += $": {exception.GetType().Name}: {exception.Message}";
            lock (factory._output) factory._output.WriteLine($"[{time}] {LevelName(logLevel)} {message} ({category})");
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Samsa.Client.Tests.Fakes;

/// <summary>Writes client logs to stderr with a timestamp, for diagnosing a test run.</summary>
internal sealed class ConsoleLoggerFactory(LogLevel minimum = LogLevel.Debug) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, minimum);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    private sealed class Logger(string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = ($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
            lock (typeof(ConsoleLoggerFactory)) File.AppendAllText(Environment.GetEnvironmentVariable("SAMSA_TEST_LOG")!, line + "\n");
        }
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Samsa.Protocol.Tests.Records;

/// <summary>
/// Runs tests/.../python/kafka_records.py with the Debian python (where python3-kafka and the codec
/// packages live) as an independent Kafka encoder/decoder. Bytes travel as hex over stdin/stdout.
/// </summary>
internal static class KafkaPython
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "python", "kafka_records.py");

    public static string Run(string input, params string[] args)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Script);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("python did not start");
        try
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(input);
            process.StandardInput.Close();
            if (!process.WaitForExit(Timeout))
            {
                throw new TimeoutException($"kafka_records.py {string.Join(' ', args)} did not finish in {Timeout}");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kafka_records.py {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
            }
            return stdout.Result;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public static byte[] Build(object spec) =>
        Convert.FromHexString(Run(JsonSerializer.Serialize(spec), "build").Trim());

    public static JsonElement Parse(ReadOnlySpan<byte> batch) =>
        JsonDocument.Parse(Run(Convert.ToHexString(batch), "parse")).RootElement;

    public static byte[] Compress(string variant, ReadOnlySpan<byte> data) =>
        Convert.FromHexString(Run(Convert.ToHexString(data), "compress", variant).Trim());

    public static byte[] Decompress(string codec, ReadOnlySpan<byte> data) =>
        Convert.FromHexString(Run(Convert.ToHexString(data), "decompress", codec).Trim());
}

using Samsa.Metadata.Image;
using Samsa.Metadata.Records;

namespace Samsa.Metadata.Tests;

/// <summary>A fresh directory under the system temp dir, deleted on Dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("samsa-metadata-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestSupport
{
    /// <summary>The image as snapshot bytes: equal bytes mean equal images.</summary>
    public static byte[] Fingerprint(MetadataImage image) => MetadataSnapshotFormat.Write(0, image.ToRecords());

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}

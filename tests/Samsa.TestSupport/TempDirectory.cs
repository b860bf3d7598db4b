namespace Samsa.TestSupport;

/// <summary>A fresh directory under the system temp folder, deleted (recursively) on Dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "samsa-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process still holding a file: leave it to the OS temp cleanup rather than fail the test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public override string ToString() => Path;
}

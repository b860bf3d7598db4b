using System.Text;

namespace Samsa.Storage.Files;

/// <summary>
/// Replaces small files (checkpoints, metadata) atomically: write a temp file, fsync, rename over.
/// Without the fsync (a producer snapshot at roll, fsync'd later by the background flush) the rename
/// is still atomic, but a crash may leave a short or empty file, which readers must detect.
/// </summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string content, bool fsync = true) => WriteAllBytes(path, Encoding.UTF8.GetBytes(content), fsync);

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, bool fsync = true)
    {
        string tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: fsync);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// fsyncs a file written earlier with <c>fsync: false</c>. False when it is gone (deleted or moved
    /// away meanwhile), which its callers take as nothing left to sync.
    /// </summary>
    public static bool FlushToDisk(string path)
    {
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle h = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite,
                FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.FlushToDisk(h);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}

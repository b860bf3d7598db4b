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
}

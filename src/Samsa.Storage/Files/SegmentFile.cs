using Microsoft.Win32.SafeHandles;

namespace Samsa.Storage.Files;

/// <summary>
/// One segment's <c>.log</c> file, with an identity of its own: the object stands for the file that
/// was created or found at load, not for whatever later sits at its path.
/// <para>
/// The handle is opened on demand and may be closed by the <see cref="FileHandleCache"/> while nobody
/// holds a lease. Once the segment is deleted or replaced the file is <em>retired</em>: it is never
/// reopened by path (a new file may live there by then), and its handle stays open until the last
/// reader that leased it releases it, so readers of a deleted segment keep working.
/// </para>
/// Thread-safety: all members are safe to call concurrently.
/// </summary>
internal sealed class SegmentFile
{
    private readonly Lock _gate = new();
    private readonly FileHandleCache _cache;
    private string _path;
    private SafeFileHandle? _handle;
    private int _leases;
    private bool _retired;

    /// <summary>Set on every lease; the cache's clock hand clears it (second chance before closing).</summary>
    internal volatile bool Referenced;
    /// <summary>The file sits in the cache's queue (so it is queued once however often it reopens).</summary>
    internal bool Queued;

    public SegmentFile(string path, FileHandleCache cache, bool create)
    {
        _path = path;
        _cache = cache;
        if (create)
        {
            using SafeFileHandle h = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
    }

    public string Path
    {
        get { lock (_gate) { return _path; } }
    }

    public bool IsOpen
    {
        get { lock (_gate) { return _handle is not null; } }
    }

    /// <summary>Leases the open handle (opening it if needed); pair every success with <see cref="Release"/>.</summary>
    /// <returns>False when the file was retired and is not open any more.</returns>
    public bool TryAcquire(out SafeFileHandle handle)
    {
        bool opened = false;
        lock (_gate)
        {
            if (_handle is null)
            {
                if (_retired)
                {
                    handle = null!;
                    return false;
                }
                _handle = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                opened = true;
            }
            _leases++;
            Referenced = true;
            handle = _handle;
        }
        if (opened)
        {
            _cache.OnOpened(this);
        }
        return true;
    }

    public SafeFileHandle Acquire() =>
        TryAcquire(out SafeFileHandle h) ? h : throw new ObjectDisposedException(_path, "segment file was deleted");

    public void Release()
    {
        SafeFileHandle? toClose = null;
        lock (_gate)
        {
            _leases--;
            if (_leases == 0 && _retired && _handle is not null)
            {
                toClose = _handle;
                _handle = null;
            }
        }
        CloseHandle(toClose);
    }

    /// <summary>Closes the handle if no lease holds it (the cache evicting an idle file).</summary>
    internal bool TryCloseIdle()
    {
        SafeFileHandle? toClose = null;
        lock (_gate)
        {
            if (_leases == 0 && _handle is not null)
            {
                toClose = _handle;
                _handle = null;
            }
        }
        CloseHandle(toClose);
        return toClose is not null;
    }

    /// <summary>Renames the file while keeping its identity (the handle, if open, stays valid on Unix and Windows).</summary>
    public void Rename(string newPath)
    {
        lock (_gate)
        {
            File.Move(_path, newPath, overwrite: true);
            _path = newPath;
        }
    }

    /// <summary>The segment is gone: never reopen; close once the last lease is released.</summary>
    public void Retire()
    {
        SafeFileHandle? toClose = null;
        lock (_gate)
        {
            _retired = true;
            if (_leases == 0 && _handle is not null)
            {
                toClose = _handle;
                _handle = null;
            }
        }
        CloseHandle(toClose);
    }

    private void CloseHandle(SafeFileHandle? h)
    {
        if (h is not null)
        {
            h.Dispose();
            _cache.OnClosed();
        }
    }
}

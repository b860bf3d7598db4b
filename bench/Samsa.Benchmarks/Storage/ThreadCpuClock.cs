using System.Runtime.InteropServices;

namespace Samsa.Benchmarks.Storage;

/// <summary>
/// CPU time of the calling thread (user + kernel, nanosecond accounting) from
/// <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux. On a machine shared with other work, wall
/// time includes the time the thread waited for a core; CPU time does not, so ratios of CPU time
/// compare the work itself. (<c>getrusage</c> splits user from kernel time, but by sampling at the
/// scheduler tick: too coarse for chunks of a few milliseconds.)
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out Timespec value);

    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && TryNow(out _);

    /// <summary>Seconds of CPU this thread has used (NaN when unavailable).</summary>
    public static double Now() => TryNow(out double s) ? s : double.NaN;

    private static bool TryNow(out double seconds)
    {
        seconds = 0;
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out Timespec t) != 0)
            {
                return false;
            }
            seconds = t.Seconds + t.Nanoseconds / 1e9;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}

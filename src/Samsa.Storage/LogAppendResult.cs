using Samsa.Protocol;

namespace Samsa.Storage;

/// <summary>
/// The answer to an append: the offsets given to the batches (a retried duplicate gets its original
/// offsets), the LogAppendTime used (-1 under CreateTime), the log start offset, or an error.
/// </summary>
public readonly record struct LogAppendResult(
    ErrorCode Error,
    long BaseOffset,
    long LastOffset,
    long LogAppendTime,
    long LogStartOffset,
    int RecordCount = 0,
    string? ErrorMessage = null,
    bool Duplicate = false)
{
    public bool Succeeded => Error == ErrorCode.None;

    internal static LogAppendResult Fail(ErrorCode error, string message, long logStartOffset) =>
        new(error, -1, -1, -1, logStartOffset, 0, message);
}

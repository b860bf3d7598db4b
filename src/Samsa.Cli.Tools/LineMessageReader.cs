using System.Text;
using Samsa.Client;

namespace Samsa.Cli.Tools;

/// <summary>One record parsed from an input line of the console producer.</summary>
internal sealed record LineMessage(Headers? Headers, byte[]? Key, byte[]? Value);

/// <summary>
/// Kafka's console producer line format, set with <c>--property</c>: <c>parse.key</c> /
/// <c>key.separator</c> (tab), <c>parse.headers</c> / <c>headers.delimiter</c> (tab) /
/// <c>headers.separator</c> (,) / <c>headers.key.separator</c> (:), <c>null.marker</c> and
/// <c>ignore.error</c>. A line reads <c>[h1:v1,h2:v2&lt;delimiter&gt;][key&lt;separator&gt;]value</c>.
/// </summary>
internal sealed class LineMessageReader
{
    public bool ParseKey { get; }
    public string KeySeparator { get; } = "\t";
    public bool ParseHeaders { get; }
    public string HeadersDelimiter { get; } = "\t";
    public string HeadersSeparator { get; } = ",";
    public string HeadersKeySeparator { get; } = ":";
    public bool IgnoreError { get; }
    public string? NullMarker { get; }

    public LineMessageReader(IReadOnlyDictionary<string, string> properties)
    {
        ParseKey = Flag(properties, "parse.key");
        ParseHeaders = Flag(properties, "parse.headers");
        IgnoreError = Flag(properties, "ignore.error");
        if (properties.TryGetValue("key.separator", out var ks)) KeySeparator = NonEmpty("key.separator", ks);
        if (properties.TryGetValue("headers.delimiter", out var hd)) HeadersDelimiter = NonEmpty("headers.delimiter", hd);
        if (properties.TryGetValue("headers.separator", out var hs)) HeadersSeparator = NonEmpty("headers.separator", hs);
        if (properties.TryGetValue("headers.key.separator", out var hks)) HeadersKeySeparator = NonEmpty("headers.key.separator", hks);
        if (properties.TryGetValue("null.marker", out var nm) && nm.Length > 0) NullMarker = nm;
        if (HeadersSeparator == HeadersKeySeparator)
            throw new ToolException("headers.separator and headers.key.separator must differ.");
        if (NullMarker is not null && (NullMarker == KeySeparator || NullMarker == HeadersDelimiter || NullMarker == HeadersSeparator || NullMarker == HeadersKeySeparator))
            throw new ToolException($"null.marker '{NullMarker}' must differ from the separators.");
    }

    /// <summary>The record for one line (without its line terminator).</summary>
    /// <exception cref="ToolException">A separator is missing and ignore.error is off (Kafka's messages).</exception>
    public LineMessage Parse(string line, int lineNumber)
    {
        Headers? headers = null;
        string rest = line;
        if (ParseHeaders)
        {
            int d = rest.IndexOf(HeadersDelimiter, StringComparison.Ordinal);
            if (d < 0)
            {
                if (!IgnoreError) throw new ToolException($"No headers delimiter found on line number {lineNumber}: '{line}'");
            }
            else
            {
                headers = ParseHeaderSection(rest[..d], lineNumber);
                rest = rest[(d + HeadersDelimiter.Length)..];
            }
        }
        byte[]? key = null;
        if (ParseKey)
        {
            int s = rest.IndexOf(KeySeparator, StringComparison.Ordinal);
            if (s < 0)
            {
                if (!IgnoreError) throw new ToolException($"No key separator found on line number {lineNumber}: '{line}'");
            }
            else
            {
                key = Bytes(rest[..s]);
                rest = rest[(s + KeySeparator.Length)..];
            }
        }
        return new LineMessage(headers, key, Bytes(rest));
    }

    private Headers ParseHeaderSection(string section, int lineNumber)
    {
        var headers = new Headers();
        if (section.Length == 0) return headers;
        foreach (var pair in section.Split(HeadersSeparator))
        {
            int k = pair.IndexOf(HeadersKeySeparator, StringComparison.Ordinal);
            if (k < 0)
            {
                if (IgnoreError) continue;
                throw new ToolException($"No header key separator found in pair '{pair}' on line number {lineNumber}");
            }
            string headerKey = pair[..k];
            if (NullMarker is not null && headerKey == NullMarker)
                throw new ToolException($"Header keys should not be equal to the null marker '{NullMarker}' as they can't be null");
            headers.Add(headerKey, Bytes(pair[(k + HeadersKeySeparator.Length)..]));
        }
        return headers;
    }

    private byte[]? Bytes(string text) => NullMarker is not null && text == NullMarker ? null : Encoding.UTF8.GetBytes(text);

    private static bool Flag(IReadOnlyDictionary<string, string> properties, string key) =>
        properties.TryGetValue(key, out var v) && v.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    private static string NonEmpty(string key, string value) =>
        value.Length == 0 ? throw new ToolException($"{key} must not be empty.") : Unescape(value);

    /// <summary>Shells pass "\t" literally; Kafka users write it meaning a tab.</summary>
    internal static string Unescape(string value) =>
        value.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", "\r", StringComparison.Ordinal);
}

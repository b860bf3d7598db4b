using System.Globalization;
using System.Text;

namespace Samsa.Broker.Config;

/// <summary>
/// Reads Java properties syntax, as Kafka's <c>server.properties</c> uses it: <c>#</c>/<c>!</c>
/// comment lines, <c>key=value</c>, <c>key: value</c> or <c>key value</c>, backslash escapes
/// (<c>\t \n \r \f \uXXXX</c>, any other escaped character stands for itself) and lines continued
/// by an odd number of trailing backslashes. A later duplicate key wins.
/// </summary>
public static class PropertiesFile
{
    /// <summary>Reads a file (UTF-8; plain ASCII files read the same as Java's ISO-8859-1).</summary>
    public static Dictionary<string, string> Load(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    /// <exception cref="FormatException">A malformed <c>\uXXXX</c> escape (the message gives the line).</exception>
    public static Dictionary<string, string> Parse(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var logical = new StringBuilder();
        int lineNumber = 0, startLine = 0;
        bool continuing = false;
        foreach (var raw in SplitLines(text))
        {
            lineNumber++;
            var line = raw.AsSpan();
            if (continuing)
            {
                line = line.TrimStart(" \t\f");
            }
            else
            {
                line = line.TrimStart(" \t\f");
                if (line.IsEmpty || line[0] == '#' || line[0] == '!') continue;
                startLine = lineNumber;
            }

            continuing = EndsWithOddBackslashes(line);
            logical.Append(continuing ? line[..^1] : line);
            if (continuing) continue;

            AddLogicalLine(logical.ToString(), startLine, result);
            logical.Clear();
        }
        if (continuing) AddLogicalLine(logical.ToString(), startLine, result);
        return result;
    }

    private static IEnumerable<string> SplitLines(string text)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\n' && c != '\r') continue;
            yield return text[start..i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < text.Length) yield return text[start..];
    }

    private static bool EndsWithOddBackslashes(ReadOnlySpan<char> line)
    {
        int n = 0;
        for (int i = line.Length - 1; i >= 0 && line[i] == '\\'; i--) n++;
        return (n & 1) == 1;
    }

    private static void AddLogicalLine(string line, int lineNumber, Dictionary<string, string> result)
    {
        // The key ends at the first unescaped '=', ':' or whitespace.
        int keyEnd = 0;
        bool hasSeparator = false;
        while (keyEnd < line.Length)
        {
            char c = line[keyEnd];
            if (c == '\\') { keyEnd += 2; continue; }
            if (c == '=' || c == ':') { hasSeparator = true; break; }
            if (c == ' ' || c == '\t' || c == '\f') break;
            keyEnd++;
        }
        keyEnd = Math.Min(keyEnd, line.Length);
        int valueStart = keyEnd;
        if (!hasSeparator)
        {
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f') valueStart++;
            if (valueStart < line.Length && line[valueStart] is '=' or ':') valueStart++;
        }
        else
        {
            valueStart++;
        }
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f') valueStart++;

        string key = Unescape(line.AsSpan(0, keyEnd), lineNumber);
        string value = Unescape(line.AsSpan(valueStart), lineNumber);
        result[key] = value;
    }

    private static string Unescape(ReadOnlySpan<char> s, int lineNumber)
    {
        if (s.IndexOf('\\') < 0) return s.ToString();
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\' || i + 1 >= s.Length)
            {
                sb.Append(c);
                continue;
            }
            char e = s[++i];
            switch (e)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (s.Length - i - 1 < 4
                        || !ushort.TryParse(s.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException($"line {lineNumber}: malformed \\uXXXX escape");
                    }
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }
}

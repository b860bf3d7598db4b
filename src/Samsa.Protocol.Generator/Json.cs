using System.Globalization;
using System.Text;

namespace Samsa.Protocol.Generator;

/// <summary>A small JSON reader (objects, arrays, strings, numbers, literals; // comments skipped),
/// so the generator loads no package into the compiler.</summary>
internal sealed class Json
{
    private readonly string _text;
    private int _pos;

    private Json(string text) => _text = text;

    /// <summary>Objects become Dictionary&lt;string, object?&gt;, arrays List&lt;object?&gt;, numbers
    /// their source text (string), strings string, true/false bool, null null.</summary>
    public static object? Parse(string text)
    {
        var json = new Json(text);
        var value = json.Value();
        json.Space();
        if (json._pos != text.Length)
            throw json.Error("trailing characters");
        return value;
    }

    private FormatException Error(string what) =>
        new(string.Format(CultureInfo.InvariantCulture, "JSON: {0} at offset {1}", what, _pos));

    private void Space()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                _pos++;
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
                while (_pos < _text.Length && _text[_pos] != '\n')
                    _pos++;
            else
                break;
        }
    }

    private object? Value()
    {
        Space();
        if (_pos >= _text.Length)
            throw Error("unexpected end");
        char c = _text[_pos];
        switch (c)
        {
            case '{':
                return Object();
            case '[':
                return Array();
            case '"':
                return String();
            case 't':
                Literal("true");
                return true;
            case 'f':
                Literal("false");
                return false;
            case 'n':
                Literal("null");
                return null;
            default:
                int start = _pos;
                while (_pos < _text.Length && "+-0123456789.eExXabcdefABCDEF".IndexOf(_text[_pos]) >= 0)
                    _pos++;
                if (start == _pos)
                    throw Error("unexpected character");
                return _text.Substring(start, _pos - start);
        }
    }

    private void Literal(string word)
    {
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0)
            throw Error("bad literal");
        _pos += word.Length;
    }

    private Dictionary<string, object?> Object()
    {
        var result = new Dictionary<string, object?>();
        _pos++;
        Space();
        if (_pos < _text.Length && _text[_pos] == '}')
        {
            _pos++;
            return result;
        }
        while (true)
        {
            Space();
            if (_pos >= _text.Length || _text[_pos] != '"')
                throw Error("expected a key");
            string key = String();
            Space();
            if (_pos >= _text.Length || _text[_pos] != ':')
                throw Error("expected ':'");
            _pos++;
            result[key] = Value();
            Space();
            if (_pos >= _text.Length)
                throw Error("unexpected end");
            if (_text[_pos] == ',')
            {
                _pos++;
                continue;
            }
            if (_text[_pos] == '}')
            {
                _pos++;
                return result;
            }
            throw Error("expected ',' or '}'");
        }
    }

    private List<object?> Array()
    {
        var result = new List<object?>();
        _pos++;
        Space();
        if (_pos < _text.Length && _text[_pos] == ']')
        {
            _pos++;
            return result;
        }
        while (true)
        {
            result.Add(Value());
            Space();
            if (_pos >= _text.Length)
                throw Error("unexpected end");
            if (_text[_pos] == ',')
            {
                _pos++;
                continue;
            }
            if (_text[_pos] == ']')
            {
                _pos++;
                return result;
            }
            throw Error("expected ',' or ']'");
        }
    }

    private string String()
    {
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
                throw Error("unterminated string");
            char c = _text[_pos++];
            if (c == '"')
                return sb.ToString();
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _text.Length)
                throw Error("unterminated escape");
            char e = _text[_pos++];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (_pos + 4 > _text.Length)
                        throw Error("bad unicode escape");
                    sb.Append((char)int.Parse(_text.Substring(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    _pos += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
    }
}

using Samsa.Broker.Config;

namespace Samsa.Broker.Tests.Config;

public class PropertiesFileTests
{
    [Fact]
    public void Comments_and_blank_lines_are_skipped()
    {
        var p = PropertiesFile.Parse("# a comment\n! another\n\n   \n  # indented comment\nkey=value\n");
        Assert.Equal(new Dictionary<string, string> { ["key"] = "value" }, p);
    }

    [Theory]
    [InlineData("a=b", "a", "b")]
    [InlineData("a:b", "a", "b")]
    [InlineData("a b", "a", "b")]
    [InlineData("  a  =  b  ", "a", "b  ")]
    [InlineData("a\t:\tb", "a", "b")]
    [InlineData("a = b = c", "a", "b = c")]
    [InlineData("a=", "a", "")]
    [InlineData("a", "a", "")]
    [InlineData("listeners=PLAINTEXT://:9092", "listeners", "PLAINTEXT://:9092")]
    public void Separators_follow_java_properties(string line, string key, string value)
    {
        var p = PropertiesFile.Parse(line);
        Assert.Equal(value, p[key]);
    }

    [Fact]
    public void Escapes_are_decoded_in_keys_and_values()
    {
        var p = PropertiesFile.Parse(@"my\ key\=x=tab\there\nnewline \u0041\\ \:colon");
        Assert.Equal("tab\there\nnewline A\\ :colon", p["my key=x"]);
    }

    [Fact]
    public void Odd_trailing_backslash_continues_the_line_and_leading_whitespace_is_dropped()
    {
        var p = PropertiesFile.Parse("listeners=PLAINTEXT://:9092,\\\n    CONTROLLER://:9093\nx=even\\\\\ny=1\n");
        Assert.Equal("PLAINTEXT://:9092,CONTROLLER://:9093", p["listeners"]);
        Assert.Equal("even\\", p["x"]);
        Assert.Equal("1", p["y"]);
    }

    [Fact]
    public void Crlf_and_cr_line_ends_are_accepted_and_later_keys_win()
    {
        var p = PropertiesFile.Parse("a=1\r\nb=2\rc=3\r\na=4");
        Assert.Equal("4", p["a"]);
        Assert.Equal("2", p["b"]);
        Assert.Equal("3", p["c"]);
    }

    [Fact]
    public void A_malformed_unicode_escape_names_the_line()
    {
        var e = Assert.Throws<FormatException>(() => PropertiesFile.Parse("a=1\nb=\\u00zz"));
        Assert.Contains("line 2", e.Message);
    }
}

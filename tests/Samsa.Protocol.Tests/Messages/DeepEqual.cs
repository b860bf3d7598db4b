using System.Collections;
using System.Reflection;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>Compares generated messages property by property (they do not implement Equals).</summary>
internal static class DeepEqual
{
    public static void Assert(object? expected, object? actual, string path = "")
    {
        if (expected is null || actual is null)
        {
            if (!(expected is null && actual is null))
                throw new Xunit.Sdk.XunitException($"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        switch (expected)
        {
            case byte[] a:
                if (!a.AsSpan().SequenceEqual((byte[])actual))
                    throw new Xunit.Sdk.XunitException($"{path}: bytes differ");
                return;
            case ReadOnlyMemory<byte> m:
                if (!m.Span.SequenceEqual(((ReadOnlyMemory<byte>)actual).Span))
                    throw new Xunit.Sdk.XunitException($"{path}: records differ");
                return;
            case string or Guid or bool or sbyte or short or ushort or int or uint or long or double:
                if (!expected.Equals(actual))
                    throw new Xunit.Sdk.XunitException($"{path}: expected {expected}, got {actual}");
                return;
            case IList list:
                var other = (IList)actual;
                if (list.Count != other.Count)
                    throw new Xunit.Sdk.XunitException($"{path}: expected {list.Count} items, got {other.Count}");
                for (int i = 0; i < list.Count; i++)
                    Assert(list[i], other[i], $"{path}[{i}]");
                return;
        }
        var type = expected.GetType();
        if (type != actual.GetType())
            throw new Xunit.Sdk.XunitException($"{path}: type {type} vs {actual.GetType()}");
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            Assert(p.GetValue(expected), p.GetValue(actual), path + "." + p.Name);
    }
}

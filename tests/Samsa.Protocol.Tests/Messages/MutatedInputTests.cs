using System.Diagnostics;

namespace Samsa.Protocol.Tests.Messages;

/// <summary>
/// Valid encodings of every message at every version, mutated (bit flips, truncations, length
/// bumps, random bytes), fed to the decoders: only <see cref="KafkaProtocolException"/> may
/// escape, and each decode must finish quickly (no loops, no huge allocations).
/// </summary>
public class MutatedInputTests
{
    private const int MutationsPerEncoding = 40;
    private static readonly TimeSpan CaseBound = TimeSpan.FromSeconds(2);

    public static TheoryData<string> MessageNames() => RoundTripTests.MessageNames();

    [Theory]
    [MemberData(nameof(MessageNames))]
    public async Task MutatedEncodingsOnlyRaiseProtocolErrors(string name)
    {
        var type = MessageCodec.Find(name);
        var schema = SchemaCatalog.All[name];
        var (low, high) = MessageCodec.Versions(type);
        var others = MessageCodec.MessageTypes;
        // Run off the test thread so a decoder that never returns fails the test instead of hanging it.
        var work = Task.Run(() =>
        {
            var random = new Random(name.Length * 7919 + low);
            for (short version = low; version <= high; version++)
            {
                foreach (bool nulls in new[] { false, true })
                {
                    var message = (IKafkaMessage)new MessageFiller(schema, version, nulls, seed: version).Fill(type);
                    byte[] valid = MessageCodec.Write(message, version);
                    for (int m = 0; m < MutationsPerEncoding; m++)
                    {
                        byte[] mutated = Mutate(valid, random);
                        Decode(type, mutated, version, name);
                        // Also feed it to some other decoder, as a confused peer would.
                        var other = others[random.Next(others.Count)];
                        var (ol, oh) = MessageCodec.Versions(other);
                        Decode(other, mutated, (short)random.Next(ol, oh + 1), name);
                    }
                }
            }
        });
        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(finished == work, $"{name}: decoding mutated input did not finish");
        await work;
    }

    private static void Decode(Type type, byte[] data, short version, string source)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            MessageCodec.Read(type, data, version);
        }
        catch (KafkaProtocolException)
        {
        }
        catch (InvalidOperationException e) when (e.Message.Contains("bytes left after reading", StringComparison.Ordinal))
        {
            // A mutation can shorten a length so that valid bytes remain: not an error of the decoder.
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{type.Name} v{version} (mutated {source}) threw {e.GetType().Name}: {e.Message}\n{Convert.ToHexString(data)}");
        }
        Assert.True(watch.Elapsed < CaseBound, $"{type.Name} v{version}: decoding took {watch.Elapsed}");
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] data = (byte[])valid.Clone();
        switch (random.Next(6))
        {
            case 0 when data.Length > 0: // bit flip
                data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                break;
            case 1: // truncation
                return data[..random.Next(data.Length + 1)];
            case 2 when data.Length > 0: // length bump: a byte raised, as a grown length prefix or count
                int at = random.Next(data.Length);
                data[at] = (byte)(data[at] + 1 + random.Next(4));
                break;
            case 3 when data.Length > 1: // huge or negative length
                int pos = random.Next(data.Length - 1);
                data[pos] = random.Next(2) == 0 ? (byte)0x7F : (byte)0xFF;
                data[pos + 1] = 0xFF;
                break;
            case 4 when data.Length > 0: // over-long varint run
                int start = random.Next(data.Length);
                for (int i = start; i < Math.Min(data.Length, start + 11); i++)
                    data[i] = 0x80;
                break;
            default: // random garbage of the same length
                random.NextBytes(data);
                break;
        }
        return data;
    }
}

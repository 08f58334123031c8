using System.Buffers.Binary;
using System.Text;

namespace Descent.Tests.Fuzz;

/// <summary>Generic mutations of bytes and of text: bit flips, byte values, truncations, insertions,
/// deletions, duplicated and missing pieces, extreme integers, NaN/Inf and other awkward tokens.</summary>
internal static class Mutators
{
    /// <summary>Tokens that replace a number or a word of text.</summary>
    public static readonly string[] Tokens =
    [
        "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e309", "1e-320", "0", "-0", "-1", "1", "2", "0.5",
        "99999999999999999999", "2147483648", "-2147483649", "9223372036854775808", "4294967296", "1e10", "0x10", "1,5", "", " ", "\"",
        "1e", ".", "-", "+", "∞", "١", "1_000", "true", "false", "null", "abc", "1e+400", "0.0000000000000000000000001", "5e-324",
    ];

    private const string SpecialChars = ",:=+/|&!()\"\n\r \t\0é\uFFFD;@*?[]{}-.e";

    /// <summary>One random byte-level mutation of <paramref name="bytes"/> (never the identity).</summary>
    public static Mutant Bytes(byte[] bytes, Random rng)
    {
        while (true)
        {
            var (result, what) = rng.Next(9) switch
            {
                0 => FlipBit(bytes, rng),
                1 => SetByte(bytes, rng),
                2 => Truncate(bytes, rng),
                3 => Append(bytes, rng),
                4 => Insert(bytes, rng),
                5 => Delete(bytes, rng),
                6 => DuplicateChunk(bytes, rng),
                7 => ExtremeInteger(bytes, rng),
                _ => FlipBit(bytes, rng),
            };
            if (!result.AsSpan().SequenceEqual(bytes)) return new Mutant(result, what);
        }
    }

    public static (byte[], string) FlipBit(byte[] b, Random rng)
    {
        if (b.Length == 0) return ([1], "append a byte to an empty input");
        var r = (byte[])b.Clone();
        int at = rng.Next(r.Length), bit = rng.Next(8);
        r[at] ^= (byte)(1 << bit);
        return (r, $"flip bit {bit} of byte {at}");
    }

    private static (byte[], string) SetByte(byte[] b, Random rng)
    {
        if (b.Length == 0) return ([0], "append a byte to an empty input");
        var r = (byte[])b.Clone();
        int at = rng.Next(r.Length);
        byte[] interesting = [0x00, 0xFF, 0x7F, 0x80, 0x20, 0x22, 0x2C, 0x7B, 0x7D, 0x0A];
        r[at] = rng.Next(2) == 0 ? interesting[rng.Next(interesting.Length)] : (byte)rng.Next(256);
        return (r, $"set byte {at} to 0x{r[at]:x2}");
    }

    public static (byte[], string) Truncate(byte[] b, Random rng)
    {
        int len = b.Length == 0 ? 0 : rng.Next(b.Length);
        return (b[..len], $"truncate to {len} of {b.Length} bytes");
    }

    private static (byte[], string) Append(byte[] b, Random rng)
    {
        var extra = new byte[1 + rng.Next(16)];
        if (rng.Next(2) == 0) rng.NextBytes(extra);
        return ([.. b, .. extra], $"append {extra.Length} bytes");
    }

    private static (byte[], string) Insert(byte[] b, Random rng)
    {
        var extra = new byte[1 + rng.Next(8)];
        rng.NextBytes(extra);
        int at = rng.Next(b.Length + 1);
        return ([.. b[..at], .. extra, .. b[at..]], $"insert {extra.Length} bytes at {at}");
    }

    private static (byte[], string) Delete(byte[] b, Random rng)
    {
        if (b.Length == 0) return ([0], "append a byte to an empty input");
        int at = rng.Next(b.Length), len = 1 + rng.Next(Math.Min(16, b.Length - at));
        return ([.. b[..at], .. b[(at + len)..]], $"delete {len} bytes at {at}");
    }

    private static (byte[], string) DuplicateChunk(byte[] b, Random rng)
    {
        if (b.Length == 0) return ([0], "append a byte to an empty input");
        int at = rng.Next(b.Length), len = 1 + rng.Next(Math.Min(32, b.Length - at)), to = rng.Next(b.Length + 1);
        return ([.. b[..to], .. b[at..(at + len)], .. b[to..]], $"copy {len} bytes from {at} to {to}");
    }

    /// <summary>Writes an extreme 32- or 64-bit integer, little- or big-endian, over the input.</summary>
    private static (byte[], string) ExtremeInteger(byte[] b, Random rng)
    {
        if (b.Length < 8) return FlipBit(b, rng);
        var r = (byte[])b.Clone();
        long[] values = [0, -1, int.MaxValue, int.MinValue, 0x10000, 1L << 40, long.MaxValue, 60000, 28 * 28 * 60000L];
        long v = values[rng.Next(values.Length)];
        int at = rng.Next(r.Length - 7);
        switch (rng.Next(4))
        {
            case 0: BinaryPrimitives.WriteInt32BigEndian(r.AsSpan(at), (int)v); break;
            case 1: BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(at), (int)v); break;
            case 2: BinaryPrimitives.WriteInt64BigEndian(r.AsSpan(at), v); break;
            default: BinaryPrimitives.WriteInt64LittleEndian(r.AsSpan(at), v); break;
        }
        return (r, $"write {v} at {at}");
    }

    /// <summary>One random text-level mutation of <paramref name="text"/> (never the identity): a token replaced
    /// by an awkward one, characters inserted or deleted, a piece duplicated or removed, a truncation.</summary>
    public static (string Text, string Mutation) Text(string text, Random rng, string separators = ",:=+;@\n")
    {
        for (int attempt = 0; ; attempt++)
        {
            var (result, what) = rng.Next(7) switch
            {
                0 or 1 => ReplaceToken(text, rng),
                2 => InsertChar(text, rng),
                3 => DeleteChar(text, rng),
                4 => DuplicatePiece(text, rng, separators),
                5 => RemovePiece(text, rng, separators),
                _ => (text[..rng.Next(text.Length + 1)], "truncate"),
            };
            if (result != text || attempt > 20) return (result, what);
        }
    }

    private static (string, string) ReplaceToken(string text, Random rng)
    {
        var tokens = TokenSpans(text);
        string with = Tokens[rng.Next(Tokens.Length)];
        if (tokens.Count == 0) return (with, $"replace all by '{with}'");
        var (start, len) = tokens[rng.Next(tokens.Count)];
        return (text[..start] + with + text[(start + len)..], $"replace '{text.Substring(start, len)}' by '{with}'");
    }

    /// <summary>Runs of letters, digits, '.', '_' and signs inside exponents: numbers and words.</summary>
    private static List<(int Start, int Length)> TokenSpans(string text)
    {
        var spans = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]) && text[i] != '.' && text[i] != '_') { i++; continue; }
            int start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '.' or '_'
                || (text[i] is '-' or '+' && i > start && text[i - 1] is 'e' or 'E'))) i++;
            spans.Add((start, i - start));
        }
        return spans;
    }

    private static (string, string) InsertChar(string text, Random rng)
    {
        char c = SpecialChars[rng.Next(SpecialChars.Length)];
        int at = rng.Next(text.Length + 1);
        return (text.Insert(at, c.ToString()), $"insert U+{(int)c:X4} at {at}");
    }

    private static (string, string) DeleteChar(string text, Random rng)
    {
        if (text.Length == 0) return ("x", "insert x");
        int at = rng.Next(text.Length);
        return (text.Remove(at, 1), $"delete '{text[at]}' at {at}");
    }

    private static List<(int Start, int Length)> Pieces(string text, string separators)
    {
        var pieces = new List<(int, int)>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
            if (i == text.Length || separators.Contains(text[i]))
            {
                if (i > start) pieces.Add((start, i - start));
                start = i + 1;
            }
        return pieces;
    }

    private static (string, string) DuplicatePiece(string text, Random rng, string separators)
    {
        var pieces = Pieces(text, separators);
        if (pieces.Count == 0) return ReplaceToken(text, rng);
        var (start, len) = pieces[rng.Next(pieces.Count)];
        string piece = text.Substring(start, len);
        char sep = start + len < text.Length ? text[start + len] : start > 0 ? text[start - 1] : ',';
        return (text.Insert(start + len, sep + piece), $"duplicate '{piece}'");
    }

    private static (string, string) RemovePiece(string text, Random rng, string separators)
    {
        var pieces = Pieces(text, separators);
        if (pieces.Count == 0) return ReplaceToken(text, rng);
        var (start, len) = pieces[rng.Next(pieces.Count)];
        int end = Math.Min(text.Length, start + len + 1);
        return (text.Remove(start, end - start), $"remove '{text.Substring(start, len)}'");
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Descent.Data;
using Descent.Tests.Training;

namespace Descent.Tests.Fuzz;

/// <summary>A target whose mutants are files: each is written to a temporary file and read from its path.</summary>
internal abstract class FileTarget : FuzzTarget
{
    private TempDirectory? dir;
    private int n;

    protected string NextPath(string extension) => (dir ??= new TempDirectory()).File($"m{n++ % 64}{extension}");

    public override void Teardown()
    {
        dir?.Dispose();
        dir = null;
    }
}

/// <summary>IDX files (raw): the header fields, dimensions and data, with an independent reading of the format.</summary>
internal class IdxRawTarget : FileTarget
{
    public override string Name => "IDX raw";

    /// <summary>Small valid IDX arrays: labels, images, a matrix, a 4-D array, an empty one.</summary>
    internal static readonly byte[][] Seeds =
    [
        Idx([20], i => (byte)(i % 10)), Idx([6, 4, 4], i => (byte)(i * 7)), Idx([3, 5], i => (byte)i), Idx([2, 2, 2, 3], i => (byte)(255 - i)), Idx([0, 28, 28], _ => 0),
    ];

    internal static byte[] Idx(int[] dims, Func<int, byte> value)
    {
        int size = dims.Aggregate(1, (a, d) => a * d);
        var b = new byte[4 + 4 * dims.Length + size];
        b[2] = 0x08;
        b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        for (int i = 0; i < size; i++) b[4 + 4 * dims.Length + i] = value(i);
        return b;
    }

    protected static Mutant MutateRaw(Random rng)
    {
        var seed = Seeds[rng.Next(Seeds.Length)];
        if (rng.Next(4) > 0) return Mutators.Bytes(seed, rng);
        var r = (byte[])seed.Clone();
        int nd = r[3];
        switch (rng.Next(4))
        {
            case 0:
                int k = rng.Next(nd);
                int[] huge = [int.MaxValue, 1 << 30, 60000, -1, int.MinValue, 65536, 0];
                int v = huge[rng.Next(huge.Length)];
                BinaryPrimitives.WriteInt32BigEndian(r.AsSpan(4 + 4 * k), v);
                return new Mutant(r, $"dimension {k} = {v}");
            case 1:
                byte[] types = [0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF];
                r[2] = types[rng.Next(types.Length)];
                return new Mutant(r, $"type 0x{r[2]:x2}");
            case 2:
                r[3] = (byte)rng.Next(7);
                return new Mutant(r, $"ndims {r[3]}");
            default:
                // One item more or fewer than the data holds.
                int count = BinaryPrimitives.ReadInt32BigEndian(r.AsSpan(4));
                int c2 = count + (rng.Next(2) == 0 ? 1 : -1);
                BinaryPrimitives.WriteInt32BigEndian(r.AsSpan(4), c2);
                return new Mutant(r, $"count {count} -> {c2}");
        }
    }

    public override Mutant Mutate(Random rng) => MutateRaw(rng);

    /// <summary>The IDX format read independently: magic 00 00 08 ndims (1..4), big-endian non-negative
    /// dimensions, exactly their product of bytes after them.</summary>
    internal static Verdict JudgeRaw(byte[] b)
    {
        if (b.Length < 4 || b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] is < 1 or > 4) return Verdict.Damaged;
        int nd = b[3];
        if (b.Length < 4 + 4 * nd) return Verdict.Damaged;
        var dims = new int[nd];
        long size = 1;
        for (int i = 0; i < nd; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4 + 4 * i));
            if (dims[i] < 0) return Verdict.Damaged;
            size *= dims[i];
            if (size > b.Length) return Verdict.Damaged;
        }
        return b.Length - 4 - 4 * nd == size ? new Verdict(true, Content(dims, b.AsSpan(4 + 4 * nd))) : Verdict.Damaged;
    }

    internal static string Content(int[] dims, ReadOnlySpan<byte> data) => string.Join('x', dims) + ":" + Convert.ToHexString(data);

    public override Verdict Judge(Mutant mutant) => JudgeRaw(mutant.Bytes);

    public override object? Run(Mutant mutant, out string source)
    {
        source = NextPath(".idx");
        File.WriteAllBytes(source, mutant.Bytes);
        var a = IdxReader.Read(source);
        return Content(a.Dimensions, a.Data);
    }

    public override long AllocationBudget(Mutant mutant) => (1L << 19) + 8L * mutant.Bytes.Length;
}

/// <summary>
/// Gzip-compressed IDX files: mutants of the IDX content compressed again (judged by the IDX format), and
/// damage to the compressed file itself — header, deflate data, trailer, truncation, data after the end —
/// judged by what RFC 1952 allows: only the modification time, extra flags, OS byte and the FTEXT hint may
/// change without changing the content, and a damaged deflate stream is valid only if it still inflates
/// to the same bytes (a flip in the final byte's unused padding bits).
/// </summary>
internal sealed class IdxGzipTarget : IdxRawTarget
{
    public override string Name => "IDX gzip";

    private static readonly byte[][] Compressed = [.. Seeds.Select(Gzip)];

    internal static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    private sealed record GzipMutant(byte[] Bytes, string Mutation, Verdict Verdict);

    private readonly Dictionary<byte[], Verdict> verdicts = new(ReferenceEqualityComparer.Instance);

    public override Mutant Mutate(Random rng)
    {
        if (rng.Next(3) == 0)
        {
            var raw = MutateRaw(rng);
            var m = new Mutant(Gzip(raw.Bytes), "gzip of IDX mutant: " + raw.Mutation);
            verdicts[m.Bytes] = JudgeRaw(raw.Bytes);
            return m;
        }
        int which = rng.Next(Seeds.Length);
        byte[] good = Compressed[which];
        var content = JudgeRaw(Seeds[which]);
        byte[] r = (byte[])good.Clone();
        Verdict verdict;
        string what;
        switch (rng.Next(6))
        {
            case 0: // header byte
            {
                int at = rng.Next(10);
                byte mask = (byte)(1 << rng.Next(8));
                r[at] ^= mask;
                bool harmless = at is >= 4 and <= 9 || (at == 3 && mask == 0x01);
                verdict = harmless ? content : Verdict.Damaged;
                what = $"header byte {at} ^ 0x{mask:x2}";
                break;
            }
            case 1: // deflate data
            {
                int at = 10 + rng.Next(good.Length - 18);
                byte mask = (byte)(1 << rng.Next(8));
                r[at] ^= mask;
                verdict = Inflates(r.AsSpan(10, r.Length - 18), Seeds[which]) ? content : Verdict.Damaged;
                what = $"deflate byte {at} ^ 0x{mask:x2}";
                break;
            }
            case 2: // trailer
            {
                int at = good.Length - 8 + rng.Next(8);
                r[at] ^= (byte)(1 << rng.Next(8));
                verdict = Verdict.Damaged;
                what = $"trailer byte {at} flipped";
                break;
            }
            case 3:
            {
                int len = rng.Next(good.Length);
                r = good[..len];
                verdict = Verdict.Damaged;
                what = $"truncate to {len} of {good.Length}";
                break;
            }
            case 4:
            {
                var extra = new byte[1 + rng.Next(12)];
                if (rng.Next(2) == 0) rng.NextBytes(extra);
                r = [.. good, .. extra];
                verdict = Verdict.Damaged;
                what = $"append {extra.Length} bytes";
                break;
            }
            default:
            {
                int at = 10 + rng.Next(good.Length - 10);
                r = [.. good[..at], (byte)rng.Next(256), .. good[at..]];
                verdict = Verdict.Damaged;
                what = $"insert a byte at {at}";
                break;
            }
        }
        var mutant = new Mutant(r, what);
        verdicts[mutant.Bytes] = verdict;
        return mutant;
    }

    /// <summary>True when <paramref name="deflate"/> is a complete deflate stream that inflates to exactly
    /// <paramref name="expected"/>. The inflater stops quietly at the end of its input, so the stream is
    /// inflated twice with different bytes after it: a complete stream ignores them, an incomplete one does not.</summary>
    private static bool Inflates(ReadOnlySpan<byte> deflate, byte[] expected) =>
        InflatesTo([.. deflate, .. new byte[64]], expected) && InflatesTo([.. deflate, .. Enumerable.Repeat((byte)0xA5, 64)], expected);

    private static bool InflatesTo(byte[] deflate, byte[] expected)
    {
        try
        {
            using var s = new DeflateStream(new MemoryStream(deflate), CompressionMode.Decompress);
            var output = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = s.Read(buffer)) > 0 && output.Length <= expected.Length) output.Write(buffer, 0, n);
            return output.ToArray().AsSpan().SequenceEqual(expected);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    public override Verdict Judge(Mutant mutant) => verdicts.Remove(mutant.Bytes, out var v) ? v : Verdict.Damaged;

    public override object? Run(Mutant mutant, out string source)
    {
        source = NextPath(".idx.gz");
        File.WriteAllBytes(source, mutant.Bytes);
        var a = IdxReader.Read(source);
        return Content(a.Dimensions, a.Data);
    }

    // A gzip stream can inflate to ~1000× its size; the reader's buffers (64 KB for the stream, 64 KB first data chunk) are fixed.
    public override long AllocationBudget(Mutant mutant) => (1L << 20) + 8L * 1032 * mutant.Bytes.Length;
}

/// <summary>CSV tables (header, numbers, quoted fields), judged by an independent reading of the format
/// <see cref="CsvTable"/> documents (RFC 4180 quoting, LF or CRLF, blank lines skipped, finite invariant
/// numbers, valid UTF-8).</summary>
internal sealed class CsvTarget : FileTarget
{
    public override string Name => "CSV";

    private static readonly string[] Seeds =
    [
        "x0,x1,label\n1.5,-2,0\n0.25,3e-3,1\n-1,4,2\n",
        "a,\"b, quoted\",c\r\n1,2,3\r\n\r\n4,5,6\r\n",
        "\"multi\nline\",v\n7,8\n",
        "only\n42\n",
    ];

    public override Mutant Mutate(Random rng)
    {
        string seed = Seeds[rng.Next(Seeds.Length)];
        if (rng.Next(4) == 0) return Mutators.Bytes(Mutators.Utf8(seed), rng);
        var (text, what) = Mutators.Text(seed, rng, ",\n");
        return new Mutant(Mutators.Utf8(text), what);
    }

    public override Verdict Judge(Mutant mutant)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(mutant.Bytes);
        }
        catch (DecoderFallbackException)
        {
            return Verdict.Damaged;
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..]; // File.ReadAllText drops a byte-order mark
        var records = new List<List<string>>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        bool any = false;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"' && field.Length == 0 && !any)
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) return Verdict.Damaged; // unterminated quote
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    field.Append(text[i++]);
                }
                any = true;
                if (i < text.Length && text[i] is not (',' or '\r' or '\n')) return Verdict.Damaged;
                continue;
            }
            if (c == ',') { fields.Add(field.ToString()); field.Clear(); any = false; i++; continue; }
            if (c is '\r' or '\n')
            {
                if (fields.Count > 0 || field.Length > 0 || any) { fields.Add(field.ToString()); records.Add(fields); fields = []; }
                field.Clear();
                any = false;
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                continue;
            }
            field.Append(c);
            i++;
        }
        if (fields.Count > 0 || field.Length > 0 || any) { fields.Add(field.ToString()); records.Add(fields); }
        if (records.Count < 2) return Verdict.Damaged; // empty, or a header without rows
        int width = records[0].Count;
        var values = new List<double>();
        foreach (var row in records.Skip(1))
        {
            if (row.Count != width) return Verdict.Damaged;
            foreach (var f in row)
            {
                string s = f.Trim();
                if (s.Length == 0 || !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v)) return Verdict.Damaged;
                values.Add(v);
            }
        }
        return new Verdict(true, Content(records[0].Select(h => h.Trim()), values));
    }

    private static string Content(IEnumerable<string> columns, IEnumerable<double> values) =>
        string.Join('|', columns) + ":" + string.Join(',', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    public override object? Run(Mutant mutant, out string source)
    {
        source = NextPath(".csv");
        File.WriteAllBytes(source, mutant.Bytes);
        var t = CsvTable.Read(source);
        return Content(t.ColumnNames, t.Values);
    }
}

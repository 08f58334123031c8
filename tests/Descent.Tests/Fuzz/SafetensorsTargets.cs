using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Descent.Tests.Training;
using Descent.Training;

namespace Descent.Tests.Fuzz;

/// <summary>A real run's files, made once: a checkpoint (model, Adam moments, Polyak average, callback tensors,
/// run state) and the final model file.</summary>
internal static class RunFiles
{
    private static readonly Lazy<(byte[] Checkpoint, byte[] Model)> Files = new(() =>
    {
        using var dir = new TempDirectory();
        var parts = TrainingFixtures.Parts("adam", new Dictionary<string, string> { ["lr"] = "0.02", ["average"] = "ema" });
        var result = new Trainer(parts, new TrainerOptions { Epochs = 1, RunDirectory = dir.Path }, [new BestWeights(), new EarlyStopping(5)]).Run();
        if (result.Status != TrainingStatus.Completed) throw new InvalidOperationException("the fixture run did not complete");
        return (File.ReadAllBytes(CheckpointFile.LatestPath(dir.Path)), File.ReadAllBytes(Path.Combine(dir.Path, Trainer.ModelFileName)));
    });

    public static byte[] Checkpoint => Files.Value.Checkpoint;

    public static byte[] Model => Files.Value.Model;
}

/// <summary>
/// Damage to a checkpoint or model file as it lies on disk — bit flips, bytes set, truncations, insertions,
/// deletions, copied chunks, extreme integers (the header size among them), data appended. The files record
/// checksums, so every mutant is damaged and must be refused by <see cref="CheckpointFile.Load"/>, which is
/// what <c>--resume</c> calls.
/// </summary>
internal sealed class CheckpointBytesTarget(bool model) : FileTarget
{
    public override string Name => model ? "model file (bytes)" : "checkpoint (bytes)";

    private byte[] Seed => model ? RunFiles.Model : RunFiles.Checkpoint;

    public override Mutant Mutate(Random rng)
    {
        if (rng.Next(6) > 0) return Mutators.Bytes(Seed, rng);
        var r = (byte[])Seed.Clone();
        ulong[] sizes = [0, 1, 7, (ulong)r.Length, (ulong)r.Length - 8, 100_000_001, ulong.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(r) + 8];
        ulong size = sizes[rng.Next(sizes.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(r, size);
        return new Mutant(r, $"header size {size}");
    }

    public override Verdict Judge(Mutant mutant) => mutant.Bytes.AsSpan().SequenceEqual(Seed) ? new Verdict(true, "same") : Verdict.Damaged;

    public override object? Run(Mutant mutant, out string source)
    {
        source = NextPath(".safetensors");
        File.WriteAllBytes(source, mutant.Bytes);
        var c = CheckpointFile.Load(source);
        return c.Verified ? "same" : "unverified";
    }

    public override long AllocationBudget(Mutant mutant) => (1L << 20) + 16L * mutant.Bytes.Length;
}

/// <summary>
/// Structural mutants of safetensors headers: the JSON of a real checkpoint's header edited — dtypes (F16, I64,
/// unknown, not a string), shapes (huge, negative, fractional, NaN, too many dimensions), offsets, duplicated
/// and missing keys, metadata values that are not strings — and then either re-sealed (the header checksum
/// recomputed, so only the format's own checks can catch the damage) or written with the checksums dropped
/// altogether (as another program would write it). Judged by an independent reading of the format and of the
/// checksums (<see cref="SafetensorsChecksumTests.BitwiseCrc32"/>).
/// </summary>
internal sealed class SafetensorsStructureTarget : FileTarget
{
    public override string Name => "safetensors (structure)";

    private static readonly string[] Replacements =
    [
        "\"F16\"", "\"I64\"", "\"BF16\"", "\"Q99\"", "32", "null", "[]", "{}", "\"\"", "2147483648", "4294967296", "-1", "1.5", "NaN", "1e309",
        "[2147483647,2147483647]", "[65536,65536]", "[" + string.Join(',', Enumerable.Repeat(1, 65)) + "]", "[0,0]", "[0]", "9007199254740993",
        "\"F32\"", "\"F64\"", "[1]", "[3]", "[2,2]", "0", "[0,4]",
    ];

    public override Mutant Mutate(Random rng)
    {
        byte[] seed = RunFiles.Checkpoint;
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        string header = Encoding.UTF8.GetString(seed, 8, n).TrimEnd(' ');
        byte[] data = seed[(8 + n)..];
        bool keepChecksums = rng.Next(2) == 0;
        if (!keepChecksums) header = WithoutChecksums(header);
        var (edited, what) = EditJson(header, rng);
        if (keepChecksums) edited = Reseal(edited);
        return new Mutant(Assemble(edited, data), (keepChecksums ? "re-sealed: " : "no checksums: ") + what);
    }

    private static (string, string) EditJson(string header, Random rng)
    {
        // Values of "dtype", "shape", "data_offsets" and metadata entries, found textually.
        var spots = new List<(int Start, int Length, string Key)>();
        foreach (var key in new[] { "\"dtype\":", "\"shape\":", "\"data_offsets\":", "\"descent.format\":", "\"format\":" })
            for (int at = header.IndexOf(key, StringComparison.Ordinal); at >= 0; at = header.IndexOf(key, at + 1, StringComparison.Ordinal))
            {
                int start = at + key.Length, end = ValueEnd(header, start);
                spots.Add((start, end - start, key));
            }
        switch (rng.Next(5))
        {
            case 0 or 1:
            {
                var (start, len, key) = spots[rng.Next(spots.Count)];
                string with = Replacements[rng.Next(Replacements.Length)];
                return (header[..start] + with + header[(start + len)..], $"{key} {header.Substring(start, len)} -> {with}");
            }
            case 2: // duplicate a tensor entry (a duplicated key) or remove one (a missing key)
            {
                var entries = TopLevelEntries(header);
                var (start, len) = entries[rng.Next(entries.Count)];
                string entry = header.Substring(start, len);
                return rng.Next(2) == 0
                    ? (header.Insert(start, entry + ","), "duplicate " + entry[..Math.Min(30, entry.Length)])
                    : (RemoveEntry(header, start, len), "remove " + entry[..Math.Min(30, entry.Length)]);
            }
            case 3: // remove one field of a tensor entry
            {
                var (start, len, key) = spots[rng.Next(spots.Count)];
                int keyStart = start - key.Length;
                string before = header[..keyStart].TrimEnd(','), after = header[(start + len)..].TrimStart(',');
                string joined = before.EndsWith('{') || after.StartsWith('}') ? before + after : before + "," + after;
                return (joined, $"remove field {key}");
            }
            default:
            {
                var (text, what) = Mutators.Text(header, rng, ",:{}[]");
                return (text, "text: " + what);
            }
        }
    }

    private static int ValueEnd(string s, int start)
    {
        int depth = 0;
        bool inString = false;
        for (int i = start; i < s.Length; i++)
        {
            char c = s[i];
            if (inString) { if (c == '\\') i++; else if (c == '"') { inString = false; if (depth == 0) return i + 1; } continue; }
            if (c == '"') inString = true;
            else if (c is '[' or '{') depth++;
            else if (c is ']' or '}') { if (depth == 0) return i; depth--; if (depth == 0) return i + 1; }
            else if (c == ',' && depth == 0) return i;
        }
        return s.Length;
    }

    private static List<(int, int)> TopLevelEntries(string header)
    {
        var result = new List<(int, int)>();
        int i = 1;
        while (i < header.Length - 1)
        {
            int keyEnd = ValueEnd(header, i);
            int colon = keyEnd;
            int end = ValueEnd(header, colon + 1);
            result.Add((i, end - i));
            i = end + 1;
        }
        return result;
    }

    private static string RemoveEntry(string header, int start, int len)
    {
        string before = header[..start].TrimEnd(','), after = header[(start + len)..].TrimStart(',');
        return before.EndsWith('{') || after.StartsWith('}') ? before + after : before + "," + after;
    }

    private static string WithoutChecksums(string header)
    {
        using var doc = JsonDocument.Parse(header);
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name != "__metadata__") { p.WriteTo(w); continue; }
                w.WriteStartObject(p.Name);
                foreach (var m in p.Value.EnumerateObject())
                    if (!m.Name.StartsWith(SafetensorsChecksums.Prefix, StringComparison.Ordinal)) m.WriteTo(w);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private const string Marker = "\"" + SafetensorsChecksums.HeaderKey + "\":\"";

    /// <summary>Recomputes the header checksum of an edited header (padded as it will be written).</summary>
    private static string Reseal(string header)
    {
        int at = header.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0 || header.IndexOf(Marker, at + 1, StringComparison.Ordinal) >= 0 || at + Marker.Length + 8 > header.Length) return header;
        at += Marker.Length;
        string zeroed = Padded(header[..at] + "00000000" + header[(at + 8)..]);
        string crc = SafetensorsChecksumTests.BitwiseCrc32(Encoding.UTF8.GetBytes(zeroed)).ToString("x8", CultureInfo.InvariantCulture);
        return header[..at] + crc + header[(at + 8)..];
    }

    private static string Padded(string header)
    {
        int bytes = Encoding.UTF8.GetByteCount(header);
        return header + new string(' ', (8 - bytes % 8) % 8);
    }

    private static byte[] Assemble(string header, byte[] data)
    {
        byte[] h = Encoding.UTF8.GetBytes(Padded(header));
        var r = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(r, (ulong)h.Length);
        h.CopyTo(r, 8);
        data.CopyTo(r, 8 + h.Length);
        return r;
    }

    /// <summary>The format as documented (and as tools/reference/safetensors_crc_check.py reads it), limited to
    /// what Descent reads (F32 and F64, at most 64 dimensions below 2^31 and 2^31 - 1 elements), plus Descent's
    /// checksums when the metadata records any.</summary>
    public override Verdict Judge(Mutant mutant)
    {
        byte[] b = mutant.Bytes;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(b);
        if (n > (ulong)(b.Length - 8)) return Verdict.Damaged;
        byte[] raw = b[8..(8 + (int)n)];
        byte[] data = b[(8 + (int)n)..];
        Dictionary<string, JsonElement> top;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(raw);
        }
        catch (JsonException)
        {
            return Verdict.Damaged;
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return Verdict.Damaged;
            var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            if (names.Count != names.Distinct().Count()) return Verdict.Damaged;
            top = doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        }
        var metadata = new Dictionary<string, string>();
        if (top.Remove("__metadata__", out var meta) && meta.ValueKind != JsonValueKind.Null)
        {
            if (meta.ValueKind != JsonValueKind.Object) return Verdict.Damaged;
            var keys = meta.EnumerateObject().Select(p => p.Name).ToList();
            if (keys.Count != keys.Distinct().Count()) return Verdict.Damaged;
            foreach (var p in meta.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) return Verdict.Damaged;
                metadata[p.Name] = p.Value.GetString()!;
            }
        }
        var tensors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var spans = new List<(long Begin, long End)>();
        var bytesOf = new Dictionary<string, byte[]>();
        foreach (var (name, e) in top)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("dtype", out var dt) || !e.TryGetProperty("shape", out var sh)
                || !e.TryGetProperty("data_offsets", out var off)) return Verdict.Damaged;
            if (dt.ValueKind != JsonValueKind.String || dt.GetString() is not ("F32" or "F64")) return Verdict.Damaged;
            int size = dt.GetString() == "F32" ? 4 : 8;
            if (sh.ValueKind != JsonValueKind.Array || sh.GetArrayLength() > 64) return Verdict.Damaged;
            long count = 1;
            var dims = new List<long>();
            foreach (var d in sh.EnumerateArray())
            {
                if (!IsInteger(d, out long v) || v < 0 || v > int.MaxValue) return Verdict.Damaged;
                dims.Add(v);
            }
            if (dims.Contains(0)) count = 0;
            else foreach (var d in dims) if ((count *= d) > int.MaxValue) return Verdict.Damaged;
            if (off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2 || !IsInteger(off[0], out long begin) || !IsInteger(off[1], out long end)
                || begin < 0 || end < begin || end > data.Length || end - begin != count * size) return Verdict.Damaged;
            spans.Add((begin, end));
            bytesOf[name] = data[(int)begin..(int)end];
            tensors[name] = $"{dt.GetString()}[{string.Join(',', dims)}]:{Convert.ToHexString(bytesOf[name])}";
        }
        long expected = 0;
        foreach (var (begin, end) in spans.OrderBy(s => s.Begin).ThenBy(s => s.End))
        {
            if (begin != expected) return Verdict.Damaged;
            expected = end;
        }
        if (expected != data.Length) return Verdict.Damaged;

        var sums = metadata.Where(kv => kv.Key.StartsWith(SafetensorsChecksums.Prefix, StringComparison.Ordinal)).ToDictionary();
        var plain = metadata.Where(kv => !kv.Key.StartsWith(SafetensorsChecksums.Prefix, StringComparison.Ordinal)).ToDictionary();
        if (sums.Count > 0)
        {
            string Hex(byte[] x) => SafetensorsChecksumTests.BitwiseCrc32(x).ToString("x8", CultureInfo.InvariantCulture);
            string text = Encoding.UTF8.GetString(raw);
            int at = text.IndexOf(Marker, StringComparison.Ordinal);
            if (at < 0 || text.IndexOf(Marker, at + 1, StringComparison.Ordinal) >= 0) return Verdict.Damaged;
            at += Marker.Length;
            if (at + 8 >= text.Length || text[at + 8] != '"') return Verdict.Damaged;
            string zeroed = text[..at] + "00000000" + text[(at + 8)..];
            if (!sums.TryGetValue(SafetensorsChecksums.HeaderKey, out var h) || Hex(Encoding.UTF8.GetBytes(zeroed)) != h || text.Substring(at, 8) != h) return Verdict.Damaged;
            foreach (var (name, bytes) in bytesOf)
                if (!sums.TryGetValue(SafetensorsChecksums.TensorPrefix + name, out var c) || Hex(bytes) != c) return Verdict.Damaged;
            foreach (var (k, v) in plain)
                if (!sums.TryGetValue(SafetensorsChecksums.MetadataPrefix + k, out var c) || Hex(Encoding.UTF8.GetBytes(v)) != c) return Verdict.Damaged;
            if (sums.Count != 1 + bytesOf.Count + plain.Count) return Verdict.Damaged;
        }
        return new Verdict(true, Content(tensors, plain));
    }

    private static bool IsInteger(JsonElement e, out long value)
    {
        value = 0;
        if (e.ValueKind != JsonValueKind.Number) return false;
        string raw = e.GetRawText();
        return raw.All(c => char.IsAsciiDigit(c) || c == '-') && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static string Content(IDictionary<string, string> tensors, IDictionary<string, string> metadata) =>
        string.Join(';', tensors.Select(kv => kv.Key + "=" + kv.Value)) + "|" + string.Join(';', metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));

    public override object? Run(Mutant mutant, out string source)
    {
        source = NextPath(".safetensors");
        File.WriteAllBytes(source, mutant.Bytes);
        var (tensors, metadata) = Descent.Training.Safetensors.Read(source);
        var described = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, t) in tensors)
        {
            byte[] bytes = t.DType == Descent.Tensors.DType.Float32
                ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Floats).ToArray()
                : System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Doubles).ToArray();
            described[name] = $"{(t.DType == Descent.Tensors.DType.Float32 ? "F32" : "F64")}[{string.Join(",", t.Shape.Dims.ToArray())}]:{Convert.ToHexString(bytes)}";
        }
        return Content(described, metadata);
    }

    public override long AllocationBudget(Mutant mutant) => (1L << 20) + 16L * mutant.Bytes.Length;
}

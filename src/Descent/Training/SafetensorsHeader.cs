using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Descent.Tensors;

namespace Descent.Training;

/// <summary>One tensor described by a safetensors header: offsets relative to the data area.</summary>
internal sealed record SafetensorsEntry(string Name, DType DType, int[] Shape, long Begin, long End);

/// <summary>
/// Builds and checks the JSON header of a safetensors file. Parsing trusts nothing: every number is
/// checked against the data area's actual length before anything is allocated from it.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>The key of the string-to-string metadata object.</summary>
    public const string MetadataKey = "__metadata__";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep names and metadata readable (non-ASCII stays UTF-8); quotes and control characters are
        // still escaped, so the result is valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string DTypeName(DType dtype) => dtype == DType.Float32 ? "F32" : "F64";

    /// <summary>
    /// The header of <paramref name="tensors"/> written with their data in <paramref name="layout"/>
    /// order, padded with spaces to a multiple of 8 bytes (so the data area starts 8-byte aligned,
    /// as the reference implementation does).
    /// </summary>
    public static byte[] Build(IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyDictionary<string, string>? metadata, int[] layout)
    {
        var begins = new long[tensors.Count];
        long offset = 0;
        foreach (int i in layout)
        {
            begins[i] = offset;
            offset += (long)tensors[i].Tensor.Size * tensors[i].Tensor.DType.ElementSize();
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            for (int i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i].Tensor;
                w.WriteStartObject(tensors[i].Name);
                w.WriteString("dtype", DTypeName(t.DType));
                w.WriteStartArray("shape");
                foreach (int d in t.Shape.Dims) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(begins[i]);
                w.WriteNumberValue(begins[i] + (long)t.Size * t.DType.ElementSize());
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int n = buffer.WrittenCount, padded = (n + 7) / 8 * 8;
        var bytes = new byte[padded];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes.AsSpan(n).Fill((byte)' ');
        return bytes;
    }

    /// <summary>
    /// Parses and checks a header whose data area holds <paramref name="dataLength"/> bytes. Returns
    /// the entries in header order and the metadata. Throws <see cref="DataFormatException"/> naming
    /// <paramref name="file"/> for anything that does not follow the format.
    /// </summary>
    public static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(
        byte[] header, long dataLength, string file)
    {
        if (!Utf8.IsValid(header)) throw Bad(file, "the header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new DataFormatException($"{file}: the header is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Bad(file, $"the header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in root.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw Bad(file, $"the header names '{p.Name}' twice");
                if (p.Name == MetadataKey) ReadMetadata(p.Value, metadata, file);
                else entries.Add(ReadEntry(p.Name, p.Value, dataLength, file));
            }
            CheckLayout(entries, dataLength, file);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(file, $"\"{MetadataKey}\" must be an object of strings, not a {Kind(value)}");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw Bad(file, $"metadata value '{m.Name}' is a {Kind(m.Value)}; safetensors metadata values must be strings");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                throw Bad(file, $"the metadata names '{m.Name}' twice");
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, long dataLength, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(file, $"tensor '{name}' is described by a {Kind(value)}, not an object with dtype, shape and data_offsets");
        var dtypeText = Property(value, name, "dtype", JsonValueKind.String, file).GetString()!;
        DType dtype = dtypeText switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            _ => throw Bad(file, $"tensor '{name}' has dtype \"{dtypeText}\"; Descent reads only F32 and F64 tensors (convert it first, e.g. tensor.float() in PyTorch)"),
        };

        var shapeJson = Property(value, name, "shape", JsonValueKind.Array, file);
        if (shapeJson.GetArrayLength() > 64) throw Bad(file, $"tensor '{name}' has {shapeJson.GetArrayLength()} dimensions");
        var shape = new int[shapeJson.GetArrayLength()];
        int k = 0;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim))
                throw Bad(file, $"tensor '{name}' has a shape entry {d.GetRawText()} that is not an integer");
            if (dim < 0) throw Bad(file, $"tensor '{name}' has a negative dimension {dim} in its shape");
            if (dim > int.MaxValue) throw Bad(file, $"tensor '{name}' has a dimension {dim} larger than 2^31 - 1");
            shape[k++] = (int)dim;
        }
        long count = 1;
        if (shape.Contains(0)) count = 0;
        else
            foreach (int d in shape)
                if ((count *= d) > int.MaxValue)
                    throw Bad(file, $"tensor '{name}' has shape {shapeJson.GetRawText()}, more than 2^31 - 1 elements");

        var offsets = Property(value, name, "data_offsets", JsonValueKind.Array, file);
        if (offsets.GetArrayLength() != 2)
            throw Bad(file, $"tensor '{name}' has data_offsets {offsets.GetRawText()}; expected [begin, end]");
        if (!NonNegative(offsets[0], out long begin) || !NonNegative(offsets[1], out long end))
            throw Bad(file, $"tensor '{name}' has data_offsets {offsets.GetRawText()} that are not non-negative integers");
        if (end < begin) throw Bad(file, $"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin");
        if (end > dataLength)
            throw Bad(file, $"tensor '{name}' has data_offsets [{begin}, {end}] past the end of the data area ({dataLength} bytes): the file is truncated or corrupt");
        long bytes = count * dtype.ElementSize();
        if (end - begin != bytes)
            throw Bad(file, $"tensor '{name}' of dtype {dtypeText} and shape {shapeJson.GetRawText()} needs {bytes} bytes, but its data_offsets [{begin}, {end}] span {end - begin}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    /// <summary>The tensors must tile the data area exactly: no holes, no overlaps, nothing after the last.</summary>
    private static void CheckLayout(List<SafetensorsEntry> entries, long dataLength, string file)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expected = 0;
        string previous = "";
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw Bad(file, $"tensor '{e.Name}' (data_offsets [{e.Begin}, {e.End}]) overlaps tensor '{previous}', which ends at {expected}");
            if (e.Begin > expected)
                throw Bad(file, $"there is a hole of {e.Begin - expected} bytes in the data area before tensor '{e.Name}' (offset {expected} to {e.Begin})");
            expected = e.End;
            previous = e.Name;
        }
        if (expected != dataLength)
            throw Bad(file, $"{dataLength - expected} trailing bytes after the last tensor's data (the tensors cover {expected} of {dataLength} bytes)");
    }

    private static JsonElement Property(JsonElement obj, string tensor, string key, JsonValueKind kind, string file)
    {
        if (!obj.TryGetProperty(key, out var v)) throw Bad(file, $"tensor '{tensor}' has no \"{key}\"");
        if (v.ValueKind != kind)
            throw Bad(file, $"tensor '{tensor}' has a \"{key}\" that is a {Kind(v)}, not a{(kind == JsonValueKind.Array ? "n array" : " string")}");
        return v;
    }

    private static bool NonNegative(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value) && value >= 0;
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    public static DataFormatException Bad(string file, string problem) => new($"{file}: {problem}");
}

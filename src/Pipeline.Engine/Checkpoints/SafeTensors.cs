// The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
// byte range, then the raw little-endian data. Reads F32/F16/BF16 into float without loading the file twice; writes F32.
using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Engine.Checkpoints;

/// <summary>Element type of a stored tensor.</summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE binary32.</summary>
    F32,

    /// <summary>IEEE binary16.</summary>
    F16,

    /// <summary>bfloat16: the top 16 bits of a binary32.</summary>
    BF16,
}

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">Tensor name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="DType">Stored element type.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Begin">Byte offset of the data, counted from the end of the header.</param>
/// <param name="End">Byte offset one past the data.</param>
public sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, int[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>A tensor to write: name, shape and its float data.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="Shape">Dimensions, outermost first; their product must equal the data length.</param>
/// <param name="Data">Values, row-major.</param>
public readonly record struct SafeTensorsTensor(string Name, int[] Shape, ReadOnlyMemory<float> Data);

/// <summary>An open safetensors file: header parsed, data read per tensor on demand.</summary>
public sealed class SafeTensorsReader : IDisposable
{
    private const int ChunkBytes = 1 << 20;
    private readonly FileStream _file;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorsEntry> _entries;

    private SafeTensorsReader(string path, FileStream file, long dataStart, Dictionary<string, SafeTensorsEntry> entries,
        IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _file = file;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file this reader reads.</summary>
    public string Path { get; }

    /// <summary>The header's <c>__metadata__</c> string pairs (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>All tensor entries, keyed by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries => _entries;

    /// <summary>Opens <paramref name="path"/> and parses its header.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not a safetensors file: too short, a header length or header that does not parse, an entry without
    /// dtype, shape or offsets, an unsupported dtype, or data that the file does not hold (truncated). The message names
    /// the file and, where there is one, the tensor.
    /// </exception>
    public static SafeTensorsReader Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors reading assumes a little-endian machine.");
        }

        if (Directory.Exists(path))
        {
            throw new InvalidDataException($"{path} is a folder; expected a safetensors file.");
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        try
        {
            if (file.Length < 8)
            {
                throw new InvalidDataException(
                    $"{path}: not a safetensors file ({file.Length} bytes; it starts with an 8-byte header length).");
            }

            Span<byte> lengthBytes = stackalloc byte[8];
            file.ReadExactly(lengthBytes);
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
            if (headerLength <= 0 || headerLength > 100_000_000 || 8 + headerLength > file.Length)
            {
                throw new InvalidDataException(headerLength > 0 && headerLength <= 100_000_000
                    ? $"{path}: truncated safetensors file: its header of {headerLength} bytes goes past the end of the file ({file.Length} bytes)."
                    : $"{path}: not a safetensors file (header length {headerLength} is not a size between 1 byte and 100 MB).");
            }

            byte[] header = new byte[headerLength];
            file.ReadExactly(header);
            var (entries, metadata) = ParseHeader(header, path, file.Length - 8 - headerLength);
            return new SafeTensorsReader(path, file, 8 + headerLength, entries, metadata);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into <paramref name="destination"/>, converting to float.</summary>
    public void ReadInto(string name, Span<float> destination)
    {
        if (!_entries.TryGetValue(name, out SafeTensorsEntry? entry))
        {
            throw new KeyNotFoundException($"{Path}: no tensor '{name}'.");
        }

        if (entry.ElementCount != destination.Length)
        {
            throw new ArgumentException(
                $"{Path}: tensor '{name}' has {entry.ElementCount} elements, destination {destination.Length}.", nameof(destination));
        }

        int elementBytes = entry.DType == SafeTensorsDType.F32 ? 4 : 2;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long position = _dataStart + entry.Begin;
            int done = 0;
            while (done < destination.Length)
            {
                int count = Math.Min(destination.Length - done, ChunkBytes / elementBytes);
                Span<byte> bytes = buffer.AsSpan(0, count * elementBytes);
                RandomAccess.Read(_file.SafeFileHandle, bytes, position);
                Span<float> target = destination.Slice(done, count);
                switch (entry.DType)
                {
                    case SafeTensorsDType.F32:
                        MemoryMarshal.Cast<byte, float>(bytes).CopyTo(target);
                        break;
                    case SafeTensorsDType.F16:
                        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes), target);
                        break;
                    default:
                        ReadOnlySpan<ushort> halves = MemoryMarshal.Cast<byte, ushort>(bytes);
                        Span<uint> bits = MemoryMarshal.Cast<float, uint>(target);
                        for (int i = 0; i < halves.Length; i++)
                        {
                            bits[i] = (uint)halves[i] << 16;
                        }

                        break;
                }

                position += bytes.Length;
                done += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads tensor <paramref name="name"/> into a new array.</summary>
    public float[] Read(string name)
    {
        float[] result = new float[Entries.TryGetValue(name, out var e) ? e.ElementCount : 0];
        ReadInto(name, result);
        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();

    private static (Dictionary<string, SafeTensorsEntry>, IReadOnlyDictionary<string, string>) ParseHeader(
        byte[] header, string path, long dataLength)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(header);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{path}: not a safetensors file (its header is not JSON; the first fault is at byte {8 + (e.BytePositionInLine ?? 0)}).", e);
        }

        JsonObject root = parsed as JsonObject
            ?? throw new InvalidDataException($"{path}: safetensors header is not a JSON object.");
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in root)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta)
                {
                    foreach (var (key, value) in meta)
                    {
                        metadata[key] = value is JsonValue text && text.TryGetValue(out string? s) ? s
                            : throw new InvalidDataException($"{path}: __metadata__ '{key}' is not a string.");
                    }
                }

                continue;
            }

            if (node is not JsonObject tensor)
            {
                throw new InvalidDataException($"{path}: entry '{name}' is not an object.");
            }

            string dtypeName = tensor["dtype"] is JsonValue dtypeValue && dtypeValue.TryGetValue(out string? d) ? d : "";
            SafeTensorsDType dtype = dtypeName switch
            {
                "F32" => SafeTensorsDType.F32,
                "F16" => SafeTensorsDType.F16,
                "BF16" => SafeTensorsDType.BF16,
                "" => throw new InvalidDataException($"{path}: tensor '{name}' has no dtype."),
                _ => throw new InvalidDataException($"{path}: tensor '{name}' has unsupported dtype '{dtypeName}' (F32, F16, BF16 only)."),
            };
            int[] shape = Integers(tensor["shape"], path, name, "shape").Select(v => v is >= 0 and <= int.MaxValue ? (int)v
                : throw new InvalidDataException($"{path}: tensor '{name}' has a dimension of {v} in its shape.")).ToArray();
            long[] offsets = Integers(tensor["data_offsets"], path, name, "data_offsets");
            if (offsets.Length != 2)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' has {offsets.Length} data_offsets; expected [begin, end].");
            }

            var entry = new SafeTensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
            long expected = entry.ElementCount * (dtype == SafeTensorsDType.F32 ? 4 : 2);
            if (entry.Begin < 0 || entry.End - entry.Begin != expected)
            {
                throw new InvalidDataException(
                    $"{path}: tensor '{name}' has data_offsets [{entry.Begin}, {entry.End}], but its shape [{string.Join(", ", shape)}] of {dtypeName} needs {expected} bytes.");
            }

            if (entry.End > dataLength)
            {
                throw new InvalidDataException(
                    $"{path}: truncated safetensors file: tensor '{name}' ends at data byte {entry.End}, but the file holds {dataLength} bytes of data.");
            }

            entries[name] = entry;
        }

        return (entries, metadata);
    }

    /// <summary>A header array of integers (a shape, offsets), or an error naming the file, tensor and field.</summary>
    private static long[] Integers(JsonNode? node, string path, string tensor, string field)
    {
        if (node is not JsonArray array)
        {
            throw new InvalidDataException($"{path}: tensor '{tensor}' has no {field} array.");
        }

        var values = new long[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (array[i] is not JsonValue value || !value.TryGetValue(out long v))
            {
                throw new InvalidDataException($"{path}: tensor '{tensor}' has a {field} entry that is not an integer: {array[i]?.ToJsonString() ?? "null"}.");
            }

            values[i] = v;
        }

        return values;
    }
}

/// <summary>Writes float tensors as an F32 safetensors file.</summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes <paramref name="tensors"/> (in the given order) to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<SafeTensorsTensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors writing assumes a little-endian machine.");
        }

        var header = new JsonObject();
        var meta = new JsonObject { ["format"] = "pt" };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            meta[key] = value;
        }

        header["__metadata__"] = meta;
        long offset = 0;
        foreach (SafeTensorsTensor tensor in tensors)
        {
            long count = tensor.Shape.Aggregate(1L, (a, b) => a * b);
            if (count != tensor.Data.Length)
            {
                throw new ArgumentException($"Tensor '{tensor.Name}': shape holds {count} elements, data {tensor.Data.Length}.");
            }

            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + count * 4),
            };
            offset += count * 4;
        }

        // The data start is kept 8-byte aligned, as the reference writer does, by padding the header with spaces.
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, padded);
            file.Write(lengthBytes);
            file.Write(json);
            for (int i = json.Length; i < padded; i++)
            {
                file.WriteByte((byte)' ');
            }

            foreach (SafeTensorsTensor tensor in tensors)
            {
                file.Write(MemoryMarshal.AsBytes(tensor.Data.Span));
            }
        }

        File.Move(temp, path, overwrite: true);
    }
}

using System.Buffers.Binary;
using System.Text;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Tests.Model;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Checkpoints;

public class SafeTensorsTests
{
    [Fact]
    public void WriteThenRead_RoundTripsValuesShapesAndAlignsData()
    {
        using var dir = new TemporaryDirectory();
        string path = Path.Combine(dir, "t.safetensors");
        float[] a = [1.5f, -2f, float.Epsilon, 3e30f, 0f, -0f];
        float[] b = [42f];
        SafeTensorsWriter.Write(path, [new("a", [2, 3], a), new("b", [1], b)], new Dictionary<string, string> { ["note"] = "x" });

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        Assert.Equal([2, 3], reader.Entries["a"].Shape);
        Assert.Equal(SafeTensorsDType.F32, reader.Entries["a"].DType);
        Assert.Equal(a, reader.Read("a"));
        Assert.Equal(b, reader.Read("b"));
        Assert.Equal("x", reader.Metadata["note"]);
        Assert.Equal("pt", reader.Metadata["format"]);
    }

    [Fact]
    public void Read_HalfAndBFloat16_ConvertToFloat()
    {
        // Hand-built file: F16 [1, -2, 0.5] and BF16 [1, -2, 3.140625] (bf16 keeps the top 16 bits of the float).
        ushort[] f16 = [.. new[] { 1f, -2f, 0.5f }.Select(v => BitConverter.HalfToUInt16Bits((Half)v))];
        ushort[] bf16 = [.. new[] { 1f, -2f, 3.140625f }.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))];
        string header = """{"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[6,12]}}""";
        var data = new List<byte>();
        data.AddRange(BitConverter.GetBytes((long)header.Length));
        data.AddRange(Encoding.UTF8.GetBytes(header));
        foreach (ushort v in f16.Concat(bf16))
        {
            data.AddRange(BitConverter.GetBytes(v));
        }

        using var dir = new TemporaryDirectory();
        string path = Path.Combine(dir, "half.safetensors");
        File.WriteAllBytes(path, data.ToArray());
        using SafeTensorsReader reader = SafeTensorsReader.Open(path);
        Assert.Equal([1f, -2f, 0.5f], reader.Read("h"));
        Assert.Equal([1f, -2f, 3.140625f], reader.Read("b"));
    }

    [Fact]
    public void Open_UnsupportedDTypeOrTruncatedData_FailsClearly()
    {
        using var dir = new TemporaryDirectory();
        void WriteFile(string name, string header, int dataBytes)
        {
            var data = new List<byte>(BitConverter.GetBytes((long)header.Length));
            data.AddRange(Encoding.UTF8.GetBytes(header));
            data.AddRange(new byte[dataBytes]);
            File.WriteAllBytes(Path.Combine(dir, name), data.ToArray());
        }

        WriteFile("i8.safetensors", """{"x":{"dtype":"I8","shape":[2],"data_offsets":[0,2]}}""", 2);
        WriteFile("short.safetensors", """{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8);
        Assert.Contains("I8", Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(Path.Combine(dir, "i8.safetensors"))).Message);
        Assert.Contains("'x'", Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Open(Path.Combine(dir, "short.safetensors"))).Message);
    }
}

// Shared by the backend's tests: one libtorch thread and no parallel test classes (a 2-core CI machine also runs the
// managed engine's own threads), tiny randomised checkpoints in HF layout, temporary folders, and max-abs-diff checks.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Backends.Torch.Policies;
using Pipeline.Engine.Model;
using Pipeline.Engine.Training;
using Pipeline.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Pipeline.Backends.Torch.Tests;

internal static class TestModels
{
    /// <summary>One libtorch thread on the CPU.</summary>
    public static TorchOptions Cpu { get; } = new() { Threads = 1 };

    /// <summary>Sequences per teacher-forced pass in the tests: small, so that several passes are packed and joined.</summary>
    public const int MicroBatch = 3;

    /// <summary>Grouped kv heads (4 over 2), 2 layers, biases per the architecture; V = 29 so no size is a power of two.</summary>
    public static ModelConfig Tiny(string architecture = "LlamaForCausalLM", bool tied = false, bool bias = true,
        PositionEncoding positions = PositionEncoding.Rope) =>
        ModelConfig.Llama(vocabSize: 29, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKeyValueHeads: 2,
            tieWordEmbeddings: tied, attentionBias: bias, maxPositionEmbeddings: 48, positionEncoding: positions)
        with { Architecture = architecture };

    /// <summary>Writes <paramref name="model"/>'s weights as an F16 or BF16 safetensors file with a config.json (HF layout).</summary>
    public static void SaveHalf(LlamaModel model, string folder, string dtype)
    {
        Directory.CreateDirectory(folder);
        model.Config.Save(Path.Combine(folder, "config.json"));
        var header = new JsonObject();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (ParameterTensor t in model.Tensors)
        {
            ReadOnlySpan<float> values = model.Parameters.Slice(t.Offset, t.Length);
            var bytes = new byte[t.Length * 2];
            for (int i = 0; i < t.Length; i++)
            {
                ushort bits = dtype == "F16"
                    ? BitConverter.HalfToUInt16Bits((Half)values[i])
                    : (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16);
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), bits);
            }

            header[t.Name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            offset += bytes.Length;
            blobs.Add(bytes);
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        using var file = File.Create(Path.Combine(folder, LlamaModel.WeightsFileName));
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
        file.Write(length);
        file.Write(json);
        blobs.ForEach(b => file.Write(b));
    }
}

internal static class Close
{
    /// <summary>Largest |a − b| over two equally long sequences.</summary>
    public static double MaxAbsDiff(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected[i] - actual[i]);
            worst = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(worst, d);
        }

        return worst;
    }

    public static void Within(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        double worst = MaxAbsDiff(expected, actual);
        Assert.True(worst <= tolerance, $"{what}: max abs diff {worst:G3} > {tolerance:G3}");
    }

    public static float[] Flatten(IEnumerable<float[]> rows) => rows.SelectMany(r => r).ToArray();
}

// Breaks a saved model folder the ways a user's folder breaks: weights that are not safetensors, empty or cut short, a
// header naming an unsupported dtype, a tensor left out, a config that no longer matches the tensors, weights that went
// NaN or infinite, a config or tokenizer that is not what it should be.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Engine.Checkpoints;
using Pipeline.Engine.Model;

namespace Pipeline.Cli.Tests.Commands;

internal static class BrokenModelFolder
{
    public static string Weights(string folder) => Path.Combine(folder, LlamaModel.WeightsFileName);

    public static string Config(string folder) => Path.Combine(folder, "config.json");

    public static string Tokenizer(string folder) => Path.Combine(folder, "tokenizer.json");

    public static void WeightsAreText(string folder) => File.WriteAllText(Weights(folder), "these are not the weights you are looking for\n");

    public static void WeightsAreEmpty(string folder) => File.WriteAllBytes(Weights(folder), []);

    public static void WeightsCutInHalf(string folder)
    {
        var bytes = File.ReadAllBytes(Weights(folder));
        File.WriteAllBytes(Weights(folder), bytes[..(bytes.Length / 2)]);
    }

    /// <summary>Renames the first tensor's dtype in the header to <paramref name="dtype"/>, leaving the data as it is.</summary>
    public static string FirstTensorDType(string folder, string dtype)
    {
        var bytes = File.ReadAllBytes(Weights(folder));
        var length = (int)BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        var name = header.Select(kv => kv.Key).First(k => k != "__metadata__");
        header[name]!["dtype"] = dtype;
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = text.Concat(Enumerable.Repeat((byte)' ', (8 - text.Length % 8) % 8)).ToArray();
        var rewritten = new byte[8 + padded.Length + bytes.Length - 8 - length];
        BinaryPrimitives.WriteInt64LittleEndian(rewritten, padded.Length);
        padded.CopyTo(rewritten, 8);
        bytes.AsSpan(8 + length).CopyTo(rewritten.AsSpan(8 + padded.Length));
        File.WriteAllBytes(Weights(folder), rewritten);
        return name;
    }

    /// <summary>Rewrites the weights through <paramref name="change"/>, which may drop tensors or change their values.</summary>
    public static void RewriteTensors(string folder, Func<List<SafeTensorsTensor>, List<SafeTensorsTensor>> change)
    {
        List<SafeTensorsTensor> tensors;
        using (var reader = SafeTensorsReader.Open(Weights(folder)))
            tensors = reader.Entries.Values.OrderBy(e => e.Begin).Select(e => new SafeTensorsTensor(e.Name, e.Shape, reader.Read(e.Name))).ToList();
        SafeTensorsWriter.Write(Weights(folder), change(tensors));
    }

    /// <summary>Sets element <paramref name="index"/> of tensor <paramref name="name"/> to <paramref name="value"/>.</summary>
    public static void SetWeight(string folder, string name, int index, float value) => RewriteTensors(folder, tensors =>
    {
        var tensor = tensors.Single(t => t.Name == name);
        var data = tensor.Data.ToArray();
        data[index] = value;
        return tensors.Select(t => t.Name == name ? t with { Data = data } : t).ToList();
    });

    /// <summary>Sets a key of config.json to a JSON value.</summary>
    public static void SetConfig(string folder, string key, JsonNode? value)
    {
        var config = JsonNode.Parse(File.ReadAllText(Config(folder)))!.AsObject();
        config[key] = value;
        File.WriteAllText(Config(folder), config.ToJsonString());
    }
}

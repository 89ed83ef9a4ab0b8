// The base model of the end-to-end campaigns: a small randomly initialised Llama over the arith task's character
// tokenizer, written as the model folder `pipeline bootstrap` would write. The tests check the distributed mechanics
// (messages, crashes, idempotence, bitwise resume), not learning, so training it would only cost minutes.
using Pipeline.Engine.Model;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Cli.Tests.EndToEnd;

internal static class TinyBaseModel
{
    static readonly Lazy<string> Folder = new(Create);

    /// <summary>The model folder (config.json, model.safetensors, tokenizer.json), built once per test run.</summary>
    public static string Directory => Folder.Value;

    static string Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pipeline-e2e", "base-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(folder);
        var encoding = TaskEncoding.ForTask(new ArithTask());
        // Big enough that a generation shard and an update chunk take a moment (the crash tests kill workers inside
        // them), small enough that a two-iteration campaign stays well under a minute of compute.
        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, hiddenSize: 64, intermediateSize: 128, numLayers: 2,
            numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 256);
        LlamaModel.Create(config, seed: 11).Save(folder);
        encoding.Tokenizer.Save(Path.Combine(folder, "tokenizer.json"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return folder;
    }
}

// Training small byte-level BPE vocabularies, and loading the saved files in our loader and in transformers.js.
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Tokenization;

public class BpeTrainerTests
{
    private static readonly string[] Corpus =
    [
        "the cat sat on the mat", "the dog sat on the log", "a cat and a dog", "12 + 34 = 46", "12 + 21 = 33",
        "<|bos|>the end<|eos|>", "thethethe the the", "naïve café", "日本 日本 日本",
    ];

    [Fact]
    public void Train_SmallCorpus_LearnsFrequentPairsFirst()
    {
        var tokenizer = BpeTrainer.Train(Corpus, vocabularySize: 3 + 256 + 10);

        Assert.Equal(3 + 256 + 10, tokenizer.VocabularySize);
        // " the" (with its space) is the most frequent word here, so it is built in the first merges.
        Assert.NotNull(tokenizer.TokenToId("Ġthe"));
        Assert.Single(tokenizer.Encode(" the"));
        Assert.Equal([tokenizer.BosId!.Value], tokenizer.Encode("<|bos|>"));
    }

    [Fact]
    public void Train_SameCorpusTwice_GivesIdenticalTokenizers()
    {
        var first = BpeTrainer.Train(Corpus, 300);
        var second = BpeTrainer.Train(Corpus.Reverse(), 300);

        Assert.Equal(first.VocabularySize, second.VocabularySize);
        for (int id = 0; id < first.VocabularySize; id++)
        {
            Assert.Equal(first.IdToToken(id), second.IdToToken(id));
        }
    }

    [Fact]
    public void Train_NoRepeatedPairs_StopsBeforeVocabularySize()
    {
        var tokenizer = BpeTrainer.Train(["ab"], vocabularySize: 1000, specialTokens: []);

        Assert.Equal(256, tokenizer.VocabularySize);
    }

    [Fact]
    public void Train_VocabularySmallerThanBytes_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.Train(Corpus, 100));
    }

    [Fact]
    public void Encode_TrainedTokenizer_RoundTripsAnyText()
    {
        var tokenizer = BpeTrainer.Train(Corpus, 320);

        foreach (string line in ParityCorpus.Lines(seed: 3, count: 200))
        {
            Assert.Equal(line, tokenizer.Decode(tokenizer.Encode(line)));
        }
    }

    [Fact]
    public void Save_TrainedAndCharacterTokenizers_LoadInTransformersJsWithSameIds()
    {
        using var temporary = new TemporaryDirectory("trained-tokenizers-");
        string dir = temporary.Path;
        var trained = BpeTrainer.Train(Corpus.Concat(ParityCorpus.Lines(seed: 4, count: 300)), 600);
        var characters = CharacterTokenizerBuilder.Build("abcdefghijklmnopqrstuvwxyz0123456789 +=\n");
        var trainedLines = ParityCorpus.Lines(seed: 5, count: 200, ["<|bos|>", "<|eos|>", "<|pad|>"]);
        var characterLines = new List<string> { "<|bos|>12+30=42<|eos|>", "hello world\n", "<|pad|><|pad|>abc", "" };

        foreach (var (tokenizer, name, lines) in new[] { (trained, "trained", trainedLines), (characters, "characters", characterLines) })
        {
            string path = Path.Combine(dir, name, "tokenizer.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            tokenizer.Save(path);
            var reloaded = BpeTokenizer.Load(path);
            var (expected, decoded) = NpmReference.Encode("hf:" + path, lines);

            for (int i = 0; i < lines.Count; i++)
            {
                Assert.Equal(expected[i], tokenizer.Encode(lines[i]));
                Assert.Equal(expected[i], reloaded.Encode(lines[i]));
                Assert.Equal(decoded[i], tokenizer.Decode(expected[i]));
            }
        }
    }
}

// The project's tokenizers used by code that only knows Microsoft.ML.Tokenizers' Tokenizer, as any library user would.
using Microsoft.ML.Tokenizers;

namespace Pipeline.Engine.Tests.Tokenization;

public class ModelTokenizerTests
{
    private static readonly string[] Texts =
    [
        "the cat sat on the mat, then 12 + 34 = 46.",
        "naïve café: résumé of Ångström's 😀 emoji 👍🏽 and 𝐀𝐁𝐂 letters",
        "   leading spaces\tand\ttabs\nand lines\n\n",
        "<|bos|>special tokens<|eos|> inside <|pad|>text",
    ];

    public static TheoryData<string> Kinds => new() { "byte-level", "characters" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GenericConsumer_EncodeDecodeCount_RoundTripsEveryText(string kind)
    {
        Tokenizer tokenizer = Create(kind);

        foreach (string text in Texts)
        {
            var ids = tokenizer.EncodeToIds(text);
            Assert.Equal(text, tokenizer.Decode(ids));
            Assert.Equal(ids.Count, tokenizer.CountTokens(text));
            Assert.Equal(ids.Count, tokenizer.CountTokens(text.AsSpan()));
            Assert.Equal(ids, tokenizer.EncodeToIds(text.AsSpan()));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GenericConsumer_ChunkingByTokenCount_ChunksRejoinIntoTheTextWithinTheLimit(string kind)
    {
        Tokenizer tokenizer = Create(kind);

        foreach (string text in Texts)
        {
            var chunks = Chunk(tokenizer, text, maxTokens: 5);
            Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
            Assert.All(chunks, c => Assert.InRange(c.Tokens, 1, 5));
            Assert.Equal(tokenizer.CountTokens(text), chunks.Sum(c => c.Tokens));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void GenericConsumer_TokenOffsets_SliceTheTextInOrder(string kind)
    {
        Tokenizer tokenizer = Create(kind);

        foreach (string text in Texts)
        {
            var tokens = tokenizer.EncodeToTokens(text, out string? normalized);
            string source = normalized ?? text;
            // Tokens holding bytes of the same character share it: each token adds what it covers beyond the others.
            var rebuilt = new System.Text.StringBuilder();
            foreach (var token in tokens)
            {
                var (start, length) = token.Offset.GetOffsetAndLength(source.Length);
                Assert.InRange(start, 0, rebuilt.Length);
                if (start + length > rebuilt.Length)
                {
                    rebuilt.Append(source.AsSpan(rebuilt.Length, start + length - rebuilt.Length));
                }
            }
            Assert.Equal(text, rebuilt.ToString());
        }
    }

    [Fact]
    public void ModelTokenizer_TaskStyleCharacterTokenizer_ExposesRolesAndVocabulary()
    {
        ModelTokenizer tokenizer = CharacterTokenizerBuilder.Build("ab");

        Assert.Equal((5, 1, 2, 0), (tokenizer.VocabularySize, tokenizer.BosId, tokenizer.EosId, tokenizer.PadId));
        Assert.Equal(3, tokenizer.TokenToId("a"));
        Assert.Equal("b", tokenizer.IdToToken(4));
        Assert.Equal([1, 3, 4, 2], tokenizer.Encode("<|bos|>ab<|eos|>"));
        Assert.Equal("ab", tokenizer.Decode([1, 3, 4, 2], skipSpecialTokens: true));
    }

    // A chunker as library users write it: cut where GetIndexByTokenCount says, continue with the rest.
    private static List<(string Text, int Tokens)> Chunk(Tokenizer tokenizer, string text, int maxTokens)
    {
        var chunks = new List<(string, int)>();
        while (text.Length > 0)
        {
            int index = tokenizer.GetIndexByTokenCount(text, maxTokens, out string? normalized, out int tokenCount);
            text = normalized ?? text;
            if (index == 0)
            {
                throw new InvalidOperationException($"No token of '{text}' fits in {maxTokens}.");
            }
            chunks.Add((text[..index], tokenCount));
            text = text[index..];
        }
        return chunks;
    }

    private static ModelTokenizer Create(string kind) => kind switch
    {
        "byte-level" => BpeTrainer.Train(Texts.Concat(ParityCorpus.Lines(seed: 3, count: 100)), vocabularySize: 450),
        _ => CharacterTokenizerBuilder.Build(string.Concat(Texts)),
    };
}

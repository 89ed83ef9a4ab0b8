// Packing of prompt/response pairs: layout, masking of prompt and padding, and the log-prob/gradient round trip.
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

public sealed class SequenceBatchTests
{
    [Fact]
    public void Pack_TwoPairs_RightPadsAndMasksPromptAndPadding()
    {
        var batch = SequenceBatch.Pack([new PromptResponse([1, 2, 3], [4, 5]), new PromptResponse([6], [7, 8])], padToken: 9);

        Assert.Equal(2, batch.BatchSize);
        Assert.Equal(4, batch.Time); // 3 + 2 − 1: the last response token is only a target
        Assert.Equal([1, 2, 3, 4, 6, 7, 9, 9], batch.Tokens.ToArray());
        Assert.Equal([-1, -1, 4, 5, 7, 8, -1, -1], batch.Targets.ToArray());
        Assert.Equal(4, batch.ResponseTokenCount);
    }

    [Fact]
    public void ResponseLogProbs_ThenScatter_RoundTripsAndZeroesOtherPositions()
    {
        var batch = SequenceBatch.Pack([new PromptResponse([1, 2], [3, 4, 5]), new PromptResponse([1, 2, 3, 4], [5])]);
        var forward = Enumerable.Range(0, batch.BatchSize * batch.Time).Select(i => (float)(i + 1)).ToArray();

        var perRow = batch.ResponseLogProbs(forward);
        var scattered = Enumerable.Repeat(-100f, forward.Length).ToArray();
        batch.ScatterGradients(perRow, scattered);

        Assert.Equal([2f, 3f, 4f], perRow[0]);
        Assert.Equal([8f], perRow[1]);
        var targets = batch.Targets.ToArray();
        for (int i = 0; i < forward.Length; i++)
            Assert.Equal(targets[i] >= 0 ? forward[i] : 0f, scattered[i]);
    }

    [Fact]
    public void ResponseLogProbs_OnTinyModel_MatchTheResponseScorer()
    {
        var model = TinyPolicy.Create();
        var pairs = new[] { TinyPolicy.Pair("12+3=", "15;#"), TinyPolicy.Pair("7=", "7") };

        var batched = TeacherForcedScores.LogProbs(model, pairs);

        for (int s = 0; s < pairs.Length; s++)
        {
            var single = ResponseScorer.Score(model, pairs[s].Prompt, pairs[s].Response).Tokens.Select(t => t.LogProb).ToArray();
            Assert.Equal(single.Length, batched[s].Length);
            for (int t = 0; t < single.Length; t++) Assert.Equal(single[t], batched[s][t], 4);
        }
    }

    [Fact]
    public void Pack_EmptyPromptOrResponse_Throws()
    {
        Assert.Throws<ArgumentException>(() => SequenceBatch.Pack([new PromptResponse([], [1])]));
        Assert.Throws<ArgumentException>(() => SequenceBatch.Pack([new PromptResponse([1], [])]));
        Assert.Throws<ArgumentException>(() => SequenceBatch.Pack([]));
    }
}

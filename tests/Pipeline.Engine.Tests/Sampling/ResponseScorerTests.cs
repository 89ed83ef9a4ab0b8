// Checks teacher-forced scoring: each response token is paired with the distribution at the position before it (its
// log-prob equals the model's own gathered log-softmax there), and the means are over response tokens only.
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tests.Model;
using Pipeline.Testing;

namespace Pipeline.Engine.Tests.Sampling;

public class ResponseScorerTests
{
    [Fact]
    public void Score_LogProbs_EqualForwardLogProbsOfTheResponseTargets()
    {
        ModelConfig config = TestModels.Tiny();
        LlamaModel model = RandomModels.Randomised(config, 4);
        int[] prompt = RandomModels.Tokens(5, config.VocabSize, 1);
        int[] response = RandomModels.Tokens(6, config.VocabSize, 2);
        int[] sequence = [.. prompt, .. response];
        int[] targets = [.. Enumerable.Repeat(-1, prompt.Length - 1), .. response, -1];
        var expected = new float[sequence.Length];
        model.ForwardLogProbs(sequence, targets, 1, sequence.Length, expected);

        ScoredResponse scored = ResponseScorer.Score(model, prompt, response);

        Assert.Equal(response.Length, scored.Tokens.Length);
        for (int i = 0; i < response.Length; i++)
        {
            Assert.Equal(expected[prompt.Length - 1 + i], scored.Tokens[i].LogProb, 1e-5f);
        }

        Assert.Equal(scored.Tokens.Average(s => (double)s.LogProb), scored.MeanLogProb, 10);
        Assert.Equal(scored.Tokens.Average(s => (double)s.Entropy), scored.MeanEntropy, 10);
        Assert.Equal(scored.Tokens.Average(s => (double)s.SelfCertainty), scored.MeanSelfCertainty, 10);
    }

    [Fact]
    public void Score_EmptyPrompt_Throws()
    {
        LlamaModel model = RandomModels.Randomised(TestModels.Tiny(), 4);

        Assert.Throws<ArgumentException>(() => ResponseScorer.Score(model, [], [1, 2]));
    }

    [Fact]
    public void Score_EmptyResponse_HasNoTokensAndZeroMeans()
    {
        LlamaModel model = RandomModels.Randomised(TestModels.Tiny(), 4);

        ScoredResponse scored = ResponseScorer.Score(model, [1, 2], []);

        Assert.Empty(scored.Tokens);
        Assert.Equal(0.0, scored.MeanSelfCertainty);
    }
}

// The engine-backed judge on a real tiny model: an untrained model's judge texts are unreadable and counted as such,
// verdict probabilities come from teacher-forced log-probs, and a model fine-tuned to say " correct" is read as such.
using Pipeline.Learning.Policies;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using Pipeline.Engine.Training;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Judging;

public sealed class ModelJudgeTests
{
    private const string Problem = "3+4=";
    private const string Solution = "7;#### 7";

    private static readonly ModelTokenizer Tokenizer = CharacterTokenizerBuilder.Build(new string(
        (RubricJudge.BuildPrompt(Problem, Solution) + VerdictJudge.BuildPrompt(Problem, Solution) + VerdictJudge.IncorrectVerdict
            + "0123456789Score:").Distinct().ToArray()));

    private static LlamaModel CreateModel() => LlamaModel.Create(ModelConfig.Llama(Tokenizer.VocabularySize, hiddenSize: 32,
        intermediateSize: 64, numLayers: 2, numHeads: 4, numKeyValueHeads: 2, maxPositionEmbeddings: 1024), seed: 21);

    private static SamplingOptions Sampling(float temperature = 1f) => new() { Temperature = temperature, MaxNewTokens = 24, Seed = 5 };

    [Fact]
    public void RubricJudge_UntrainedModel_CountsEveryUnreadableOutputAsAParseFailure()
    {
        var judge = new ModelJudge(new ManagedPolicy(CreateModel()), Tokenizer, Sampling());

        var score = RubricJudge.Judge(judge, Problem, Solution, samples: 3);

        Assert.Null(score.Score);
        Assert.Equal(3, score.Samples);
        Assert.Equal(3, score.ParseFailures);
    }

    [Fact]
    public void VerdictJudgeBySampling_UntrainedModel_CountsParseFailures()
    {
        var judge = new ModelJudge(new ManagedPolicy(CreateModel()), Tokenizer, Sampling());

        var score = VerdictJudge.ScoreBySampling(judge, Problem, Solution, samples: 4);

        Assert.Null(score.Score);
        Assert.Equal(4, score.ParseFailures);
    }

    [Fact]
    public void Sample_SameSeed_SameTextsAndLaterCallsDrawNewStreams()
    {
        var model = CreateModel();
        var first = new ModelJudge(new ManagedPolicy(model), Tokenizer, Sampling());
        var second = new ModelJudge(new ManagedPolicy(model), Tokenizer, Sampling());

        var a = first.Sample(Problem, 2);
        var b = second.Sample(Problem, 2);
        var c = first.Sample(Problem, 2);

        Assert.Equal(a, b);
        Assert.All(a, text => Assert.NotEmpty(text));
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ContinuationLogProbs_MatchTheResponseScorerSums()
    {
        var model = CreateModel();
        var judge = new ModelJudge(new ManagedPolicy(model), Tokenizer, Sampling());
        string prompt = VerdictJudge.BuildPrompt(Problem, Solution);

        var logProbs = judge.ContinuationLogProbs(prompt, [VerdictJudge.CorrectVerdict, VerdictJudge.IncorrectVerdict]);
        var score = VerdictJudge.ScoreByProbability(judge, Problem, Solution);

        var expected = new[] { VerdictJudge.CorrectVerdict, VerdictJudge.IncorrectVerdict }
            .Select(c => ResponseScorer.Score(model, Tokenizer.Encode(prompt), Tokenizer.Encode(c)).Tokens.Sum(t => (double)t.LogProb)).ToList();
        Assert.Equal(expected[0], logProbs[0], 4);
        Assert.Equal(expected[1], logProbs[1], 4);
        Assert.Equal(VerdictJudge.ProbabilityCorrect(expected[0], expected[1]), score.Score!.Value, 5);
        Assert.Equal(0, score.ParseFailures);
    }

    [Fact]
    public void VerdictJudgeBySampling_ModelFineTunedOnTheVerdict_ReadsItWithoutFailures()
    {
        var trainer = new PolicyTrainer(CreateModel(), new TrainingOptions(new LearningRateSchedule(1e-2f, 0, 100)), seed: 1);
        var example = new PromptResponse(Tokenizer.Encode(VerdictJudge.BuildPrompt(Problem, Solution)), Tokenizer.Encode(VerdictJudge.CorrectVerdict));
        for (int step = 0; step < 40; step++) SftUpdate.Step(trainer, [example]);
        var judge = new ModelJudge(trainer.Policy, Tokenizer, Sampling(temperature: 0) with { MaxNewTokens = VerdictJudge.CorrectVerdict.Length });

        var sampled = VerdictJudge.ScoreBySampling(judge, Problem, Solution, samples: 2);
        var probability = VerdictJudge.ScoreByProbability(judge, Problem, Solution);

        Assert.Equal(1.0, sampled.Score);
        Assert.Equal(0, sampled.ParseFailures);
        Assert.True(probability.Score > 0.9, $"p(correct) = {probability.Score}");
    }
}

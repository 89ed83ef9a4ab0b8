// Checks the evaluator's metrics on crafted model outputs with hand-computed values, and its model-facing parts on a
// tiny random model: batched verdict log-probs equal the engine's single-sequence teacher-forced scorer, and a full
// evaluation runs with every metric in range.
using Pipeline.Learning.Policies;
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Learning.Evaluation;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tests.Evaluation;

public class TaskEvaluatorTests
{
    private readonly ArithTask _task = new();

    private static TaskProblem Problem(int i, string answer) => new($"p{i}", "d2s1", "1+1=", "1+1=2;#### " + answer, answer);

    /// <summary>A response whose every token has the given self-certainty and chosen-token probability.</summary>
    private static EvaluatedResponse Response(string text, float selfCertainty, float prob = 0.5f) => new(
        text,
        text.Select(c => c.ToString()).ToArray(),
        text.Select(_ => new TokenStatistics(MathF.Log(prob), 0.1f, selfCertainty, prob, 0f)).ToArray());

    [Fact]
    public void Summarize_CraftedOutputs_HandComputedMetrics()
    {
        TaskProblem[] problems = [Problem(0, "2"), Problem(1, "3"), Problem(2, "4"), Problem(3, "5")];
        EvaluatedResponse[] greedy =
        [
            Response("#### 2", 0.9f, prob: 0.8f), // right
            Response("#### 3", 0.7f, prob: 0.8f), // right
            Response("#### 9", 0.8f, prob: 0.6f), // wrong
            Response("no answer", 0.1f),          // wrong, no answer: answer confidence 0
        ];
        SampledAnswer[][] samples =
        [
            [new("2", 0.9), new("2", 0.6), new("2", 0.5), new("7", 0.7)], // majority 2 right, share 0.75
            [new("1", 0.4), new("1", 0.2), new("3", 0.3), new(null, 0.1)], // majority 1 wrong, share 0.5
            [new("4", 0.8), new("4", 0.8), new("4", 0.8), new("4", 0.8)], // right, share 1
            [new(null, 0), new(null, 0), new(null, 0), new(null, 0)], // no winner, share 0
        ];

        var report = TaskEvaluator.Summarize(_task, "d2s1", problems, greedy, samples, [0.9, 0.4, 0.5, 0.2], [true, false, false, false]);

        Assert.Equal(4, report.Problems);
        Assert.Equal(0.5, report.GreedyAccuracy, 12);
        Assert.Equal(0.25, report.GreedyNoAnswer, 12);
        Assert.Equal(4, report.Samples);
        Assert.Equal(0.5, report.MajorityAccuracy, 12);
        // Vote shares 0.75 (right), 0.5 (wrong), 1 (right), 0 (wrong): bins alone, |1−.75|+|0−.5|+|1−1|+|0−0| over 4.
        Assert.Equal(0.1875, report.VoteShareEce, 12);
        // Answer-span confidences: 0.8 and 0.8 (both right), 0.6 (wrong), 0 (wrong, no span): (2·0.2 + 0.6 + 0) / 4.
        Assert.Equal(0.25, report.AnswerConfidenceEce, 6);
        // Self-certainty: right 0.9, 0.7; wrong 0.8, 0.1. Pairs won: (.9,.8) (.9,.1) (.7,.1); lost (.7,.8): 3/4.
        Assert.Equal(0.75, report.SelfCertaintyAuroc, 12);
        // Samples: right .9 .6 .5 .3 .8×4, wrong .7 .4 .2 .1 0×4. Pairs won out of 8·8: .9 and each .8 beat all 8 wrong
        // ones, .6 and .5 all but .7, .3 all but .7 and .4: (8 + 32 + 7 + 7 + 6) / 64.
        Assert.Equal(60 / 64.0, report.SampledSelfCertaintyAuroc, 12);
        // Only problems 0 and 1 have right and wrong samples: 1/3 (.9 beats .7, .6 and .5 do not), 2/3 (.3 beats .2, .1).
        Assert.Equal(2, report.MixedProblems);
        Assert.Equal(0.5, report.WithinPromptSelfCertaintyAuroc, 12);
        Assert.Equal(0.8, report.MeanSelfCertaintyCorrect, 6);
        Assert.Equal(0.45, report.MeanSelfCertaintyIncorrect, 6);
        Assert.Equal((6 + 6 + 6 + 9) / 4.0, report.MeanResponseTokens, 12);
        // p ≥ ½ ⇒ "correct": 0.9 ✓ (true), 0.4 ✓ (false), 0.5 ✗ (false), 0.2 ✓ (false).
        Assert.Equal(4, report.JudgeExamples);
        Assert.Equal(0.75, report.JudgeAccuracy, 12);
        // pass@1: 3/4, 1/4, 4/4, 0/4 right samples.
        Assert.Equal(0.5, report.PassAtOne, 12);
        // Borda agrees with the majority here: problem 0's "2" holds ranks 1, 3, 4; problem 1's "1" ranks 1 and 3.
        Assert.Equal(0.5, report.BordaAccuracyLowPower, 12);
        Assert.Equal(0.5, report.BordaAccuracyHighPower, 12);
        Assert.NotNull(report.Outcomes);
        Assert.Equal([true, true, false, false], report.Outcomes.GreedyCorrect);
        Assert.Equal([3, 1, 4, 0], report.Outcomes.SamplesCorrect);
        Assert.Equal([true, false, true, false], report.Outcomes.MajorityCorrect);
    }

    [Fact]
    public void Summarize_ConfidentMinority_BordaHighPowerPicksIt_LowPowerKeepsMajority()
    {
        // "5" is right with the highest self-certainty; "6" has two samples of lower self-certainty.
        // p = 0.3: "5" 3^0.3 = 1.390 < "6" 2^0.3 + 1 = 2.231. p = 1.2: "5" 3^1.2 = 3.737 > "6" 2^1.2 + 1 = 3.297.
        var report = TaskEvaluator.Summarize(_task, "d2s1", [Problem(0, "5")], [Response("#### 6", 0.5f)],
            [[new SampledAnswer("6", 0.1), new SampledAnswer("6", 0.2), new SampledAnswer("5", 0.9)]], [], []);

        Assert.Equal(0, report.MajorityAccuracy);
        Assert.Equal(0, report.BordaAccuracyLowPower);
        Assert.Equal(1, report.BordaAccuracyHighPower);
        Assert.Equal(1 / 3.0, report.PassAtOne, 12);
    }

    [Fact]
    public void Summarize_AllRight_AurocUndefined()
    {
        var report = TaskEvaluator.Summarize(_task, "d2s1", [Problem(0, "2")], [Response("#### 2", 0.5f)], [[new SampledAnswer("2", 0.5)]], [], []);

        Assert.Equal(1.0, report.GreedyAccuracy);
        Assert.True(double.IsNaN(report.SelfCertaintyAuroc));
        Assert.True(double.IsNaN(report.SampledSelfCertaintyAuroc));
        Assert.True(double.IsNaN(report.WithinPromptSelfCertaintyAuroc));
        Assert.Equal(0, report.MixedProblems);
        Assert.True(double.IsNaN(report.JudgeAccuracy));
    }

    [Fact]
    public void JudgeProbabilities_Batched_EqualSingleSequenceScorer()
    {
        var encoding = TaskEncoding.ForTask(_task);
        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, hiddenSize: 16, intermediateSize: 24, numLayers: 2,
            numHeads: 2, numKeyValueHeads: 2, maxPositionEmbeddings: 128);
        var model = LlamaModel.Create(config, seed: 5);
        var problems = _task.Generate(3, new ArithDifficulty(2, 2), 5);
        var examples = _task.JudgeExamples(problems, seed: 3);
        var evaluator = new TaskEvaluator(_task, new ManagedPolicy(model), encoding);

        double[] batched = evaluator.JudgeProbabilities(examples, batchSize: 3);

        for (int i = 0; i < examples.Count; i++)
        {
            int[] prompt = encoding.Prompt(examples[i].Prompt);
            double correct = ResponseScorer.Score(model, prompt, encoding.Continuation(VerdictJudge.CorrectVerdict)).Tokens.Sum(t => (double)t.LogProb);
            double incorrect = ResponseScorer.Score(model, prompt, encoding.Continuation(VerdictJudge.IncorrectVerdict)).Tokens.Sum(t => (double)t.LogProb);
            Assert.Equal(VerdictJudge.ProbabilityCorrect(correct, incorrect), batched[i], 4);
        }
    }

    [Fact]
    public void Evaluate_TinyRandomModel_RunsWithMetricsInRange()
    {
        var encoding = TaskEncoding.ForTask(_task);
        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, hiddenSize: 16, intermediateSize: 24, numLayers: 1,
            numHeads: 2, numKeyValueHeads: 2, maxPositionEmbeddings: 128);
        var evaluator = new TaskEvaluator(_task, new ManagedPolicy(LlamaModel.Create(config, seed: 2)), encoding);
        var problems = _task.Generate(1, new ArithDifficulty(2, 1), 6);

        var report = evaluator.Evaluate("d2s1", problems, _task.JudgeExamples(problems, 1), new EvaluationOptions { Samples = 3, MaxNewTokens = 12 });

        Assert.Equal(6, report.Problems);
        Assert.Equal(3, report.Samples);
        Assert.Equal(6, report.JudgeExamples);
        Assert.InRange(report.MeanResponseTokens, 1, 12);
        foreach (double rate in new[] { report.GreedyAccuracy, report.MajorityAccuracy, report.VoteShareEce, report.AnswerConfidenceEce, report.JudgeAccuracy })
            Assert.InRange(rate, 0, 1);
    }

    [Fact]
    public void Evaluate_SecondAttempt_ReportsBothAccuraciesAndTheirChanges()
    {
        var encoding = TaskEncoding.ForTask(_task);
        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, hiddenSize: 16, intermediateSize: 24, numLayers: 1,
            numHeads: 2, numKeyValueHeads: 2, maxPositionEmbeddings: 128);
        var evaluator = new TaskEvaluator(_task, new ManagedPolicy(LlamaModel.Create(config, seed: 2)), encoding);
        var problems = _task.Generate(1, new ArithDifficulty(2, 1), 6);

        var without = evaluator.Evaluate("d2s1", problems, [], new EvaluationOptions { Samples = 1, MaxNewTokens = 12 });
        var with = evaluator.Evaluate("d2s1", problems, [], new EvaluationOptions { Samples = 1, MaxNewTokens = 12, SecondAttempt = true });

        Assert.Null(without.SelfCorrection);
        var c = Assert.IsType<SelfCorrectionReport>(with.SelfCorrection);
        Assert.Equal(with.GreedyAccuracy, c.FirstAttemptAccuracy);
        Assert.Equal(c.IncorrectToCorrect - c.CorrectToIncorrect, c.Delta, 12);
    }

    [Fact]
    public void SelfCorrectionReport_FromOutcomes_SharesOfAllProblems()
    {
        // right-right, wrong-right, right-wrong, wrong-wrong, wrong-right.
        var report = SelfCorrectionReport.FromOutcomes([(true, true), (false, true), (true, false), (false, false), (false, true)]);

        Assert.Equal(0.4, report.FirstAttemptAccuracy, 12);
        Assert.Equal(0.6, report.SecondAttemptAccuracy, 12);
        Assert.Equal(0.2, report.Delta, 12);
        Assert.Equal(0.4, report.IncorrectToCorrect, 12);
        Assert.Equal(0.2, report.CorrectToIncorrect, 12);
    }

    [Fact]
    public void SummarizeSampleJudge_AccuracyAtHalfAndMeanWithinPromptAuroc()
    {
        // Problem 1: ranks its right sample above both wrong ones (AUROC 1); problem 2: all right (no AUROC);
        // problem 3: ranks the wrong sample above the right one (AUROC 0).
        double[] p = [0.9, 0.4, 0.2, 0.8, 0.7, 0.3, 0.6];
        bool[] right = [true, false, false, true, true, true, false];

        var report = TaskEvaluator.SummarizeSampleJudge([3, 2, 2], p, right, answerOnly: true);

        Assert.Equal(5.0 / 7, report.Accuracy, 12); // only problem 3's two samples are judged the wrong way round
        Assert.Equal(0.5, report.WithinPromptAuroc, 12);
        Assert.Equal(2, report.MixedProblems);
        Assert.True(report.AnswerOnly);
    }

    [Fact]
    public void Evaluate_JudgeSamples_ReportsTheJudgeOnTheModelsOwnSamples()
    {
        var encoding = TaskEncoding.ForTask(_task);
        var config = ModelConfig.Llama(encoding.Tokenizer.VocabularySize, hiddenSize: 16, intermediateSize: 24, numLayers: 1,
            numHeads: 2, numKeyValueHeads: 2, maxPositionEmbeddings: 128);
        var evaluator = new TaskEvaluator(_task, new ManagedPolicy(LlamaModel.Create(config, seed: 2)), encoding);
        var problems = _task.Generate(1, new ArithDifficulty(2, 1), 4);

        var report = evaluator.Evaluate("d2s1", problems, [], new EvaluationOptions { Samples = 2, MaxNewTokens = 12, JudgeSamples = SampleJudging.Response });

        var judge = Assert.IsType<SampleJudgeReport>(report.SampleJudge);
        Assert.InRange(judge.Accuracy, 0, 1);
        Assert.False(judge.AnswerOnly);
    }

    [Theory]
    [InlineData(256, 100, 64, 64)]
    [InlineData(256, 200, 64, 57)]
    [InlineData(256, 256, 64, 1)]
    public void SecondAttemptBudget_CutToTheContext(int context, int longestPrompt, int wanted, int expected)
    {
        Assert.Equal(expected, TaskEvaluator.SecondAttemptBudget(context, longestPrompt, wanted));
    }

    [Fact]
    public void SecondAttemptBudget_PromptBeyondTheContext_SaysSo()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TaskEvaluator.SecondAttemptBudget(256, 300, 64));

        Assert.Contains("no room", error.Message, StringComparison.Ordinal);
    }
}

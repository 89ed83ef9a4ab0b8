// A tiny bootstrap run (tiny model, few steps, small splits): it writes a loadable HF-format folder whose loss went down,
// whose evaluation runs, and which is the same for the same seed.
using Pipeline.Learning.Policies;
using System.Text.Json.Nodes;
using Pipeline.Engine.Model;
using Pipeline.Engine.Tokenization;
using Pipeline.Learning.Bootstrap;
using Pipeline.Learning.Evaluation;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;

namespace Pipeline.Learning.Tests.Bootstrap;

public sealed class BaseModelTrainerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipeline-bootstrap-tests", Guid.NewGuid().ToString("N"));
    private readonly ArithTask _task = new();

    private static BootstrapOptions Tiny(int seed = 4) => new()
    {
        Seed = seed,
        Steps = 40,
        BatchSize = 8,
        WarmupSteps = 4,
        PeakLearningRate = 1e-2f,
        HiddenSize = 32,
        NumLayers = 1,
        NumHeads = 2,
        IntermediateSize = 48,
        SftPerDifficulty = 40,
        JudgePerDifficulty = 10,
        CorrectionPerDifficulty = 10,
        MetaJudgePerDifficulty = 5,
        AnswerJudgePerDifficulty = 5,
    };

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Train_TinyRun_WritesLoadableFolder_LossDecreases_EvalRuns()
    {
        string folder = Path.Combine(_root, "a");
        var progress = new List<BootstrapProgress>();

        var report = BaseModelTrainer.Train(_task, Tiny(), folder, new Recorder(progress));

        // 40 steps on the main data plus one step on a batch of the methods' examples after every 8.
        Assert.Equal(45, report.StepsDone);
        Assert.Equal(45, progress.Count);
        Assert.Equal(5, report.MethodSteps);
        Assert.InRange(report.MethodPositionShare, 5.0 / 45, 0.5); // its batches are longer than the main ones
        Assert.Equal(Enumerable.Range(1, 45), progress.Select(p => p.Step));
        Assert.Equal(10, report.LossBySegment.Count);
        Assert.True(report.LossBySegment[^1] < report.LossBySegment[0] - 0.5,
            $"loss went from {report.LossBySegment[0]} to {report.LossBySegment[^1]}");
        Assert.Equal(ArithSplitOptions.Recommended(4).TrainDifficulties.Count * (40 + 10 + 10 + 5 + 5) + ArithSplitOptions.Recommended(4).CampaignSftCount, report.Examples);

        var model = LlamaModel.Load(folder);
        var tokenizer = BpeTokenizer.Load(Path.Combine(folder, "tokenizer.json"));
        Assert.Equal(tokenizer.VocabularySize, model.Config.VocabSize);
        Assert.Equal(32, model.Config.HiddenSize);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, BaseModelTrainer.ReportFileName)))!;
        Assert.Equal(45, written["Report"]!["StepsDone"]!.GetValue<int>());
        Assert.Equal("arith", written["Task"]!.GetValue<string>());

        var problems = _task.Generate(9, new ArithDifficulty(2, 1), 4);
        var eval = new TaskEvaluator(_task, new ManagedPolicy(model), new TaskEncoding(tokenizer))
            .Evaluate("d2s1", problems, _task.JudgeExamples(problems, 9), new EvaluationOptions { Samples = 2 });
        Assert.Equal(4, eval.Problems);
        Assert.InRange(eval.GreedyAccuracy, 0, 1);
    }

    [Fact]
    public void Train_SameSeed_SameWeights_OtherSeed_Different()
    {
        var options = Tiny() with { Steps = 5 };
        BaseModelTrainer.Train(_task, options, Path.Combine(_root, "x"));
        BaseModelTrainer.Train(_task, options, Path.Combine(_root, "y"));
        BaseModelTrainer.Train(_task, options with { Seed = 5 }, Path.Combine(_root, "z"));

        var x = LlamaModel.Load(Path.Combine(_root, "x")).Parameters.ToArray();
        Assert.Equal(x, LlamaModel.Load(Path.Combine(_root, "y")).Parameters.ToArray());
        Assert.NotEqual(x, LlamaModel.Load(Path.Combine(_root, "z")).Parameters.ToArray());
    }

    [Fact]
    public void Train_SlowMachine_SameWeightsAndEveryStepAsAFastOne()
    {
        // A progress consumer that stalls each step stands in for a busy machine: the schedule must not notice.
        var slowProgress = new List<BootstrapProgress>();
        var fast = BaseModelTrainer.Train(_task, Tiny(), Path.Combine(_root, "fast"));
        var slow = BaseModelTrainer.Train(_task, Tiny(), Path.Combine(_root, "slow"), new Recorder(slowProgress, stall: TimeSpan.FromMilliseconds(20)));

        Assert.Equal(fast.StepsDone, slow.StepsDone);
        Assert.Equal(Tiny().TotalSteps(hasMethodExamples: true), slowProgress[^1].TotalSteps);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_root, "fast", "model.safetensors")), File.ReadAllBytes(Path.Combine(_root, "slow", "model.safetensors")));
    }

    [Fact]
    public void Train_MethodBatchEveryZero_NoMethodStepsOrExamples()
    {
        var report = BaseModelTrainer.Train(_task, Tiny() with { MethodBatchEvery = 0 }, Path.Combine(_root, "plain"));

        Assert.Equal(40, report.StepsDone);
        Assert.Equal((0, 0.0), (report.MethodSteps, report.MethodPositionShare));
        Assert.Equal(ArithSplitOptions.Recommended(4).TrainDifficulties.Count * (40 + 10) + ArithSplitOptions.Recommended(4).CampaignSftCount, report.Examples);
    }

    [Fact]
    public void MethodSequences_CorrectionsThenMetaJudgementsThenAnswerOnlyVerdicts()
    {
        var encoding = TaskEncoding.ForTask(_task);
        var splits = _task.Splits(4, new SplitSizes(SftPerDifficulty: 1, JudgePerDifficulty: 1, CorrectionPerDifficulty: 2,
            MetaJudgePerDifficulty: 3, AnswerJudgePerDifficulty: 1));

        var sequences = BaseModelTrainer.MethodSequences(splits, encoding);

        Assert.Equal(4 * (2 + 3 + 1), sequences.Count);
        Assert.Equal(encoding.Prompt(splits.Corrections[1].Prompt), sequences[1].Prompt);
        Assert.Equal(encoding.Response(splits.Corrections[1].Response), sequences[1].Response);
        Assert.Equal(encoding.Prompt(splits.MetaJudge[0].Prompt), sequences[8].Prompt);
        Assert.Equal(encoding.Response(splits.AnswerJudge[^1].Verdict), sequences[^1].Response);
    }

    [Fact]
    public void Train_InvalidOptions_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BaseModelTrainer.Train(_task, Tiny() with { Steps = 0 }, Path.Combine(_root, "bad")));
        Assert.False(Directory.Exists(Path.Combine(_root, "bad")));
    }

    private sealed class Recorder(List<BootstrapProgress> list, TimeSpan stall = default) : IProgress<BootstrapProgress>
    {
        public void Report(BootstrapProgress value)
        {
            if (stall > TimeSpan.Zero) Thread.Sleep(stall);
            list.Add(value);
        }
    }
}

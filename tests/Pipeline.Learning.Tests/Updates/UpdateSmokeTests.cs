// The smoke acceptance of the updates: on a tiny character-level arith model (bootstrapped with a few SFT steps so its
// samples have the answer format), one full iteration per method — sample with the generator, score with the method's
// own signal, build its training data, take one update — runs in-process and measurably changes the model.
using Pipeline.Engine.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Tokenization;
using Pipeline.Engine.Training;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Pairs;
using Pipeline.Learning.Signals;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Tests.Updates;

/// <summary>A tiny arith model after a short SFT bootstrap, saved once as the checkpoint every smoke test starts from.</summary>
public sealed class BootstrappedArithModel : IDisposable
{
    public const int BootstrapSteps = 150;

    public BootstrappedArithModel()
    {
        Tokenizer = CharacterTokenizerBuilder.Build(Task.Alphabet);
        var config = ModelConfig.Llama(Tokenizer.VocabularySize, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 4,
            numKeyValueHeads: 2, maxPositionEmbeddings: 128);
        var difficulty = new ArithDifficulty(1, 1);
        Problems = Task.Generate(seed: 3, difficulty, count: 80);
        var trainer = new PolicyTrainer(LlamaModel.Create(config, seed: 9),
            new TrainingOptions(new LearningRateSchedule(1e-2f, 10, BootstrapSteps, 1e-3f)) { MicroBatchSize = 16 }, seed: 2);
        var examples = Problems.Select(p => new PromptResponse(Encode(p.Prompt), [.. Encode(p.Solution), Eos])).ToArray();
        NllBefore = TinyPolicy.MeanNll(trainer.Model, examples);
        for (int step = 0; step < BootstrapSteps; step++)
        {
            trainer.Random.Shuffle<PromptResponse>(examples);
            SftUpdate.Step(trainer, examples[..16]);
        }
        NllAfter = TinyPolicy.MeanNll(trainer.Model, examples);
        trainer.Model.Save(Folder);
    }

    /// <summary>Mean NLL per token of the gold solutions before and after the bootstrap.</summary>
    public double NllBefore { get; }

    /// <inheritdoc cref="NllBefore"/>
    public double NllAfter { get; }

    public ArithTask Task { get; } = new();

    public ModelTokenizer Tokenizer { get; }

    public IReadOnlyList<TaskProblem> Problems { get; }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "smoke-arith-" + Guid.NewGuid().ToString("N"));

    public int Eos => Tokenizer.EosId!.Value;

    public int[] Encode(string text) => Tokenizer.Encode(text);

    public string Decode(int[] tokens) => Tokenizer.Decode(tokens, skipSpecialTokens: true);

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }
}

public sealed class UpdateSmokeTests(BootstrappedArithModel arith) : IClassFixture<BootstrappedArithModel>
{
    private const int GroupSize = 6;
    private const float Temperature = 0.9f;

    [Fact]
    public void Sft_Bootstrap_LowersTheGoldSolutionsNll()
    {
        Assert.True(arith.NllAfter < arith.NllBefore - 0.5, $"NLL {arith.NllBefore} -> {arith.NllAfter}");
    }

    [Fact]
    public void Grpo_VerifierRewards_OneIterationChangesTheModel()
    {
        var (trainer, reference) = Start();
        var samples = Sample(trainer.Model);
        var verifier = new Verifier(arith.Task);
        var rewards = samples.Select(s => s.Responses.Select(r => verifier.Reward(arith.Decode(r), s.Problem.Answer)).ToArray()).ToList();
        Assert.Contains(rewards, r => r.Distinct().Count() > 1); // some group has both right and wrong answers

        AssertGrpoIterationChanges(trainer, reference, samples, rewards);
    }

    [Fact]
    public void Grpo_OnlineSelfCertaintyRewards_OneIterationChangesTheModel()
    {
        var (trainer, reference) = Start();
        var samples = Sample(trainer.Model);
        var rewards = samples.Select(s => TeacherForcedScores.SelfCertainty(trainer.Policy, s.Pairs, Temperature)).ToList();

        AssertGrpoIterationChanges(trainer, reference, samples, rewards);
    }

    [Fact]
    public void SelfRewardingDpo_VerdictJudgeOnThePolicy_OneIterationChangesTheModel()
    {
        var (trainer, reference) = Start();
        var samples = Sample(trainer.Model);
        var judge = new ModelJudge(trainer.Policy, arith.Tokenizer, new SamplingOptions { Temperature = 0 });
        var judged = samples.Select(s => (IReadOnlyList<JudgedCandidate>)s.Responses.Select(r =>
            new JudgedCandidate(VerdictJudge.ScoreByProbability(judge, s.Problem.Prompt, arith.Decode(r)).Score, r.Length)).ToList()).ToList();
        var pairs = SelfRewardingPairs.Build(judged);
        Assert.NotEmpty(pairs.Pairs);

        AssertDpoIterationChanges(trainer, reference, samples, pairs, nllWeight: 0);
    }

    [Fact]
    public void RlsfIrpo_AnswerSpanConfidence_OneIterationChangesTheModel()
    {
        var (trainer, reference) = Start();
        var samples = Sample(trainer.Model);
        // One token per character and the stop token dropped by decoding, so character ranges are token ranges.
        var confidences = samples.Select(s => (IReadOnlyList<double>)s.Statistics.Select((stats, i) =>
            ResponseSignals.FromTokens(stats).AnswerSpanConfidence(arith.Task.FindAnswer(arith.Decode(s.Responses[i])))).ToList()).ToList();
        var pairs = RlsfPairs.Build(confidences, threshold: 0.5);
        Assert.NotEmpty(pairs.Pairs);

        AssertDpoIterationChanges(trainer, reference, samples, pairs, nllWeight: 1);
    }

    [Fact]
    public void SelfTraining_MajorityVote_OneIterationChangesTheModel()
    {
        var (trainer, _) = Start();
        var samples = Sample(trainer.Model);
        var groups = samples.Select(s =>
        {
            var answers = s.Responses.Select(r => arith.Task.ExtractAnswer(arith.Decode(r))).ToList();
            var votes = SelfTrainingCandidate.Vote(s.Responses.Select((r, i) => (answers[i], r.Length)).ToList());
            return new SelfTrainingGroup(s.Prompt, s.Responses.Select((r, i) => new SelfTrainingSample(r, answers[i], votes[i].VoteShare, votes[i].Majority)).ToList());
        }).ToList();
        var before = TinyPolicy.Snapshot(trainer.Model);

        var result = SelfTrainingUpdate.Step(trainer, groups);

        Assert.NotNull(result.Update);
        var kept = result.Selection.Kept.Select(k => new PromptResponse(groups[k.Group].Prompt, groups[k.Group].Samples[k.Candidate].Response)).ToList();
        Assert.False(TinyPolicy.SameBits(before, trainer.Model.Parameters));
        Assert.True(TinyPolicy.MeanNll(trainer.Model, kept) < result.Update.Loss);
    }

    private void AssertGrpoIterationChanges(PolicyTrainer trainer, LlamaModel reference, IReadOnlyList<Sampled> samples, IReadOnlyList<double[]> rewards)
    {
        var groups = samples.Select((s, g) =>
        {
            var referenceLogProbs = TeacherForcedScores.LogProbs(reference, s.Pairs);
            return new GrpoPromptGroup(s.Prompt, s.Responses.Select((r, i) => new GrpoSample(r, rewards[g][i], null, referenceLogProbs[i])).ToList());
        }).ToList();
        var before = TinyPolicy.Snapshot(trainer.Model);
        double gapBefore = AdvantageWeightedLogProb(trainer.Model, groups);

        var result = GrpoUpdate.Step(trainer, groups, new GrpoOptions());

        Assert.False(TinyPolicy.SameBits(before, trainer.Model.Parameters));
        Assert.Equal(0, result.MeanKl, 9); // the policy starts as the reference
        Assert.True(AdvantageWeightedLogProb(trainer.Model, groups) > gapBefore);
    }

    private void AssertDpoIterationChanges(PolicyTrainer trainer, LlamaModel reference, IReadOnlyList<Sampled> samples, PairBatch pairs, double nllWeight)
    {
        var triples = pairs.Pairs.Select(p => (samples[p.Group].Prompt, samples[p.Group].Responses[p.Chosen], samples[p.Group].Responses[p.Rejected])).ToList();
        var examples = DpoUpdate.WithReference(reference, triples);
        var before = TinyPolicy.Snapshot(trainer.Model);

        var result = DpoUpdate.Step(trainer, examples, nllWeight: nllWeight);
        var after = DpoUpdate.WithReference(trainer.Model, triples);

        Assert.False(TinyPolicy.SameBits(before, trainer.Model.Parameters));
        double marginAfter = examples.Select((e, k) => (after[k].ReferenceChosen - e.ReferenceChosen) - (after[k].ReferenceRejected - e.ReferenceRejected)).Average();
        Assert.Equal(0, result.RewardGap, 9); // the policy starts as the reference
        Assert.True(marginAfter > 0, $"log-ratio margin after the step: {marginAfter}");
    }

    /// <summary>Σ over responses of advantage × log p(response): what the policy-gradient step increases.</summary>
    private static double AdvantageWeightedLogProb(LlamaModel model, IReadOnlyList<GrpoPromptGroup> groups) => groups.Sum(g =>
    {
        var advantages = GrpoLoss.Advantages(g.Samples.Select(s => s.Reward).ToList());
        var logProbs = TinyPolicy.SumLogProbs(model, g.Samples.Select(s => new PromptResponse(g.Prompt, s.Response)).ToList());
        return advantages.Zip(logProbs, (a, l) => a * l).Sum();
    });

    private (PolicyTrainer Trainer, LlamaModel Reference) Start() =>
        (new PolicyTrainer(LlamaModel.Load(arith.Folder), new TrainingOptions(new LearningRateSchedule(1e-3f, 0, 10)) { Optimizer = new AdamWOptions { WeightDecay = 0 } }, seed: 4),
            LlamaModel.Load(arith.Folder));

    private sealed record Sampled(TaskProblem Problem, int[] Prompt, IReadOnlyList<int[]> Responses, IReadOnlyList<TokenStatistics[]> Statistics)
    {
        public IReadOnlyList<PromptResponse> Pairs => Responses.Select(r => new PromptResponse(Prompt, r)).ToList();
    }

    /// <summary><see cref="GroupSize"/> responses at τ = 0.9 for each of six problems, in one generator call.</summary>
    private List<Sampled> Sample(LlamaModel policy)
    {
        var problems = arith.Problems.Take(6).ToList();
        var options = new SamplingOptions { Temperature = Temperature, MaxNewTokens = 24, StopTokens = [arith.Eos], Seed = 17 };
        var flat = new Generator(policy).Generate(problems.SelectMany(p => Enumerable.Repeat(arith.Encode(p.Prompt), GroupSize)).ToList(), options);
        return problems.Select((p, i) =>
        {
            var group = flat.Skip(i * GroupSize).Take(GroupSize).ToList();
            return new Sampled(p, arith.Encode(p.Prompt), group.Select(g => g.Tokens).ToList(), group.Select(g => g.Statistics).ToList());
        }).ToList();
    }
}

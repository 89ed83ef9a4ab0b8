// Each stage's work on a tiny model: what it stores, that a repeated command re-reads instead of recomputing, every
// recipe's chain through an iteration and an evaluation, and that RLSF's pair margins weight the DPO update.
using Pipeline.Testing;
using Pipeline.Contracts;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Tasks.Arith;
using Pipeline.Stages.Campaigns;
using Pipeline.Stages.Work;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Tests.Work;

public sealed class StageWorkTests
{
    // A reference to nothing: work that tried to load this policy would fail, so a success proves nothing was recomputed.
    private static readonly CheckpointReference Nowhere = new("checkpoints/tiny/iter-9/", new string('9', 64));

    [Fact]
    public async Task GenerationWork_Shard_SamplesEveryPromptGTimesDeterministically()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        using var twin = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));

        var output = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 1));
        var again = await new GenerationWork(twin.Shards, twin.Policies).RunAsync(twin.Definition, twin.Generate(1, 1));

        var prompts = CampaignPrompts.Shard(campaign.Definition, 1, 1);
        Assert.Equal(CampaignKeys.ShardOutput("tiny", 1, CampaignStage.Generation, 1), output.Key);
        Assert.Equal(prompts.Count * 3, output.Count);
        Assert.Equal(prompts.SelectMany(p => Enumerable.Repeat(p.Id, 3)), output.Records.Select(r => r.PromptId));
        Assert.Equal([0, 1, 2, 0, 1, 2], output.Records.Select(r => r.Sample));
        Assert.All(output.Records, r => Assert.InRange(r.Tokens.Ids.Length, 1, 48));
        Assert.All(output.Records, r => Assert.All(r.Tokens.SelfCertainties, v => Assert.True(v > 0)));
        // The rollout carries what was sampled: the prompt's tokens, the response's ids (its text is their decoding) and one
        // statistic of each kind per token.
        var encoding = TaskEncoding.ForTask(new ArithTask());
        Assert.All(output.Records, r => Assert.Equal(encoding.Prompt(r.Prompt), r.Tokens.Prompt));
        Assert.All(output.Records, r => Assert.Equal(r.Response, encoding.DecodeResponse(r.Tokens.Ids)));
        Assert.All(output.Records, r => Assert.Equal(r.Tokens.Stopped, r.Tokens.Ids[^1] == encoding.Eos));
        Assert.All(output.Records, r => Assert.All(new[] { r.Tokens.LogProbs, r.Tokens.PolicyLogProbs, r.Tokens.Entropies,
            r.Tokens.SelfCertainties, r.Tokens.Top1Probs, r.Tokens.Top2Probs }, a => Assert.Equal(r.Tokens.Ids.Length, a.Length)));
        Assert.All(output.Records.Where(r => r.Answer is not null), r => Assert.Equal(r.Answer,
            encoding.DecodeResponse(r.Tokens.Ids.Skip(r.AnswerSpan!.Start).Take(r.AnswerSpan.Length).ToArray())));
        Assert.Equal(output.Records.Select(r => r.Response), again.Records.Select(r => r.Response));
        Assert.Equal(output.Count, output.Summary["rollouts"]);
    }

    [Fact]
    public async Task EveryStage_SecondCall_ReturnsStoredOutputWithoutRecompute()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Rlsf));
        var d = campaign.Definition;
        var generation = new GenerationWork(campaign.Shards, campaign.Policies);
        var scoring = new ScoringWork(campaign.Shards);
        var pairs = new PairWork(campaign.Shards);

        var generated = await generation.RunAsync(d, campaign.Generate(1, 0));
        var scored = await scoring.RunAsync(d, new ScoreRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, null));
        var built = await pairs.RunAsync(d, new BuildPairs("tiny", 1, 0, campaign.Base, scored.Key, scored.Count, null));

        var generatedAgain = await generation.RunAsync(d, campaign.Generate(1, 0, Nowhere));
        var scoredAgain = await scoring.RunAsync(d, new ScoreRollouts("tiny", 1, 0, Nowhere, "campaigns/tiny/iter-1/missing.jsonl", 0, null));
        var builtAgain = await pairs.RunAsync(d, new BuildPairs("tiny", 1, 0, Nowhere, "campaigns/tiny/iter-1/missing.jsonl", 0, null));

        Assert.True(generatedAgain.Reused && scoredAgain.Reused && builtAgain.Reused);
        Assert.Equal(generated.Records.Select(r => r.Response), generatedAgain.Records.Select(r => r.Response));
        Assert.Equal(scored.Records.Select(r => r.Scores[ScoreNames.AnswerConfidence]), scoredAgain.Records.Select(r => r.Scores[ScoreNames.AnswerConfidence]));
        // Records hold arrays, so they compare by their stored form.
        Assert.Equal(ShardStore.ToLines(built.Records), ShardStore.ToLines(builtAgain.Records));
        Assert.Equal(scored.Summary, scoredAgain.Summary);
    }

    [Fact]
    public async Task ScoringWork_Shard_AttachesSignalsAndVotes()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.SelfTraining));
        var generated = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));

        var scored = await new ScoringWork(campaign.Shards)
            .RunAsync(campaign.Definition, new ScoreRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, generated.Inline));

        Assert.All(scored.Records, r => Assert.True(r.Scores[ScoreNames.SelfCertainty] > 0));
        Assert.All(scored.Records, r => Assert.InRange(r.Scores[ScoreNames.AnswerConfidence], 0, 1));
        foreach (var group in scored.Records.GroupBy(r => r.PromptId))
            foreach (var r in group)
                Assert.Equal(r.Answer is null ? 0 : group.Count(o => o.Answer == r.Answer) / 3.0, r.Scores[ScoreNames.Votes], 12);
        // The signals are the sampler's own numbers, derived without a model pass: exactly equal.
        Assert.All(scored.Records, r => Assert.Equal(r.Tokens.SelfCertainties.Average(v => (double)v), r.Scores[ScoreNames.SelfCertainty], 12));
        Assert.All(scored.Records.Where(r => r.AnswerSpan is not null), r => Assert.Equal(
            r.Tokens.LogProbs.Skip(r.AnswerSpan!.Start).Take(r.AnswerSpan.Length).Average(v => Math.Exp(v)), r.Scores[ScoreNames.AnswerConfidence], 5));
    }

    [Fact]
    public async Task JudgingWork_SelfRewarding_CountsEveryVerdictSample()
    {
        var small = TinyCampaign.Small(Recipe.SelfRewarding);
        using var campaign = await TinyCampaign.CreateAsync(small with { Judging = small.Judging with { Method = JudgeMethod.Sampled } });
        var generated = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));

        var judged = await new JudgingWork(campaign.Shards, campaign.Policies)
            .RunAsync(campaign.Definition, new JudgeRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, null));

        Assert.Equal(generated.Count * 2, judged.Summary["judge_samples"]);
        Assert.Contains(judged.Records, r => r.Scores.ContainsKey(ScoreNames.Judge));
        Assert.Equal(judged.Records.Sum(r => r.Scores[ScoreNames.JudgeParseFailures]), judged.Summary["parse_failures"]);
        Assert.Equal(judged.Records.Count(r => !r.Scores.ContainsKey(ScoreNames.Judge)), judged.Summary["unscored"]);
    }

    [Fact]
    public async Task JudgingWork_ProbabilityMethod_ScoresAreTheVerdictProbabilities()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.SelfRewarding));
        var generated = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));

        var judged = await new JudgingWork(campaign.Shards, campaign.Policies)
            .RunAsync(campaign.Definition, new JudgeRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, null));

        var expected = await campaign.Policies.UseAsync(campaign.Base, p => Pipeline.Learning.Judging.VerdictProbabilities.Compute(p.Model, p.Encoding,
            generated.Records.Select(r => Pipeline.Learning.Judging.VerdictJudge.BuildPrompt(r.Prompt, r.Response)).ToList(), batchSize: 1));
        Assert.Equal(expected.Length, judged.Count);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], judged.Records[i].Scores[ScoreNames.Judge], 5);
        Assert.All(judged.Records, r => Assert.InRange(r.Scores[ScoreNames.Judge], 0, 1));
        Assert.Equal(0, judged.Summary["parse_failures"]);
        Assert.Equal(generated.Count, judged.Summary["judge_samples"]);
    }

    [Fact]
    public void ScoringWork_BordaPseudoLabel_ConfidentMinorityIsTheLabel_CoinsAndNegatedCertainty()
    {
        var majority = CampaignDefinition.LoadBuiltIn("grpo-majority");
        var borda = majority with { Scoring = majority.Scoring with { PseudoLabel = Pipeline.Learning.Signals.PseudoLabelRule.SelfCertaintyBorda, BordaPower = 1.2 } };
        Rollout R(int sample, string answer, float sc) => TestRollouts.Create("p", "1+1=", sample, "#### " + answer, answer: answer, selfCertainty: sc);
        Rollout[] rollouts = [R(0, "6", 1f), R(1, "6", 2f), R(2, "5", 9f)];

        var (byMajority, _) = ScoringWork.Score(majority, rollouts);
        var (byBorda, _) = ScoringWork.Score(borda, rollouts);

        Assert.Equal([1.0, 1.0, 0.0], byMajority.Select(r => r.Scores[ScoreNames.Majority]));
        // Borda p = 1.2: "5" (rank 1) 3^1.2 = 3.74 beats "6" 2^1.2 + 1 = 3.30.
        Assert.Equal([0.0, 0.0, 1.0], byBorda.Select(r => r.Scores[ScoreNames.Majority]));
        Assert.Equal(-9, byBorda[2].Scores[ScoreNames.NegativeSelfCertainty], 5);
        Assert.All(byBorda, r => Assert.Contains(r.Scores[ScoreNames.Bernoulli], new[] { 0.0, 1.0 }));
        Assert.Equal(byMajority.Select(r => r.Scores[ScoreNames.Bernoulli]), byBorda.Select(r => r.Scores[ScoreNames.Bernoulli]));
    }

    [Fact]
    public void PairWork_Irpo_CorrectVersusIncorrectByTheVerifier()
    {
        var definition = CampaignDefinition.LoadBuiltIn("irpo");
        Rollout R(string prompt, int sample, string response, double verified) =>
            TestRollouts.Create(prompt, "1+1=", sample, response, new Dictionary<string, double> { [ScoreNames.Verifier] = verified });

        var (pairs, summary) = PairWork.Build(definition,
            [R("a", 0, "x", 0), R("a", 1, "y", 1), R("a", 2, "z", 0), R("b", 0, "u", 1), R("b", 1, "v", 1)]);

        var pair = Assert.Single(pairs);
        Assert.Equal("a", pair.PromptId);
        Assert.Equal(1, pair.Chosen.Score);
        Assert.Equal(0, pair.Rejected.Score);
        Assert.Equal(1.0, pair.Weight);
        Assert.Equal(1, summary["groups_without_pair"]);
    }

    [Fact]
    public async Task JudgingWork_GrpoGold_VerifierAgainstGoldAnswer()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.GrpoGold));
        await campaign.SeedGenerationAsync(1);
        var generated = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));

        var judged = await new JudgingWork(campaign.Shards, campaign.Policies)
            .RunAsync(campaign.Definition, new JudgeRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, generated.Inline));

        // Seeded samples per prompt: the gold solution twice, then a corrupted one.
        Assert.Equal(generated.Records.Select(r => r.Sample < 2 ? 1.0 : 0.0), judged.Records.Select(r => r.Scores[ScoreNames.Verifier]));
        Assert.Equal(2.0 / 3, judged.Summary["mean_score"], 12);
    }

    [Fact]
    public async Task GenerationWork_Score_WritesASecondAttemptOnTheCorrectionPromptAfterEveryFirst()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Score));

        var output = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));

        var prompts = CampaignPrompts.Shard(campaign.Definition, 1, 0);
        var first = output.Records.Where(r => r.Attempt == 1).ToList();
        var second = output.Records.Where(r => r.Attempt == 2).ToList();
        Assert.Equal(prompts.Count * 3, first.Count);
        Assert.Equal(first.Count, second.Count);
        Assert.Equal(output.Count, output.Summary["rollouts"]);
        var encoding = TaskEncoding.ForTask(new ArithTask());
        foreach (var (one, two) in first.Zip(second))
        {
            Assert.Equal((one.PromptId, one.Sample, one.GoldAnswer), (two.PromptId, two.Sample, two.GoldAnswer));
            Assert.NotNull(two.GoldAnswer);
            Assert.Equal(SelfCorrection.BuildPrompt(one.Prompt, one.Response), two.Prompt);
            // Conditioned on the first attempt's tokens exactly as drawn, then the instruction.
            Assert.Equal(encoding.CorrectionPrompt(one.Tokens.Prompt, one.Tokens.Ids), two.Tokens.Prompt);
            Assert.Equal(two.Response, encoding.DecodeResponse(two.Tokens.Ids));
        }
    }

    [Fact]
    public async Task JudgingAndUpdateInputs_CorrectionSft_VerifierPerAttemptAndOnlyWrongThenRightKept()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.CorrectionSft));
        await campaign.SeedGenerationAsync(1);
        var generated = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));

        var judged = await new JudgingWork(campaign.Shards, campaign.Policies)
            .RunAsync(campaign.Definition, new JudgeRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, generated.Inline));

        // Seeded per prompt: first attempts gold, gold, corrupted; second attempts gold (kept), corrupted (broken), gold (corrected).
        Assert.Equal(2.0 / 3, judged.Summary["attempt_1_accuracy"], 12);
        Assert.Equal(2.0 / 3, judged.Summary["attempt_2_accuracy"], 12);
        var kept = UpdateInputs.SuccessfulCorrections(judged.Records);
        var corrected = judged.Records.Where(r => r.Attempt == 2 && r.Sample == 2).ToList();
        Assert.Equal(corrected.Select(r => r.Tokens.Ids), kept.Select(k => k.Response));
        Assert.Equal(corrected.Select(r => r.Tokens.Prompt), kept.Select(k => k.Prompt));
    }

    [Fact]
    public async Task UpdateInputs_Score_AlignsSecondAttemptsWithTheirFirstBySample()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Score));
        await campaign.SeedGenerationAsync(1);
        var generated = await new GenerationWork(campaign.Shards, campaign.Policies).RunAsync(campaign.Definition, campaign.Generate(1, 0));
        var judged = await new JudgingWork(campaign.Shards, campaign.Policies)
            .RunAsync(campaign.Definition, new JudgeRollouts("tiny", 1, 0, campaign.Base, generated.Key, generated.Count, generated.Inline));

        // Shuffled on the way, as shards read back in another order would be.
        var objective = UpdateInputs.SCoRe(campaign.Definition, judged.Records.Reverse().ToList());

        Assert.Equal(CampaignPrompts.Shard(campaign.Definition, 1, 0).Count, objective.UnitCount);
        Assert.Equal(SCoReStage.One, objective.StageAt(0));
        Assert.Equal(SCoReStage.Two, objective.StageAt(campaign.Definition.Update.StageOneSteps));
    }

    [Fact]
    public void UpdateInputs_Score_FirstAttemptWithoutSecond_SaysSo()
    {
        var rollout = new Rollout("p", "1+2=", 0, "3", new SampledTokens([1], [2], 1f, true, [0f], [0f], [0f], [0f], [1f], [0f]), "3", null,
            new Dictionary<string, double> { [ScoreNames.Verifier] = 1 }, "3");

        var error = Assert.Throws<InvalidOperationException>(() => UpdateInputs.SCoRe(TinyCampaign.Small(Recipe.Score), [rollout]));

        Assert.Contains("no second attempt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JudgedText_Tpo_OnlyTheFinalAnswerNeverTheChain()
    {
        var rollout = new Rollout("p", "12+34+51=", 0, "12+34=46;46+51=97;#### 97",
            new SampledTokens([1], [2], 1f, true, [0f], [0f], [0f], [0f], [1f], [0f]), "97", null, new Dictionary<string, double>());

        Assert.Equal("#### 97", JudgingWork.JudgedText(TinyCampaign.Small(Recipe.Tpo), rollout));
        Assert.Equal(rollout.Response, JudgingWork.JudgedText(TinyCampaign.Small(Recipe.SelfRewarding), rollout));
        Assert.Equal(rollout.Response, JudgingWork.JudgedText(TinyCampaign.Small(Recipe.MetaRewarding), rollout));
    }

    [Fact]
    public void JudgementPairs_MetaJudged_ClearPreferencesBecomePairsTiesAndPositionBiasCounted()
    {
        static Rollout Judged(string response, double shownFirst, double shownSecond) =>
            new("p", "1+2=", 0, response, new SampledTokens([1], [2], 1f, true, [0f], [0f], [0f], [0f], [1f], [0f]), null, null,
                new Dictionary<string, double>(), null, 1, new MetaJudgement("1+2=" + response + "\nVerdict:", [1, 5],
                    new PairResponse(0, " correct", [7, 2], [-0.1f, -0.2f], 0), new PairResponse(0, " incorrect", [8, 2], [-0.3f, -0.4f], 0),
                    shownFirst, shownSecond));
        Rollout[] rollouts =
        [
            Judged("a", 0.9, 0.8),  // "correct" is the better judgement in both orders
            Judged("b", 0.2, 0.1),  // "incorrect" is
            Judged("c", 0.9, 0.2),  // position bias
            Judged("d", 0.55, 0.6), // within the band
            Judged("a", 0.9, 0.8),  // the same response again: one pair
        ];

        var (pairs, ties, positionBias) = PairWork.JudgementPairs(rollouts, band: 0.1);

        Assert.Equal(2, pairs.Count);
        Assert.Equal((" correct", " incorrect"), (pairs[0].Chosen.Text, pairs[0].Rejected.Text));
        Assert.Equal((" incorrect", " correct"), (pairs[1].Chosen.Text, pairs[1].Rejected.Text));
        Assert.Equal([1, 5], pairs[0].PromptTokens);
        Assert.Equal("1+2=a\nVerdict:", pairs[0].Prompt);
        Assert.Equal((1, 1), (ties, positionBias));
    }

    [Fact]
    public void PairWork_MetaRewarding_ResponsePairsAndJudgementPairsInOneOutput()
    {
        var definition = TinyCampaign.Small(Recipe.MetaRewarding);
        static Rollout Candidate(int sample, string response, double judge, MetaJudgement? meta) =>
            new("p", "1+2=", sample, response, new SampledTokens([1], [2 + sample, 2], 1f, true, [0f, 0f], [-0.5f, -0.5f], [0f, 0f], [0f, 0f], [1f, 1f], [0f, 0f]),
                null, null, new Dictionary<string, double> { [ScoreNames.Judge] = judge }, null, 1, meta);
        var meta = new MetaJudgement("v", [1], new PairResponse(1, " correct", [7, 2], [-0.1f, -0.2f], 0),
            new PairResponse(1, " incorrect", [8, 2], [-0.3f, -0.4f], 0), 0.9, 0.9);

        var (pairs, summary) = PairWork.Build(definition, [Candidate(0, "3", 1.0, null), Candidate(1, "4", 0.5, meta), Candidate(2, "5", 0.0, null)]);

        Assert.Equal(2, pairs.Count);
        Assert.Equal(1, summary["response_pairs"]);
        Assert.Equal(1, summary["judgement_pairs"]);
        Assert.Equal("v", pairs[1].Prompt);
        Assert.Equal(" correct", pairs[1].Chosen.Text);
    }

    [Fact]
    public void PairWork_Rlsf_PairsAboveThresholdOverDistinctTexts()
    {
        var definition = CampaignDefinition.LoadBuiltIn("rlsf") with { Pairs = new PairSettings { Threshold = 0.5, MaxPairsPerPrompt = 0, MarginWeighting = true } };
        Rollout R(int sample, string response, double confidence) =>
            TestRollouts.Create("p", "1+1=", sample, response, new Dictionary<string, double> { [ScoreNames.AnswerConfidence] = confidence });

        var (pairs, summary) = PairWork.Build(definition, [R(0, "a", 0.9), R(1, "b", 0.4), R(2, "a", 0.6), R(3, "c", 0.2)]);

        // Samples 0 and 2 share a text: one candidate with confidence 0.75, paired with 1 and 3.
        Assert.Equal([("a", "b", 0.75), ("a", "c", 0.75)], pairs.Select(p => (p.Chosen.Text, p.Rejected.Text, p.Chosen.Score)));
        Assert.Equal(1, summary["duplicates_merged"]);
        Assert.All(pairs, p => Assert.True(p.Chosen.Score >= 0.5 && p.Chosen.Score > p.Rejected.Score));
        Assert.All(pairs, p => Assert.Equal(Math.Exp(p.Chosen.Score - p.Rejected.Score), p.Weight, 12));
        // Each side carries its sampled tokens, so the update trains on exactly what was sampled.
        Assert.All(pairs, p => Assert.Equal(p.Chosen.Text.Length + 1, p.Chosen.Tokens.Length));
    }

    [Fact]
    public void PairWork_SelfRewarding_BestAgainstWorstOnePerPrompt()
    {
        var definition = CampaignDefinition.LoadBuiltIn("self-rewarding");
        Rollout R(string prompt, int sample, string response, double? judge) => TestRollouts.Create(prompt, prompt, sample, response,
            judge is { } j ? new Dictionary<string, double> { [ScoreNames.Judge] = j } : new Dictionary<string, double>());

        var (pairs, summary) = PairWork.Build(definition,
            [R("p", 0, "a", 0.5), R("p", 1, "b", 1.0), R("p", 2, "c", 0.0), R("q", 0, "d", 1.0), R("q", 1, "e", 1.0), R("q", 2, "f", null)]);

        var pair = Assert.Single(pairs);
        Assert.Equal(("b", "c", 1.0), (pair.Chosen.Text, pair.Rejected.Text, pair.Weight));
        Assert.Equal(0, summary["duplicates_merged"]);
        Assert.Equal(1, summary["ties_dropped"]);
        Assert.Equal(1, summary["unscored_candidates"]);
    }

    public static TheoryData<Recipe> Recipes => new(Enum.GetValues<Recipe>());

    [Theory]
    [MemberData(nameof(Recipes))]
    public async Task SequentialDriver_EachRecipe_RunsAnIterationAndEvaluates(Recipe recipe)
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(recipe));
        await campaign.SeedGenerationAsync(1);
        var metrics = new List<string>();
        var driver = new SequentialDriver(campaign.Store, campaign.Policies, campaign.Id, campaign.Definition) { Log = metrics.Add };

        var policy = await driver.IterationAsync(1, campaign.Base);
        var report = await driver.EvaluateAsync(1, policy);

        Assert.Equal(CampaignKeys.Policy("tiny", 1), policy.Prefix);
        Assert.Equal(policy, await campaign.Checkpoints.ResolveAsync(policy.Prefix));
        var difficulty = Assert.Single(report.Difficulties);
        Assert.Equal(("d2s1", 3), (difficulty.Difficulty, difficulty.Problems));
        Assert.True(await campaign.Store.ExistsAsync(CampaignKeys.Evaluation("tiny", 1)));
        foreach (var stage in campaign.Definition.Chain.ShardStages)
            Assert.True(await campaign.Store.ExistsAsync(CampaignKeys.ShardOutput("tiny", 1, stage, 1)), $"{stage} output of shard 1");
        var before = await campaign.Policies.UseAsync(campaign.Base, p => p.Model.Weights());
        var after = await campaign.Policies.UseAsync(policy, p => p.Model.Weights());
        Assert.False(before.SequenceEqual(after), "the update changed no weight: " + string.Join(" | ", metrics));
    }

    [Fact]
    public void PairWork_SelfRewardingCopiesJudgedApart_OneCandidateNoSelfPair()
    {
        var definition = CampaignDefinition.LoadBuiltIn("self-rewarding");
        Rollout R(int sample, string response, double judge) =>
            TestRollouts.Create("p", "p", sample, response, new Dictionary<string, double> { [ScoreNames.Judge] = judge });

        var (pairs, summary) = PairWork.Build(definition, [R(0, "gold", 1.0), R(1, "gold", 0.0), R(2, "bad", 0.25)]);

        var pair = Assert.Single(pairs);
        Assert.Equal(("gold", "bad", 0.5, 0.25), (pair.Chosen.Text, pair.Rejected.Text, pair.Chosen.Score, pair.Rejected.Score));
        Assert.Equal(1, summary["duplicates_merged"]);
    }

    [Fact]
    public async Task EvaluationWork_SecondCall_ReadsTheStoredReport()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var work = new EvaluationWork(campaign.Store, campaign.Policies);

        var (first, key, reused) = await work.RunAsync(campaign.Definition, new EvaluatePolicy("tiny", 0, campaign.Base));
        var (second, _, reusedAgain) = await work.RunAsync(campaign.Definition, new EvaluatePolicy("tiny", 0, Nowhere));

        Assert.Equal(CampaignKeys.Evaluation("tiny", 0), key);
        Assert.False(reused);
        Assert.True(reusedAgain);
        Assert.Equal(first.Difficulties, second.Difficulties);
        Assert.Equal(campaign.Base, second.Checkpoint);
    }

    [Fact]
    public async Task UpdateWork_ChunkWithoutPreviousState_Throws()
    {
        using var campaign = await TinyCampaign.CreateAsync(TinyCampaign.Small(Recipe.Intuitor));
        var work = new UpdateWork(campaign.Shards, campaign.Policies);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            work.RunChunkAsync(campaign.Definition, new UpdatePolicy("tiny", 1, 1, campaign.Base, campaign.Definition.ChunkCount, [])));

        Assert.Contains("chunk 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateWork_RlsfPairMargins_WeightTheDpoUpdate()
    {
        var small = TinyCampaign.Small(Recipe.Rlsf);
        var d = small with { Update = small.Update with { StepsPerChunk = small.Update.Steps }, Pairs = small.Pairs with { MarginWeighting = true } };
        using var weighted = await TinyCampaign.CreateAsync(d);
        using var unweighted = await TinyCampaign.CreateAsync(d);
        await weighted.SeedGenerationAsync(1);
        var seeded = await weighted.Shards.ReadAsync<Rollout>(CampaignKeys.ShardOutput("tiny", 1, CampaignStage.Generation, 0));
        // Both gold copies confident, the corrupted answer less so by a different amount per prompt: margins differ by pair.
        var prompts = seeded.Select(r => r.PromptId).Distinct().ToList();
        var scored = seeded.Select(r => r with { Scores = new Dictionary<string, double>
        {
            [ScoreNames.AnswerConfidence] = r.Sample < 2 ? 0.95 : 0.9 - 0.8 * prompts.IndexOf(r.PromptId) / prompts.Count,
        } }).ToList();
        var (pairs, _) = PairWork.Build(d, scored);
        Assert.Equal(prompts.Count, pairs.Select(p => p.Weight).Distinct().Count());

        var withMargins = await UpdateOnPairsAsync(weighted, pairs);
        var withUnitWeights = await UpdateOnPairsAsync(unweighted, [.. pairs.Select(p => p with { Weight = 1 })]);

        // Same pairs, same seeds: only the recorded weights differ, so a different policy means the update used them.
        Assert.NotEqual(withMargins.Metrics["loss"], withUnitWeights.Metrics["loss"]);
        var a = await weighted.Policies.UseAsync(withMargins.Policy!, p => p.Model.Weights());
        var b = await unweighted.Policies.UseAsync(withUnitWeights.Policy!, p => p.Model.Weights());
        Assert.False(a.SequenceEqual(b), "the pair weights did not change the update");
    }

    /// <summary>Stores <paramref name="pairs"/> as iteration 1's only pairs shard and runs the whole update (one chunk) on them.</summary>
    private static async Task<UpdateChunkResult> UpdateOnPairsAsync(TinyCampaign campaign, IReadOnlyList<PreferencePairRecord> pairs)
    {
        string key = CampaignKeys.ShardOutput(campaign.Id, 1, CampaignStage.Pairs, 0);
        await campaign.Shards.WriteAsync(key, pairs, new Dictionary<string, double>());
        var d = campaign.Definition;
        return await new UpdateWork(campaign.Shards, campaign.Policies).RunChunkAsync(d, new UpdatePolicy(campaign.Id, 1, 0, campaign.Base, d.ChunkCount, [key]));
    }
}

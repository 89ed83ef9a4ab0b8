// Campaign files: the built-in recipes parse and validate, and every kind of mistake in a file is a one-line error that
// names the key at fault.
using Pipeline.Stages.Campaigns;

namespace Pipeline.Stages.Tests.Campaigns;

public sealed class CampaignDefinitionTests
{
    public static TheoryData<string> BuiltIns => new(CampaignDefinition.BuiltInNames);

    [Fact]
    public void BuiltInNames_AllRecipesAndControls_Listed()
    {
        Assert.Equal(["correction-sft", "grpo-gold", "grpo-majority", "grpo-negsc", "grpo-random", "intuitor", "irpo", "meta-rewarding", "rlsf",
            "score", "self-rewarding", "self-training", "tpo"],
            CampaignDefinition.BuiltInNames);
    }

    [Fact]
    public void LoadBuiltIn_GrpoRecipes_ShareOneBudgetAndSettings_FixedBaseReference()
    {
        var gold = CampaignDefinition.LoadBuiltIn("grpo-gold");

        foreach (var name in new[] { "intuitor", "grpo-random", "grpo-negsc", "grpo-majority" })
        {
            var other = CampaignDefinition.LoadBuiltIn(name);
            Assert.Equal(UpdateKind.Grpo, other.Chain.Update);
            Assert.Equal(gold.Update, other.Update);
            Assert.Equal((gold.PromptsPerIteration, gold.SamplesPerPrompt, gold.Temperature, gold.Iterations),
                (other.PromptsPerIteration, other.SamplesPerPrompt, other.Temperature, other.Iterations));
        }
        Assert.Equal(KlReference.Base, gold.Update.KlReference);
        Assert.Equal(Pipeline.Learning.Objectives.TokenAveraging.TokenMean, gold.Update.TokenAveraging);
    }

    [Fact]
    public void LoadBuiltIn_FaithfulDefaults_UnweightedRlsf_ProbabilityJudge_VerifierIrpo()
    {
        Assert.False(CampaignDefinition.LoadBuiltIn("rlsf").Pairs.MarginWeighting);
        Assert.Equal(JudgeMethod.Probability, CampaignDefinition.LoadBuiltIn("self-rewarding").Judging.Method);
        var irpo = CampaignDefinition.LoadBuiltIn("irpo");
        Assert.Equal(ScoreNames.Verifier, irpo.Chain.Signal);
        Assert.True(irpo.Chain.UsesGoldAnswers);
    }

    [Fact]
    public void Parse_SelfTrainingWithBordaPseudoLabel_ReadsRuleAndPower()
    {
        var definition = CampaignDefinition.Parse("""{ "recipe": "self-training", "scoring": { "pseudoLabel": "self-certainty-borda", "bordaPower": 1.2 } }""");

        Assert.Equal(Pipeline.Learning.Signals.PseudoLabelRule.SelfCertaintyBorda, definition.Scoring.PseudoLabel);
        Assert.Equal(1.2, definition.Scoring.BordaPower);
    }

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void LoadBuiltIn_EachRecipe_NamesItsOwnRecipeAndRoundTrips(string name)
    {
        var definition = CampaignDefinition.LoadBuiltIn(name);

        Assert.Contains($"\"recipe\": \"{name}\"", definition.ToJson(), StringComparison.Ordinal);
        Assert.Equal(definition.ToJson(), CampaignDefinition.Parse(definition.ToJson()).ToJson());
    }

    [Fact]
    public void LoadBuiltIn_Irpo_HasNllTermAndDpoAgainstSelfRewarding()
    {
        var irpo = CampaignDefinition.LoadBuiltIn("irpo");
        var selfRewarding = CampaignDefinition.LoadBuiltIn("self-rewarding");

        Assert.True(irpo.Update.NllWeight > 0);
        Assert.Equal(0, selfRewarding.Update.NllWeight);
        Assert.Equal(UpdateKind.Dpo, irpo.Chain.Update);
    }

    [Fact]
    public void LoadBuiltIn_Score_PaperCoefficientsBothStagesAndSecondAttemptEvaluated()
    {
        var score = CampaignDefinition.LoadBuiltIn("score");

        Assert.Equal((10.0, 0.1, 0.01), (score.Update.CorrectionBonus, score.Update.FirstAttemptKlBeta, score.Update.KlBeta));
        Assert.InRange(score.Update.StageOneSteps, 1, score.Update.Steps - 1); // both stages run in every iteration
        Assert.True(score.Evaluation.SecondAttempt);
        Assert.True(CampaignDefinition.LoadBuiltIn("correction-sft").Evaluation.SecondAttempt);
        Assert.False(CampaignDefinition.LoadBuiltIn("self-training").Evaluation.SecondAttempt);
    }

    [Fact]
    public void LoadBuiltIn_MetaRewarding_LengthControlOnAndTheJudgeMeasuredOnSamples()
    {
        var meta = CampaignDefinition.LoadBuiltIn("meta-rewarding");
        var selfRewarding = CampaignDefinition.LoadBuiltIn("self-rewarding");

        Assert.True(meta.Pairs.LengthBand > 0);
        Assert.InRange(meta.Pairs.MetaJudgeBand, 0.0, 0.49);
        Assert.True(meta.Evaluation.JudgeSamples && selfRewarding.Evaluation.JudgeSamples && CampaignDefinition.LoadBuiltIn("tpo").Evaluation.JudgeSamples);
        // Otherwise Self-Rewarding's settings, so the two compare; the verdicts are sampled, as the meta-judge compares disagreeing ones.
        Assert.Equal(selfRewarding.Update, meta.Update);
        Assert.Equal(JudgeMethod.Sampled, meta.Judging.Method);
        Assert.Equal(selfRewarding.Judging with { Method = JudgeMethod.Sampled }, meta.Judging);
    }

    [Fact]
    public void Parse_MetaJudgeBandOutOfRange_NamesTheKey()
    {
        var error = Assert.Throws<CampaignDefinitionException>(() => CampaignDefinition.Parse("""{ "recipe": "meta-rewarding", "pairs": { "metaJudgeBand": 0.5 } }"""));

        Assert.Equal("pairs.metaJudgeBand", error.Key);
    }

    [Fact]
    public void Parse_PartialFile_TakesTheRecipeFileForMissingKeys()
    {
        var builtIn = CampaignDefinition.LoadBuiltIn("rlsf");

        var definition = CampaignDefinition.Parse("""{ "recipe": "rlsf", "iterations": 1, "update": { "steps": 5 } }""");

        Assert.Equal(1, definition.Iterations);
        Assert.Equal(5, definition.Update.Steps);
        Assert.Equal(builtIn.Update.LearningRate, definition.Update.LearningRate);
        Assert.Equal(builtIn.PromptsPerIteration, definition.PromptsPerIteration);
    }

    [Theory]
    [InlineData("""{ "recipe": "intuitor", "iteratons": 2 }""", "iteratons", "unknown key 'iteratons'")]
    [InlineData("""{ "recipe": "intuitor", "update": { "stepz": 2 } }""", "update.stepz", "unknown key 'update.stepz'")]
    [InlineData("""{ "recipe": "intuitor", "seed": "one" }""", "seed", "'seed' must be an integer")]
    [InlineData("""{ "recipe": "intuitor", "seed": 1.5 }""", "seed", "'seed' must be an integer")]
    [InlineData("""{ "recipe": "intuitor", "temperature": "hot" }""", "temperature", "'temperature' must be a number")]
    [InlineData("""{ "recipe": "intuitor", "update": 3 }""", "update", "'update' must be an object")]
    [InlineData("""{ "recipe": "intuition" }""", "recipe", "'recipe' must be one of intuitor, rlsf, self-rewarding, irpo, grpo-gold, self-training")]
    [InlineData("""{ "recipe": "intuitor", "scoring": { "confidence": "max" } }""", "scoring.confidence", "'scoring.confidence' must be one of")]
    [InlineData("""{ "recipe": "intuitor", "evaluation": { "difficulties": [3] } }""", "evaluation.difficulties[0]", "must be a string")]
    [InlineData("""{ "iterations": 2 }""", "recipe", "missing key 'recipe'")]
    [InlineData("""{ "recipe": "intuitor", "update": { "stepsPerChunk": 0 } }""", "update.stepsPerChunk", "'update.stepsPerChunk' must be at least 1, got 0")]
    [InlineData("""{ "recipe": "intuitor", "shards": 100, "promptsPerIteration": 10 }""", "shards", "'shards' must not exceed")]
    [InlineData("""{ "recipe": "intuitor", "iterations": 20, "promptsPerIteration": 100 }""", "promptsPerIteration", "exceeds the task's 1000 campaign prompts")]
    [InlineData("""{ "recipe": "intuitor", "evaluation": { "difficulties": ["d9s9"] } }""", "evaluation.difficulties", "unknown difficulty 'd9s9'")]
    [InlineData("""{ "recipe": "intuitor", "task": "chess" }""", "task", "unknown task 'chess'")]
    [InlineData("""{ "recipe": "irpo", "judging": { "maxNewTokens": 4 } }""", "judging.maxNewTokens", "'judging.maxNewTokens' must be 11 to 256, got 4")]
    public void Parse_BadFile_OneLineErrorNamingTheKey(string json, string key, string fragment)
    {
        var error = Assert.Throws<CampaignDefinitionException>(() => CampaignDefinition.Parse(json, "my.json"));

        Assert.Equal(key, error.Key);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("my.json: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    public void Parse_NotAnObject_OneLineError(string json)
    {
        var error = Assert.Throws<CampaignDefinitionException>(() => CampaignDefinition.Parse(json, "x.json"));

        Assert.Equal("", error.Key);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void LoadFileOrBuiltIn_UnknownName_ListsTheBuiltIns()
    {
        var error = Assert.Throws<CampaignDefinitionException>(() => CampaignDefinition.LoadFileOrBuiltIn("no-such-recipe"));

        Assert.Contains("intuitor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFileOrBuiltIn_ExistingFile_ReadsTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"campaign-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "recipe": "grpo-gold", "seed": 42 }""");
        try
        {
            var definition = CampaignDefinition.LoadFileOrBuiltIn(path);

            Assert.Equal(Recipe.GrpoGold, definition.Recipe);
            Assert.Equal(42, definition.Seed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ChunkCount_StepsNotAMultiple_RoundsUp()
    {
        var definition = CampaignDefinition.LoadBuiltIn("intuitor") with
        {
            Update = new UpdateSettings { Steps = 10, StepsPerChunk = 4 },
        };

        Assert.Equal(3, definition.ChunkCount);
    }
}

// The campaign file: recipe, task, sizes and per-stage settings. Read strictly (unknown keys and wrong types are errors
// naming the key), checked for ranges, and written back as the campaign.json every stage of a campaign reads. A file that
// names a built-in recipe is read over that recipe's embedded file, so `{"recipe": "rlsf", "iterations": 1}` keeps the
// recipe's tuned values for everything it does not set.
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pipeline.Learning.Judging;
using Pipeline.Learning.Tasks;

namespace Pipeline.Stages.Campaigns;

/// <summary>A validated campaign definition. Defaults below are the generic ones; built-in recipe files set their own.</summary>
public sealed record CampaignDefinition
{
    private const string ResourcePrefix = "Pipeline.Stages.Recipes.";

    /// <summary>Backend names a campaign may give (the IPolicyBackend names of the managed engine and of Backends.Torch).</summary>
    private static readonly string[] KnownBackends = ["managed", "torch"];

    /// <summary>
    /// The recipe (required): <c>intuitor</c>, <c>rlsf</c>, <c>self-rewarding</c>, <c>irpo</c>, <c>grpo-gold</c>,
    /// <c>self-training</c>, <c>score</c>, <c>correction-sft</c>, <c>meta-rewarding</c>, <c>tpo</c>, or a control: <c>grpo-random</c>,
    /// <c>grpo-negsc</c>, <c>grpo-majority</c>.
    /// </summary>
    public Recipe Recipe { get; init; }

    /// <summary>The embedded task (default and only value today: <c>arith</c>).</summary>
    public string Task { get; init; } = "arith";

    /// <summary>
    /// The policy backend every stage loads and trains the campaign's policies with: <c>managed</c> (default, the project's
    /// engine) or <c>torch</c> (libtorch through TorchSharp, on the device each worker is configured with).
    /// </summary>
    public string Backend { get; init; } = "managed";

    /// <summary>Seed of every random stream of the campaign (sampling, data order), derived per stage (default 1).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Seed of the task's splits (default 1). It must be the base model's bootstrap seed, so that campaign and evaluation
    /// prompts stay disjoint from the base model's training data.
    /// </summary>
    public int TaskSeed { get; init; } = 1;

    /// <summary>Iterations (default 3).</summary>
    public int Iterations { get; init; } = 3;

    /// <summary>Distinct prompts per iteration (default 64); each iteration takes a new slice of the task's campaign prompts.</summary>
    public int PromptsPerIteration { get; init; } = 64;

    /// <summary>Shards the prompts of an iteration are split into, each handled by one stage message (default 2).</summary>
    public int Shards { get; init; } = 2;

    /// <summary>Responses sampled per prompt, G (default 4).</summary>
    public int SamplesPerPrompt { get; init; } = 4;

    /// <summary>Sampling temperature of generation (default 1).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>New-token limit of a response (default 64).</summary>
    public int MaxNewTokens { get; init; } = 64;

    /// <summary>Scoring settings.</summary>
    public ScoringSettings Scoring { get; init; } = new();

    /// <summary>Judging settings.</summary>
    public JudgingSettings Judging { get; init; } = new();

    /// <summary>Pair settings.</summary>
    public PairSettings Pairs { get; init; } = new();

    /// <summary>Update settings.</summary>
    public UpdateSettings Update { get; init; } = new();

    /// <summary>Evaluation settings.</summary>
    public EvaluationSettings Evaluation { get; init; } = new();

    /// <summary>The recipe's stages and update.</summary>
    [JsonIgnore]
    public RecipeChain Chain => RecipeChain.For(Recipe);

    /// <summary>Chunks of the update: ⌈steps / stepsPerChunk⌉.</summary>
    [JsonIgnore]
    public int ChunkCount => (Update.Steps + Update.StepsPerChunk - 1) / Update.StepsPerChunk;

    /// <summary>Names of the built-in recipes (the embedded files), in ordinal order.</summary>
    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(CampaignDefinition).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The built-in recipe file <paramref name="name"/> (e.g. <c>intuitor</c>).</summary>
    /// <exception cref="CampaignDefinitionException">No built-in recipe has that name.</exception>
    public static CampaignDefinition LoadBuiltIn(string name) =>
        FromObject(BuiltInObject(name) ?? throw new CampaignDefinitionException("",
            $"no built-in recipe '{name}' (built-in: {string.Join(", ", BuiltInNames)})."), $"built-in recipe '{name}'");

    /// <summary>Reads and validates the campaign file at <paramref name="path"/>.</summary>
    /// <exception cref="CampaignDefinitionException">The file is malformed or a value is out of range.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static CampaignDefinition Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>A file path when such a file exists, otherwise a built-in recipe name.</summary>
    public static CampaignDefinition LoadFileOrBuiltIn(string fileOrRecipe)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileOrRecipe);
        if (File.Exists(fileOrRecipe)) return Load(fileOrRecipe);
        if (BuiltInNames.Contains(fileOrRecipe)) return LoadBuiltIn(fileOrRecipe);
        if (Directory.Exists(fileOrRecipe))
            throw new CampaignDefinitionException("", $"'{fileOrRecipe}' is a folder; expected a campaign file (JSON) or a built-in recipe ({string.Join(", ", BuiltInNames)}).");
        throw new CampaignDefinitionException("",
            $"'{fileOrRecipe}' is neither a campaign file nor a built-in recipe (built-in: {string.Join(", ", BuiltInNames)}).");
    }

    /// <summary>
    /// Parses campaign JSON; <paramref name="source"/> names it in messages. Keys the file leaves out come from the
    /// built-in file of its recipe (sections merge key by key), then from the defaults above.
    /// </summary>
    /// <exception cref="CampaignDefinitionException">The JSON is malformed, has an unknown key or wrong type, or a value is out of range.</exception>
    public static CampaignDefinition Parse(string json, string source = "campaign file")
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new CampaignDefinitionException("", string.IsNullOrWhiteSpace(json)
                ? $"{source} is empty; expected a JSON object with at least \"recipe\"."
                : $"{source}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).", e);
        }
        if (node is not JsonObject file) throw new CampaignDefinitionException("", $"{source}: expected a JSON object.");
        try
        {
            CampaignJson.Check(file, typeof(CampaignDefinition), "");
            if (!file.TryGetPropertyValue("recipe", out var recipe) || recipe is null)
                throw new CampaignDefinitionException("recipe", $"missing key 'recipe' (one of {string.Join(", ", Enum.GetValues<Recipe>().Select(CampaignJson.EnumName))}).");
            var merged = BuiltInObject(recipe.GetValue<string>()) ?? new JsonObject();
            Merge(merged, file);
            return FromObject(merged, source);
        }
        catch (CampaignDefinitionException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new CampaignDefinitionException(e.Key, $"{source}: {e.Message}", e);
        }
    }

    /// <summary>The definition as campaign.json (indented; every key written).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, CampaignJson.Options);

    /// <summary>Checks every range and relation between settings.</summary>
    /// <exception cref="CampaignDefinitionException">The first value out of range, by key.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Recipe)) Fail("recipe", $"unknown recipe {Recipe}");
        // Whether a worker has the backend is its own business (it fails the message, saying so); the names are checked here.
        if (!KnownBackends.Contains(Backend)) Fail("backend", $"unknown backend '{Backend}' (known: {string.Join(", ", KnownBackends)})");
        if (!TaskRegistry.Contains(Task)) Fail("task", $"unknown task '{Task}' (known: {string.Join(", ", TaskRegistry.Names)})");
        var task = TaskRegistry.Get(Task);
        int campaignPrompts = task.CampaignPromptCount;
        AtLeast("iterations", Iterations, 1);
        AtLeast("promptsPerIteration", PromptsPerIteration, 1);
        if ((long)Iterations * PromptsPerIteration > campaignPrompts)
            Fail("promptsPerIteration", $"iterations × promptsPerIteration = {(long)Iterations * PromptsPerIteration} exceeds the task's {campaignPrompts} campaign prompts");
        AtLeast("shards", Shards, 1);
        if (Shards > PromptsPerIteration) Fail("shards", $"must not exceed promptsPerIteration ({PromptsPerIteration}), got {Shards}");
        AtLeast("samplesPerPrompt", SamplesPerPrompt, Recipe == Recipe.SelfTraining ? 1 : 2);
        Positive("temperature", Temperature);
        Range("maxNewTokens", MaxNewTokens, 1, 1024);

        AtLeast("scoring.batchSize", Scoring.BatchSize, 1);
        if (!Enum.IsDefined(Scoring.Confidence)) Fail("scoring.confidence", "unknown confidence kind");
        if (!Enum.IsDefined(Scoring.PseudoLabel)) Fail("scoring.pseudoLabel", "unknown pseudo-label rule");
        NonNegative("scoring.bordaPower", Scoring.BordaPower);

        if (!Enum.IsDefined(Judging.Method)) Fail("judging.method", "unknown judging method");
        AtLeast("judging.batchSize", Judging.BatchSize, 1);
        AtLeast("judging.samples", Judging.Samples, 1);
        Positive("judging.temperature", Judging.Temperature);
        // A verdict is the longer verdict word plus the end of sequence; fewer tokens could never be read.
        Range("judging.maxNewTokens", Judging.MaxNewTokens, VerdictJudge.IncorrectVerdict.Length + 1, 256);

        Between("pairs.threshold", Pairs.Threshold, 0, 1);
        NonNegative("pairs.lengthBand", Pairs.LengthBand);
        if (!(Pairs.MetaJudgeBand >= 0 && Pairs.MetaJudgeBand < 0.5)) Fail("pairs.metaJudgeBand", $"must be ≥ 0 and below 0.5, got {Pairs.MetaJudgeBand}");
        AtLeast("pairs.maxPairsPerPrompt", Pairs.MaxPairsPerPrompt, 0);

        Positive("update.learningRate", Update.LearningRate);
        AtLeast("update.warmupSteps", Update.WarmupSteps, 0);
        Between("update.finalRateFraction", Update.FinalRateFraction, 0, 1);
        AtLeast("update.steps", Update.Steps, 1);
        AtLeast("update.stepsPerChunk", Update.StepsPerChunk, 1);
        AtLeast("update.promptsPerStep", Update.PromptsPerStep, 1);
        AtLeast("update.microBatchSize", Update.MicroBatchSize, 1);
        Positive("update.maxGradientNorm", Update.MaxGradientNorm);
        NonNegative("update.weightDecay", Update.WeightDecay);
        Positive("update.beta", Update.Beta);
        NonNegative("update.nllWeight", Update.NllWeight);
        Between("update.clip", Update.Clip, 1e-6, 10);
        NonNegative("update.klBeta", Update.KlBeta);
        NonNegative("update.firstAttemptKlBeta", Update.FirstAttemptKlBeta);
        NonNegative("update.correctionBonus", Update.CorrectionBonus);
        // More stage I steps than steps is allowed: the update then runs stage I only (a recipe's file need not follow a smaller steps).
        AtLeast("update.stageOneSteps", Update.StageOneSteps, 0);
        if (!Enum.IsDefined(Update.KlReference)) Fail("update.klReference", "unknown KL reference");
        if (!Enum.IsDefined(Update.TokenAveraging)) Fail("update.tokenAveraging", "unknown token averaging");
        Between("update.minVoteShare", Update.MinVoteShare, 0, 1);
        Between("update.minLengthFraction", Update.MinLengthFraction, 0, 1);

        Range("evaluation.problemsPerDifficulty", Evaluation.ProblemsPerDifficulty, 1, task.EvaluationProblemsPerDifficulty);
        AtLeast("evaluation.samples", Evaluation.Samples, 1);
        Positive("evaluation.temperature", Evaluation.Temperature);
        if (Evaluation.Difficulties is { } difficulties)
        {
            var known = task.EvaluationDifficulties;
            if (difficulties.Count == 0) Fail("evaluation.difficulties", "must name at least one difficulty (or be left out)");
            foreach (var d in difficulties)
                if (!known.Contains(d)) Fail("evaluation.difficulties", $"unknown difficulty '{d}' (held-out: {string.Join(", ", known)})");
        }
    }

    private static CampaignDefinition FromObject(JsonObject json, string source)
    {
        CampaignDefinition? definition;
        try
        {
            CampaignJson.Check(json, typeof(CampaignDefinition), "");
            definition = json.Deserialize<CampaignDefinition>(CampaignJson.Options);
        }
        catch (JsonException e)
        {
            // The key-by-key check runs first, so this is only a safety net.
            string key = e.Path?.TrimStart('$', '.') ?? "";
            throw new CampaignDefinitionException(key, $"{source}: invalid value at '{key}' ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        catch (CampaignDefinitionException e)
        {
            throw new CampaignDefinitionException(e.Key, $"{source}: {e.Message}", e);
        }
        if (definition is null) throw new CampaignDefinitionException("", $"{source}: expected a JSON object.");
        try
        {
            definition.Validate();
        }
        catch (CampaignDefinitionException e)
        {
            throw new CampaignDefinitionException(e.Key, $"{source}: {e.Message}", e);
        }
        return definition;
    }

    private static JsonObject? BuiltInObject(string name)
    {
        using var stream = typeof(CampaignDefinition).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".json");
        if (stream is null) return null;
        return JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
            ?? throw new InvalidDataException($"Built-in recipe '{name}' is not a JSON object.");
    }

    /// <summary>Copies every key of <paramref name="overlay"/> into <paramref name="target"/>, merging sections key by key.</summary>
    private static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is JsonObject section && target[key] is JsonObject existing) Merge(existing, section);
            else target[key] = value?.DeepClone();
        }
    }

    private static void Fail(string key, string problem) => throw new CampaignDefinitionException(key, $"'{key}' {problem}.");

    private static void AtLeast(string key, int value, int min)
    {
        if (value < min) Fail(key, $"must be at least {min}, got {value}");
    }

    private static void Range(string key, int value, int min, int max)
    {
        if (value < min || value > max) Fail(key, $"must be {min} to {max}, got {value}");
    }

    private static void Positive(string key, double value)
    {
        if (!(value > 0) || !double.IsFinite(value)) Fail(key, $"must be a positive number, got {value}");
    }

    private static void NonNegative(string key, double value)
    {
        if (!(value >= 0) || !double.IsFinite(value)) Fail(key, $"must be ≥ 0, got {value}");
    }

    private static void Between(string key, double value, double min, double max)
    {
        if (!(value >= min && value <= max)) Fail(key, $"must be {min} to {max}, got {value}");
    }
}

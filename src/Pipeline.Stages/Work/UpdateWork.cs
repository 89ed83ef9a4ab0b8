// The policy update, one chunk of optimizer steps per call, so a long update survives a worker restart: chunk j starts
// from the trainer state chunk j − 1 saved (weights, AdamW moments, step) or, for chunk 0, from the iteration's starting
// policy; the state after the chunk is saved as a checkpoint (manifest last, so it exists only complete), and the last
// chunk also publishes the new policy. A redelivered chunk whose state exists trains nothing: it reads back the chunk's
// figures and, for the last chunk, the published policy, so it re-publishes like the other stages. Which units a step
// trains on is a pure function of (campaign seed, iteration, step), and the frozen reference (the base model, or the
// starting policy) is fixed, so a resumed update gives the same weights, bit for bit, as an uninterrupted one.
using System.Diagnostics;
using System.Text.Json;
using Pipeline.Contracts;
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Policies;
using Pipeline.Learning.Tasks;
using Pipeline.Learning.Updates;
using Pipeline.Stages.Campaigns;
using Pipeline.Storage;
using Pipeline.Storage.Checkpoints;

namespace Pipeline.Stages.Work;

/// <summary>Runs update chunks (the <c>update</c> stage): GRPO, DPO/IRPO, majority-vote SFT, SCoRe or correction SFT, per the recipe.</summary>
/// <param name="shards">Where the inputs are read from.</param>
/// <param name="policies">Where policies and trainer states are loaded from.</param>
internal sealed class UpdateWork(ShardStore shards, PolicyLoader policies)
{
    /// <summary>Name of the metrics document saved with each chunk's trainer state.</summary>
    public const string MetricsFileName = "metrics.json";

    private CheckpointStore Checkpoints => policies.Store;

    /// <summary>
    /// Runs chunk <see cref="UpdatePolicy.Chunk"/>: returns the stored result when its trainer state exists (with the
    /// stored policy for the last chunk, publishing it first when the state exists without it), otherwise trains and saves.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chunk count disagrees with the definition, or the previous chunk's state is missing.</exception>
    public async Task<UpdateChunkResult> RunChunkAsync(CampaignDefinition definition, UpdatePolicy command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(command);
        int chunk = command.Chunk, count = definition.ChunkCount;
        if (command.ChunkCount != count)
            throw new InvalidOperationException($"The update has {count} chunks under the campaign's definition, the command says {command.ChunkCount}.");
        if (chunk < 0 || chunk >= count) throw new ArgumentOutOfRangeException(nameof(command), chunk, $"Chunks run from 0 to {count - 1}.");
        bool last = chunk == count - 1;
        string prefix = CampaignKeys.UpdateChunk(command.CampaignId, command.Iteration, chunk);

        if (await TryResolveAsync(prefix, cancellationToken) is { } existing)
        {
            var stored = await ReadMetricsAsync(existing, cancellationToken);
            CheckpointReference? published = null;
            if (last)
            {
                // Only the trainer state is the source of the policy, so a stored policy is this state's model: return it
                // rather than fetch the whole state (weights and optimizer moments) to save the same files again.
                var policy = await TryResolveAsync(CampaignKeys.Policy(command.CampaignId, command.Iteration), cancellationToken);
                published = policy is not null
                    ? policy
                    : await PublishPolicyAsync(command, await policies.FolderAsync(existing, cancellationToken), cancellationToken);
            }
            return new UpdateChunkResult(chunk, count, existing, stored, published, Reused: true);
        }

        var clock = Stopwatch.StartNew();
        // The starting policy's files (cached by hash): chunk 0 trains from its weights, every chunk copies its tokenizer.
        string startFolder = await policies.FolderAsync(command.Checkpoint, cancellationToken);
        IPolicyTrainer trainer;
        if (chunk == 0)
        {
            trainer = policies.BackendFor(definition.Backend).StartTraining(startFolder, Options(definition), StageSeeds.Derive(definition, $"update/iter-{command.Iteration}/trainer"));
        }
        else
        {
            string previous = CampaignKeys.UpdateChunk(command.CampaignId, command.Iteration, chunk - 1);
            var state = await TryResolveAsync(previous, cancellationToken)
                ?? throw new InvalidOperationException($"Update chunk {chunk} needs the trainer state of chunk {chunk - 1} at '{previous}', which does not exist.");
            trainer = policies.BackendFor(definition.Backend).ResumeTraining(await policies.FolderAsync(state, cancellationToken));
        }

        using var disposeTrainer = trainer;
        var metrics = await TrainAsync(definition, command, trainer, chunk, cancellationToken);
        metrics[StageTiming.WallSeconds] = clock.Elapsed.TotalSeconds;

        string temp = Path.Combine(Path.GetTempPath(), $"pipeline-update-{Guid.NewGuid():N}");
        try
        {
            trainer.Save(temp);
            File.Copy(Path.Combine(startFolder, PolicyLoader.TokenizerFileName), Path.Combine(temp, PolicyLoader.TokenizerFileName));
            File.WriteAllBytes(Path.Combine(temp, MetricsFileName), JsonSerializer.SerializeToUtf8Bytes(metrics, StoredJson.Lines));
            var saved = await Checkpoints.SaveAsync(prefix, temp, cancellationToken);
            var published = last ? await PublishPolicyAsync(command, temp, cancellationToken) : null;
            return new UpdateChunkResult(chunk, count, saved, metrics, published, Reused: false);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>The optimisation settings of the definition's update section.</summary>
    public static TrainingOptions Options(CampaignDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var u = definition.Update;
        return new TrainingOptions(new LearningRateSchedule((float)u.LearningRate, u.WarmupSteps, u.Steps, (float)(u.LearningRate * u.FinalRateFraction)))
        {
            Optimizer = new AdamWOptions { WeightDecay = (float)u.WeightDecay },
            MaxGradientNorm = u.MaxGradientNorm,
            MicroBatchSize = u.MicroBatchSize,
        };
    }

    /// <summary>
    /// Indices of the units step <paramref name="step"/> trains on: consecutive positions of an endless sequence of
    /// shuffled epochs over <paramref name="unitCount"/> units, each epoch's order seeded by (campaign, iteration, epoch).
    /// </summary>
    public static int[] StepUnits(CampaignDefinition definition, int iteration, int step, int unitCount)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (unitCount == 0) return [];
        int perStep = Math.Min(definition.Update.PromptsPerStep, unitCount);
        var result = new int[perStep];
        int[]? order = null;
        long currentEpoch = -1;
        for (int i = 0; i < perStep; i++)
        {
            long position = (long)step * perStep + i;
            long epoch = position / unitCount;
            if (epoch != currentEpoch)
            {
                order = Enumerable.Range(0, unitCount).ToArray();
                new SeededRandom(StageSeeds.Derive(definition, $"update/iter-{iteration}/order/epoch-{epoch}")).Shuffle(order.AsSpan());
                currentEpoch = epoch;
            }
            result[i] = order![position % unitCount];
        }
        return result;
    }

    private async Task<Dictionary<string, double>> TrainAsync(CampaignDefinition definition, UpdatePolicy command, IPolicyTrainer trainer,
        int chunk, CancellationToken cancellationToken)
    {
        int firstStep = chunk * definition.Update.StepsPerChunk;
        int endStep = Math.Min(firstStep + definition.Update.StepsPerChunk, definition.Update.Steps);
        var objective = await ObjectiveAsync(definition, command, cancellationToken);
        int units = objective.UnitCount;

        var steps = await CpuWork.RunAsync(() =>
        {
            var trained = new List<(UpdateResult Result, IReadOnlyDictionary<string, double> Figures)>();
            for (int step = firstStep; step < endStep && units > 0; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var outcome = objective.Step(trainer, StepUnits(definition, command.Iteration, step, units));
                if (outcome.Update is { } result)
                    trained.Add((result, outcome.Figures));
            }
            return trained;
        }, cancellationToken);

        var metrics = new Dictionary<string, double>
        {
            ["chunk"] = chunk,
            ["steps"] = steps.Count,
            ["step"] = trainer.Step,
            ["units"] = units,
            ["loss"] = steps.Count > 0 ? steps.Average(s => s.Result.Loss) : double.NaN,
            ["last_loss"] = steps.Count > 0 ? steps[^1].Result.Loss : double.NaN,
            ["gradient_norm"] = steps.Count > 0 ? steps.Average(s => s.Result.GradientNorm) : double.NaN,
            ["learning_rate"] = steps.Count > 0 ? steps[^1].Result.LearningRate : double.NaN,
        };
        foreach (var name in steps.SelectMany(s => s.Figures.Keys).Distinct(StringComparer.Ordinal))
            metrics[name] = steps.Where(s => s.Figures.ContainsKey(name)).Average(s => s.Figures[name]);
        return metrics;
    }

    /// <summary>The recipe's objective over the iteration's stored inputs, exactly as sampled (no re-encoding, no reference pass).</summary>
    private async Task<IUpdateObjective> ObjectiveAsync(CampaignDefinition definition, UpdatePolicy command, CancellationToken cancellationToken)
    {
        var u = definition.Update;
        return definition.Chain.Update switch
        {
            UpdateKind.Grpo => await GrpoAsync(definition, command, await ReadAllAsync<Rollout>(command, cancellationToken), cancellationToken),
            UpdateKind.Dpo => new DpoObjective(UpdateInputs.Dpo(await ReadAllAsync<PreferencePairRecord>(command, cancellationToken)), u.Beta, u.NllWeight),
            UpdateKind.SelfTraining => new SelfTrainingObjective(UpdateInputs.SelfTraining(await ReadAllAsync<Rollout>(command, cancellationToken)),
                u.MinVoteShare, u.MinLengthFraction),
            UpdateKind.SCoRe => UpdateInputs.SCoRe(definition, await ReadAllAsync<Rollout>(command, cancellationToken)),
            UpdateKind.CorrectionSft => new SftObjective(UpdateInputs.SuccessfulCorrections(await ReadAllAsync<Rollout>(command, cancellationToken))),
            _ => throw new InvalidOperationException($"Unknown update kind {definition.Chain.Update}."),
        };
    }

    /// <summary>
    /// GRPO's objective. With the base model as the KL reference after the first iteration, each sampled response is
    /// scored once by the base model (iteration 0's checkpoint); in iteration 1 the base sampled, so its log-probs are
    /// the sampler's.
    /// </summary>
    private async Task<IUpdateObjective> GrpoAsync(CampaignDefinition definition, UpdatePolicy command, List<Rollout> rollouts,
        CancellationToken cancellationToken)
    {
        if (definition.Update.KlReference != KlReference.Base || command.Iteration <= 1 || definition.Update.KlBeta == 0)
            return UpdateInputs.Grpo(definition, rollouts);
        var baseModel = await Checkpoints.ResolveAsync(CampaignKeys.Policy(command.CampaignId, 0), cancellationToken);
        var sequences = UpdateInputs.GrpoSequences(rollouts);
        var reference = await policies.UseAsync(baseModel, definition.Backend,
            policy => policy.Model.LogProbs(sequences, definition.Update.MicroBatchSize), cancellationToken);
        return UpdateInputs.Grpo(definition, rollouts, reference);
    }

    private async Task<List<T>> ReadAllAsync<T>(UpdatePolicy command, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        foreach (var key in command.InputKeys) all.AddRange(await shards.ReadAsync<T>(key, cancellationToken));
        return all;
    }

    /// <summary>Saves the model of a trainer folder with its tokenizer as the iteration's policy (idempotent: same files, same reference).</summary>
    private async Task<CheckpointReference> PublishPolicyAsync(UpdatePolicy command, string trainerFolder, CancellationToken cancellationToken)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"pipeline-policy-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(trainerFolder, PolicyTrainer.ModelFolder)))
                File.Copy(file, Path.Combine(temp, Path.GetFileName(file)));
            File.Copy(Path.Combine(trainerFolder, PolicyLoader.TokenizerFileName), Path.Combine(temp, PolicyLoader.TokenizerFileName));
            var saved = await Checkpoints.SaveAsync(CampaignKeys.Policy(command.CampaignId, command.Iteration), temp, cancellationToken);
            return saved;
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    private async Task<CheckpointReference?> TryResolveAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            return await Checkpoints.ResolveAsync(prefix, cancellationToken);
        }
        catch (CheckpointNotFoundException)
        {
            return null;
        }
    }

    // The chunk's figures alone, not the whole trainer state: a reused chunk needs nothing else from it.
    private async Task<Dictionary<string, double>> ReadMetricsAsync(CheckpointReference trainerState, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await Checkpoints.ReadFileAsync(trainerState, MetricsFileName, cancellationToken);
            return JsonSerializer.Deserialize<Dictionary<string, double>>(bytes, StoredJson.Lines) ?? [];
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }
}

// Settings of the base-model bootstrap: data seed, model shape, optimiser and schedule.
using Pipeline.Engine.Model;

namespace Pipeline.Learning.Bootstrap;

/// <summary>What <see cref="BaseModelTrainer.Train"/> builds and how long it trains.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Seed of the data splits, the initial weights and the example order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Optimiser steps (the cosine schedule ends here).</summary>
    public int Steps { get; init; } = 2400;

    /// <summary>Sequences per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Peak learning rate after warm-up.</summary>
    public float PeakLearningRate { get; init; } = 2e-3f;

    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>Learning rate at the last step, as a fraction of the peak.</summary>
    public float FinalRateFraction { get; init; } = 0.05f;

    /// <summary>AdamW decoupled weight decay.</summary>
    public float WeightDecay { get; init; } = 0.05f;

    /// <summary>Gradients are clipped to this global L2 norm.</summary>
    public double MaxGradientNorm { get; init; } = 1.0;

    /// <summary>Residual width.</summary>
    public int HiddenSize { get; init; } = 128;

    /// <summary>Decoder layers.</summary>
    public int NumLayers { get; init; } = 4;

    /// <summary>Attention heads (key/value heads are the same number).</summary>
    public int NumHeads { get; init; } = 4;

    /// <summary>SwiGLU feed-forward width.</summary>
    public int IntermediateSize { get; init; } = 384;

    /// <summary>Rotary or no positional encoding.</summary>
    public PositionEncoding PositionEncoding { get; init; } = PositionEncoding.Rope;

    /// <summary>Problems per training difficulty (null: the recommended split's count).</summary>
    public int? SftPerDifficulty { get; init; }

    /// <summary>Judge-training examples per training difficulty (null: the recommended split's count).</summary>
    public int? JudgePerDifficulty { get; init; }

    /// <summary>Self-correction examples per training difficulty (null: the recommended split's count; 0: none).</summary>
    public int? CorrectionPerDifficulty { get; init; }

    /// <summary>Meta-judge examples per training difficulty (null: the recommended split's count; 0: none).</summary>
    public int? MetaJudgePerDifficulty { get; init; }

    /// <summary>Answer-only verdict examples per training difficulty (null: the recommended split's count; 0: none).</summary>
    public int? AnswerJudgePerDifficulty { get; init; }

    /// <summary>
    /// One extra step on a batch of the methods' examples (self-correction, meta-judge, answer-only verdicts) after every
    /// this many steps (0: none, and no such examples). Most are about twice as long as the rest, so they get batches of
    /// their own instead of padding every batch to their length, and the main data's mix stays as it was.
    /// </summary>
    public int MethodBatchEvery { get; init; } = 8;

    /// <summary>Steps of the schedule in all: <see cref="Steps"/> plus one method step per <see cref="MethodBatchEvery"/> of them.</summary>
    public int TotalSteps(bool hasMethodExamples) => Steps + (hasMethodExamples && MethodBatchEvery > 0 ? Steps / MethodBatchEvery : 0);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Steps, nameof(Steps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(WarmupSteps, nameof(WarmupSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(MethodBatchEvery, nameof(MethodBatchEvery));
        if (!(PeakLearningRate > 0f)) throw new ArgumentOutOfRangeException(nameof(PeakLearningRate), PeakLearningRate, "The learning rate must be positive.");
    }
}

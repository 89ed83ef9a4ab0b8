// A policy under training: one optimizer step at a time on a loss the caller gives per response token, and a state that
// saves and resumes exactly (weights, optimizer moments, step, random generator), so a chunked update run across worker
// restarts ends with the same weights, bit for bit, as one run straight through.
using Pipeline.Engine.Training;
using Pipeline.Learning.Objectives;
using Pipeline.Learning.Updates;

namespace Pipeline.Learning.Policies;

/// <summary>A policy with its optimizer state. Not thread-safe.</summary>
public interface IPolicyTrainer : IDisposable
{
    /// <summary>The policy as it is now (its weights change with every step), e.g. for INTUITOR's online scoring.</summary>
    IPolicy Policy { get; }

    /// <summary>The optimisation settings.</summary>
    TrainingOptions Options { get; }

    /// <summary>Optimizer steps taken so far.</summary>
    long Step { get; }

    /// <summary>Generator for the caller's data order; saved and restored with the trainer.</summary>
    SeededRandom Random { get; }

    /// <summary>
    /// One optimizer step: per pass, a teacher-forced forward over <paramref name="passes"/>[i], the objective's loss share
    /// and per-token gradients from that pass's response log-probs (one array per row), and a backward pass; then
    /// clipping and AdamW at the scheduled rate.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss or the gradient norm is not finite (the weights are left unchanged).</exception>
    UpdateResult Apply(IReadOnlyList<SequenceBatch> passes, Func<int, float[][], TokenLoss> objective);

    /// <summary>
    /// Writes the trainer state into <paramref name="directory"/>: <c>model/</c> (HF layout), <c>optimizer/</c> and
    /// <c>trainer.json</c>. Not atomic: write to a fresh folder and publish it once complete.
    /// </summary>
    void Save(string directory);
}

// Splits a batch of training units (a sequence, a preference pair, a GRPO group) into passes of bounded size without
// ever cutting a unit, and rescales a per-pass averaged objective to the average over the whole batch.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Updates;

internal static class MicroBatching
{
    /// <summary>
    /// Consecutive runs of units holding at most <paramref name="maxSequences"/> sequences each (one unit per run when a
    /// unit alone exceeds it), as (first unit, unit count).
    /// </summary>
    public static List<(int Start, int Count)> Split(IReadOnlyList<int> unitSizes, int maxSequences)
    {
        var runs = new List<(int, int)>();
        int start = 0, sequences = 0;
        for (int u = 0; u < unitSizes.Count; u++)
        {
            if (u > start && sequences + unitSizes[u] > maxSequences)
            {
                runs.Add((start, u - start));
                start = u;
                sequences = 0;
            }
            sequences += unitSizes[u];
        }
        if (unitSizes.Count > start) runs.Add((start, unitSizes.Count - start));
        return runs;
    }

    /// <summary>
    /// Packs consecutive units into passes of at most <see cref="TrainingOptions.MicroBatchSize"/> sequences (a unit is
    /// never split), as (first unit, unit count, packed batch).
    /// </summary>
    public static List<(int Start, int Count, SequenceBatch Batch)> Passes<TUnit>(TrainingOptions options, IReadOnlyList<TUnit> units,
        Func<TUnit, IEnumerable<PromptResponse>> sequencesOf)
    {
        var perUnit = units.Select(u => sequencesOf(u).ToList()).ToList();
        return Split(perUnit.Select(s => s.Count).ToList(), options.MicroBatchSize)
            .Select(run => (run.Start, run.Count, SequenceBatch.Pack(perUnit.Skip(run.Start).Take(run.Count).SelectMany(s => s).ToList())))
            .ToList();
    }

    /// <summary>
    /// The factor turning an objective averaged over one pass's sequences (or tokens) into its share of the average over
    /// the whole batch: passSequences / totalSequences, or passTokens / totalTokens for token averaging.
    /// </summary>
    public static double AveragingScale(TokenAveraging averaging, int passSequences, int totalSequences, int passTokens, int totalTokens) =>
        averaging == TokenAveraging.SequenceMean ? (double)passSequences / totalSequences : (double)passTokens / totalTokens;

    /// <summary>Multiplies every gradient by <paramref name="scale"/> in place and returns them.</summary>
    public static float[][] Scale(float[][] gradients, double scale)
    {
        float factor = (float)scale;
        foreach (var row in gradients)
            for (int i = 0; i < row.Length; i++)
                row[i] *= factor;
        return gradients;
    }
}

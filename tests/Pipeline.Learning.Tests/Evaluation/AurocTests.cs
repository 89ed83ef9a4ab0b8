// Checks AUROC on hand-computed cases: separation, reversal, ties counting one half, and undefined cases.
using Pipeline.Learning.Evaluation;

namespace Pipeline.Learning.Tests.Evaluation;

public class AurocTests
{
    [Fact]
    public void Compute_PositivesAllAbove_IsOne_AllBelow_IsZero()
    {
        Assert.Equal(1.0, Auroc.Compute([0.9, 0.8, 0.1, 0.2], [true, true, false, false]), 12);
        Assert.Equal(0.0, Auroc.Compute([0.1, 0.2, 0.9, 0.8], [true, true, false, false]), 12);
    }

    [Fact]
    public void Compute_MixedRanking_CountsWinningPairs()
    {
        // Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs (p, n): (0.8, 0.6) win, (0.8, 0.2) win, (0.4, 0.6) loss,
        // (0.4, 0.2) win: 3 of 4.
        Assert.Equal(0.75, Auroc.Compute([0.8, 0.6, 0.4, 0.2], [true, false, true, false]), 12);
    }

    [Fact]
    public void Compute_Ties_CountOneHalf()
    {
        // Positives 0.5, 0.7; negatives 0.5, 0.3. Pairs: (0.5, 0.5) tie ½, (0.5, 0.3) win, (0.7, 0.5) win,
        // (0.7, 0.3) win: 3.5 of 4.
        Assert.Equal(0.875, Auroc.Compute([0.5, 0.7, 0.5, 0.3], [true, true, false, false]), 12);
        // Every score equal: every pair is a tie.
        Assert.Equal(0.5, Auroc.Compute([1.0, 1.0, 1.0, 1.0, 1.0], [true, false, false, true, false]), 12);
    }

    [Fact]
    public void Compute_MatchesPairCountingOnARandomCase()
    {
        var random = new Random(7);
        var scores = Enumerable.Range(0, 60).Select(_ => Math.Round(random.NextDouble(), 1)).ToArray();
        var labels = Enumerable.Range(0, 60).Select(_ => random.Next(2) == 1).ToArray();
        double wins = 0;
        int pairs = 0;
        for (int i = 0; i < scores.Length; i++)
            for (int j = 0; j < scores.Length; j++)
            {
                if (!labels[i] || labels[j]) continue;
                pairs++;
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }

        Assert.Equal(wins / pairs, Auroc.Compute(scores, labels), 12);
    }

    [Fact]
    public void Compute_OneClassEmpty_IsNaN_BadInput_Throws()
    {
        Assert.True(double.IsNaN(Auroc.Compute([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(Auroc.Compute([], [])));
        Assert.Throws<ArgumentException>(() => Auroc.Compute([0.1], [true, false]));
        Assert.Throws<ArgumentException>(() => Auroc.Compute([double.NaN, 0.1], [true, false]));
    }

    [Fact]
    public void WithinGroups_AveragesMixedGroupsOnly()
    {
        var (mean, mixed) = Auroc.WithinGroups(
        [
            ([0.9, 0.1], [true, false]),        // 1
            ([0.2, 0.8, 0.5], [true, false, true]), // right .2, .5 vs wrong .8: 0
            ([0.3, 0.4], [true, true]),         // one class: skipped
        ]);

        Assert.Equal(2, mixed);
        Assert.Equal(0.5, mean, 12);
    }
}

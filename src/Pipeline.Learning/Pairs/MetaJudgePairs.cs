// Meta-Rewarding's judgement pairs: two different judgements of one response, ordered by the meta-judge's preferences in
// both orders. The orders must agree (otherwise the preference is position bias, a tie) and their mean must leave a
// band around one half (otherwise a tie); ties train nothing.
namespace Pipeline.Learning.Pairs;

/// <summary>The outcome of one meta-judged comparison.</summary>
public enum MetaJudgeOutcome
{
    /// <summary>The first judgement is better in both orders, beyond the band.</summary>
    FirstBetter,

    /// <summary>The second judgement is better in both orders, beyond the band.</summary>
    SecondBetter,

    /// <summary>The orders disagree: the meta-judge preferred a position, not a judgement.</summary>
    PositionBias,

    /// <summary>The orders agree but the mean preference is within the band of one half.</summary>
    Tie,
}

/// <summary>Decides judgement pairs from two-order meta-judge preferences.</summary>
public static class MetaJudgePairs
{
    /// <summary>
    /// The outcome for p(first better) when the first judgement was shown first (<paramref name="shownFirst"/>) and second
    /// (<paramref name="shownSecond"/>): both above ½ with mean above ½ + band is FirstBetter, both below ½ with mean below
    /// ½ − band SecondBetter, orders on opposite sides of ½ PositionBias, anything else a Tie.
    /// </summary>
    public static MetaJudgeOutcome Decide(double shownFirst, double shownSecond, double band = 0)
    {
        if (!(band >= 0 && band < 0.5)) throw new ArgumentOutOfRangeException(nameof(band), band, "The band must be in [0, ½).");
        if (shownFirst > 0.5 != shownSecond > 0.5 && shownFirst != 0.5 && shownSecond != 0.5) return MetaJudgeOutcome.PositionBias;
        double mean = (shownFirst + shownSecond) / 2;
        if (mean > 0.5 + band && shownFirst > 0.5 && shownSecond > 0.5) return MetaJudgeOutcome.FirstBetter;
        if (mean < 0.5 - band && shownFirst < 0.5 && shownSecond < 0.5) return MetaJudgeOutcome.SecondBetter;
        return MetaJudgeOutcome.Tie;
    }
}

// Settings of the pair stage (RLSF and self-rewarding pair builders).
namespace Pipeline.Stages.Campaigns;

/// <summary>The <c>pairs</c> section of a campaign file.</summary>
public sealed record PairSettings
{
    /// <summary>RLSF: the chosen response's answer confidence must be at least this (default 0.9).</summary>
    public double Threshold { get; init; } = 0.9;

    /// <summary>Self-rewarding: length-control band on judge scores (default 0: off).</summary>
    public double LengthBand { get; init; }

    /// <summary>
    /// Meta-Rewarding: a judgement pair needs the meta-judge's mean two-order preference beyond ½ ± this band (default 0.1);
    /// closer is a tie.
    /// </summary>
    public double MetaJudgeBand { get; init; } = 0.1;

    /// <summary>
    /// RLSF: weight each DPO pair by the paper's margin exp(conf_c − conf_r) (default false: the authors' DPO path trains
    /// unweighted pairs; the margin feeds only their reward-model loss).
    /// </summary>
    public bool MarginWeighting { get; init; }

    /// <summary>Pairs kept per prompt, highest margin first (default 4; 0 keeps all).</summary>
    public int MaxPairsPerPrompt { get; init; } = 4;
}

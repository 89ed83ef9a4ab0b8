// One preference pair between two candidates of the same prompt, with the scores that decided it.
namespace Pipeline.Learning.Pairs;

/// <summary>A chosen/rejected pair of candidates of one prompt.</summary>
/// <param name="Group">Index of the prompt's candidate group in the builder's input.</param>
/// <param name="Chosen">Index of the chosen candidate in its group.</param>
/// <param name="Rejected">Index of the rejected candidate in its group.</param>
/// <param name="ChosenScore">The chosen candidate's score (RLSF: confidence; self-rewarding: mean judge score).</param>
/// <param name="RejectedScore">The rejected candidate's score.</param>
public sealed record PreferencePair(int Group, int Chosen, int Rejected, double ChosenScore, double RejectedScore)
{
    /// <summary>How much the chosen candidate scored above the rejected one: ChosenScore − RejectedScore (&gt; 0).</summary>
    public double ScoreGap => ChosenScore - RejectedScore;
}

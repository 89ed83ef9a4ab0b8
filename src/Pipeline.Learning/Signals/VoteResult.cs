// The outcome of voting over sampled answers.
namespace Pipeline.Learning.Signals;

/// <summary>The winning answer of a vote and its support.</summary>
/// <param name="Winner">The answer with the most votes, or null when no sample had an answer.</param>
/// <param name="WinnerVotes">Votes the winner received.</param>
/// <param name="TotalVotes">Votes of all samples, abstaining ones (no extracted answer) included.</param>
/// <param name="Abstentions">Samples without an extracted answer.</param>
public sealed record VoteResult(string? Winner, double WinnerVotes, double TotalVotes, int Abstentions)
{
    /// <summary>The winner's share of all votes (for majority voting: the fraction of samples that agree with it).</summary>
    public double Share => TotalVotes > 0 ? WinnerVotes / TotalVotes : 0;
}

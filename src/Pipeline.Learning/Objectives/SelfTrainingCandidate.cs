// Inputs and outputs of the majority-vote self-training filter.
namespace Pipeline.Learning.Objectives;

/// <summary>One sampled solution of a prompt, as the self-training filter sees it, with the vote scoring gave it.</summary>
/// <param name="Answer">The extracted final answer, or null when none.</param>
/// <param name="VoteShare">Share of the prompt's samples whose answer equals this one (0 without an answer).</param>
/// <param name="Majority">Whether its answer is the prompt's majority answer.</param>
/// <param name="Length">The response length (tokens or characters, consistently across the batch).</param>
public readonly record struct SelfTrainingCandidate(string? Answer, double VoteShare, bool Majority, int Length)
{
    /// <summary>
    /// The candidates of one prompt from their answers and lengths, voted with <see cref="Signals.AnswerVoting.Majority"/>
    /// (what the scoring stage stores as <c>votes</c> and <c>majority</c>).
    /// </summary>
    public static SelfTrainingCandidate[] Vote(IReadOnlyList<(string? Answer, int Length)> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var vote = Signals.AnswerVoting.Majority(samples.Select(s => s.Answer).ToList());
        return samples.Select(s => new SelfTrainingCandidate(s.Answer,
            s.Answer is null ? 0 : samples.Count(o => o.Answer == s.Answer) / (double)samples.Count,
            s.Answer is not null && s.Answer == vote.Winner, s.Length)).ToArray();
    }
}

/// <summary>A kept solution: the SFT target for its prompt.</summary>
/// <param name="Group">The prompt's index in the input.</param>
/// <param name="Candidate">The kept sample's index in its group.</param>
/// <param name="Answer">The majority answer.</param>
/// <param name="VoteShare">Fraction of the group's samples that gave this answer.</param>
public sealed record SelfTrainingExample(int Group, int Candidate, string Answer, double VoteShare);

/// <summary>What the filter kept and why the rest was dropped.</summary>
/// <param name="Kept">One example per prompt that passed both filters.</param>
/// <param name="BelowVoteShare">Prompts whose majority answer had too small a share of the votes (or no answer at all).</param>
/// <param name="TooShort">Prompts whose kept sample was far shorter than the batch.</param>
public sealed record SelfTrainingSelection(IReadOnlyList<SelfTrainingExample> Kept, int BelowVoteShare, int TooShort);

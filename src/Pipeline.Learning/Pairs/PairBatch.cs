// The pairs a builder produced over many prompts, with the counts of what it dropped.
namespace Pipeline.Learning.Pairs;

/// <summary>Pairs built from many candidate groups.</summary>
/// <param name="Pairs">The pairs, in group order.</param>
/// <param name="GroupsWithoutPair">Groups that gave no pair.</param>
/// <param name="TiesDropped">
/// Pairs not built because the scores tied (RLSF: unordered candidate pairs with equal confidence at or above the
/// threshold; self-rewarding: groups whose best and worst tie, within the length band when length control is on).
/// </param>
/// <param name="UnscoredCandidates">Candidates with no score (e.g. every judge output unreadable), left out.</param>
public sealed record PairBatch(IReadOnlyList<PreferencePair> Pairs, int GroupsWithoutPair, int TiesDropped, int UnscoredCandidates);

// The outcome of judging one response: the averaged score and how many judge outputs could not be read.
namespace Pipeline.Learning.Judging;

/// <summary>A judge's score for one response, with its parse failures reported rather than hidden.</summary>
/// <param name="Score">Mean of the parsed scores, or null when no judge output could be parsed.</param>
/// <param name="Samples">Judge outputs drawn (1 for a probability score).</param>
/// <param name="ParseFailures">Judge outputs with no readable score; they are left out of the mean.</param>
public sealed record JudgeScore(double? Score, int Samples, int ParseFailures)
{
    /// <summary>The score of parsed judge outputs (null: unreadable): their mean, with the unreadable ones counted.</summary>
    public static JudgeScore FromParsed(IReadOnlyList<double?> parsed)
    {
        var scores = parsed.Where(s => s.HasValue).Select(s => s!.Value).ToList();
        return new JudgeScore(scores.Count > 0 ? scores.Average() : null, parsed.Count, parsed.Count - scores.Count);
    }
}

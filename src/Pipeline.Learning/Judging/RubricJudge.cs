// The Self-Rewarding judge: an additive 0-5 rubric prompt, sampled several times, each output ending in "Score: <n>".
using System.Globalization;
using System.Text.RegularExpressions;

namespace Pipeline.Learning.Judging;

/// <summary>LLM-as-a-judge with an additive five-point rubric.</summary>
public static partial class RubricJudge
{
    /// <summary>The judge prompt for <paramref name="response"/> to <paramref name="instruction"/>.</summary>
    public static string BuildPrompt(string instruction, string response) =>
        "Rate the response to the user's request below with the additive scoring system that follows.\n" +
        "Start from 0 points and add one point for each criterion the response meets:\n" +
        "- It is on topic and gives some information related to the request, even if incomplete.\n" +
        "- It covers a substantial part of the request, without fully resolving it.\n" +
        "- It answers the essential question in a useful way.\n" +
        "- It is written from an assistant's point of view, answers the request directly and completely, and is clear and well organised.\n" +
        "- It is an expert, focused answer with nothing superfluous: as good as a response to this request can be.\n\n" +
        $"Request:\n{instruction}\n\nResponse:\n{response}\n\n" +
        "Explain your judgement in at most 100 words, then write the total on a last line as \"Score: <points>\".\n";

    /// <summary>
    /// Reads the last "Score: n" of a judge output (case-insensitive, optional markdown emphasis, optional "/5"),
    /// accepting 0 ≤ n ≤ 5. Returns false when there is none or it is out of range.
    /// </summary>
    public static bool TryParseScore(string judgeOutput, out double score)
    {
        score = 0;
        var matches = ScorePattern().Matches(judgeOutput);
        if (matches.Count == 0) return false;
        var value = double.Parse(matches[^1].Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (value is < 0 or > 5) return false;
        score = value;
        return true;
    }

    /// <summary>Samples the judge <paramref name="samples"/> times and averages the scores it could read.</summary>
    public static JudgeScore Judge(IJudgeModel model, string instruction, string response, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var outputs = model.Sample(BuildPrompt(instruction, response), samples);
        return JudgeScore.FromParsed(outputs.Select(o => TryParseScore(o, out var s) ? s : (double?)null).ToList());
    }

    [GeneratedRegex(@"score\s*\**\s*[:=]\s*\**\s*(?<n>\d+(?:\.\d+)?)(?!\d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ScorePattern();
}

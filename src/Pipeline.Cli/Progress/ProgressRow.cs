// One line of progress, whoever draws it: a bar in the live display, a log line in the plain one. The code that follows
// the work (the bootstrap, the campaign's reconciles) builds rows; the displays only draw them.
using System.Globalization;

namespace Pipeline.Cli.Progress;

/// <summary>The state of one piece of work: how much of it is done, and figures worth a glance.</summary>
/// <param name="Key">Identifies the row across updates (the same work keeps its key).</param>
/// <param name="Description">What the work is, e.g. <c>bootstrap</c> or <c>iter 1 generation</c>.</param>
/// <param name="Done">Units done.</param>
/// <param name="Total">Units in all (at least 1).</param>
/// <param name="Unit">What a unit is (<c>steps</c>, <c>shards</c>, <c>chunks</c>), for the count.</param>
internal sealed record ProgressRow(string Key, string Description, double Done, double Total, string Unit)
{
    /// <summary>Figures after the count: loss, tokens/s, rollouts/s, accuracy.</summary>
    public string Detail { get; init; } = "";

    /// <summary>Time the work has taken, when its owner measures it.</summary>
    public TimeSpan? Elapsed { get; init; }

    /// <summary>Time left as the work's owner estimates it, or null when there is no estimate yet.</summary>
    public TimeSpan? Remaining { get; init; }

    /// <summary>
    /// How often the plain display repeats this row as a line (the first report, then at most once per interval, and the
    /// last); null when the plain log already tells this work's story in event lines, so the row is only drawn live.
    /// </summary>
    public TimeSpan? PlainInterval { get; init; }

    /// <summary>Whether every unit is done.</summary>
    public bool IsFinished => Done >= Total;

    /// <summary>The count as text, e.g. <c>3/4 shards</c>.</summary>
    public string Count => string.Create(CultureInfo.InvariantCulture, $"{Done:0}/{Total:0} {Unit}");

    /// <summary>The row as one log line: description, count, detail, elapsed and remaining time.</summary>
    public string Line()
    {
        var parts = new List<string> { $"{Description} {Count}" };
        if (Detail.Length > 0) parts.Add(Detail);
        if (Elapsed is { } elapsed) parts.Add($"elapsed {Clock(elapsed)}");
        if (Remaining is { } remaining && !IsFinished) parts.Add($"eta {Clock(remaining)}");
        return string.Join("  ", parts);
    }

    /// <summary>A duration as m:ss, or h:mm:ss from an hour on.</summary>
    public static string Clock(TimeSpan time) => time.TotalHours >= 1
        ? time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : time.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}

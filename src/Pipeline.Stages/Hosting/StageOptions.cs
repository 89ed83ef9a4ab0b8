// The "Stages" configuration section: where workers cache checkpoints, how large a payload may ride inline, how stage
// messages are retried before they go to the error queue, and how often the orchestrator reconciles on its own.
// Read and checked once, so a bad value fails at start-up with the key named.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Pipeline.Stages.Messaging;
using Pipeline.Stages.Work;

namespace Pipeline.Stages.Hosting;

/// <summary>Stage settings read from the <c>Stages</c> configuration section.</summary>
public sealed class StageOptions
{
    /// <summary>Name of the configuration section.</summary>
    public const string SectionName = "Stages";

    /// <summary>Local folder of cached checkpoints (<c>Stages:CacheDirectory</c>; default <see cref="PolicyLoader.DefaultCacheDirectory"/>).</summary>
    public string CacheDirectory { get; init; } = PolicyLoader.DefaultCacheDirectory;

    /// <summary>Largest JSON size of records carried inline in a message (<c>Stages:InlineLimitBytes</c>, default 262144).</summary>
    public int InlineLimitBytes { get; init; } = ShardStore.DefaultInlineLimitBytes;

    /// <summary>
    /// Waits between in-process retries of a failing stage message before it is faulted to the error queue
    /// (<c>Stages:Retry:Intervals</c>, e.g. <c>1s,5s</c>; default 1 s and 5 s; <c>none</c> for no retry).
    /// </summary>
    public IReadOnlyList<TimeSpan> RetryIntervals { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    /// <summary>How often the orchestrator reconciles every running campaign unprompted (<c>Stages:Orchestrator:ReconcileInterval</c>, default 30 s).</summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads the section (missing keys keep their defaults).</summary>
    /// <exception cref="OptionsValidationException">A value is malformed or out of range; the message names every bad key.</exception>
    public static StageOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var defaults = new StageOptions();
        var errors = new List<string>();
        string[] known = ["CacheDirectory", "InlineLimitBytes", "Retry", "Orchestrator"];
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{child.Path} is not a known setting; expected one of: {string.Join(", ", known)}.");
        }

        var inline = defaults.InlineLimitBytes;
        if (section["InlineLimitBytes"] is { } inlineText && (!int.TryParse(inlineText, out inline) || inline < 0))
            errors.Add($"{SectionName}:InlineLimitBytes = '{inlineText}' must be a whole number ≥ 0.");

        var retry = defaults.RetryIntervals;
        var retrySection = section.GetSection("Retry:Intervals");
        if (retrySection.Value is { } retryText)
        {
            retry = ParseIntervals(retryText, errors);
        }
        else if (retrySection.GetChildren().Any())
        {
            retry = ParseIntervals(string.Join(",", retrySection.GetChildren().Select(c => c.Value)), errors);
        }

        var interval = defaults.ReconcileInterval;
        if (section["Orchestrator:ReconcileInterval"] is { } intervalText
            && (!BusOptions.TryParseDuration(intervalText, out interval) || interval <= TimeSpan.Zero))
            errors.Add($"{SectionName}:Orchestrator:ReconcileInterval = '{intervalText}' must be a positive duration such as 30s.");

        if (errors.Count > 0)
            throw new OptionsValidationException(SectionName, typeof(StageOptions), errors.Select(e => $"Invalid stage configuration: {e}"));
        return new StageOptions
        {
            CacheDirectory = string.IsNullOrWhiteSpace(section["CacheDirectory"]) ? defaults.CacheDirectory : Path.GetFullPath(section["CacheDirectory"]!),
            InlineLimitBytes = inline,
            RetryIntervals = retry,
            ReconcileInterval = interval,
        };
    }

    static List<TimeSpan> ParseIntervals(string text, List<string> errors)
    {
        if (text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
            return [];
        var intervals = new List<TimeSpan>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (BusOptions.TryParseDuration(part, out var interval) && interval >= TimeSpan.Zero)
                intervals.Add(interval);
            else
                errors.Add($"{SectionName}:Retry:Intervals item '{part}' must be a duration such as 200ms or 5s.");
        }
        return intervals;
    }
}

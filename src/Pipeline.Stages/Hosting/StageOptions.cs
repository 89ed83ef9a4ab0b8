// The "Stages" configuration section: where workers cache checkpoints, how large a payload may ride inline, how stage
// messages are retried before they go to the error queue, and how often the orchestrator reconciles on its own.
// Read and checked once, so a bad value fails at start-up with the key named.
using System.Globalization;
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
        // The Bus section's readers, so both sections accept and reject values alike.
        BusOptions.RejectUnknownKeys(section, ["CacheDirectory", "InlineLimitBytes", "Retry", "Orchestrator"], errors);
        var inline = BusOptions.ReadInt(section, "InlineLimitBytes", errors, 0, int.MaxValue) ?? defaults.InlineLimitBytes;
        var retrySection = section.GetSection("Retry:Intervals");
        var retry = retrySection.Value?.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) == true ? []
            : retrySection.Value is not null || retrySection.GetChildren().Any() ? ReadRetryIntervals(retrySection, errors)
            : defaults.RetryIntervals;
        var interval = BusOptions.ReadPositiveDuration(section.GetSection("Orchestrator"), "ReconcileInterval", defaults.ReconcileInterval, errors);

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

    private static List<TimeSpan> ReadRetryIntervals(IConfigurationSection section, List<string> errors)
    {
        // Either one scalar "200ms,1s,5s" (handy as an environment variable) or an indexed list Intervals:0, Intervals:1...
        IEnumerable<(string Path, string Text)> items = section.Value is { } scalar
            ? scalar.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => (section.Path, t))
            : section.GetChildren()
                .OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : int.MaxValue)
                .Select(c => (c.Path, c.Value ?? ""));

        var intervals = new List<TimeSpan>();
        foreach (var (path, text) in items)
        {
            if (BusOptions.TryParseDuration(text, out var interval) && interval >= TimeSpan.Zero)
                intervals.Add(interval);
            else
                errors.Add($"{path} = '{text}' must be a non-negative duration such as 200ms, 1s or 00:00:05.");
        }
        return intervals;
    }
}

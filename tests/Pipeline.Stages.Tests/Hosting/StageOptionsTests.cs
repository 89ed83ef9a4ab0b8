// The Stages section: retry is configured here and only here (per stage endpoint), as one value or an indexed list.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Pipeline.Stages.Hosting;

namespace Pipeline.Stages.Tests.Hosting;

public sealed class StageOptionsTests
{
    static StageOptions Read(params (string Key, string Value)[] pairs) =>
        StageOptions.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))).Build());

    [Fact]
    public void FromConfiguration_Empty_RetriesAfterOneAndFiveSeconds()
    {
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)], Read().RetryIntervals);
    }

    [Fact]
    public void FromConfiguration_RetryIntervalsAsCommaSeparatedValue_ParsesEachUnit()
    {
        var options = Read(("Stages:Retry:Intervals", "200ms, 1s,1.5s,2m,750,00:00:03"));

        Assert.Equal(
            [
                TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5), TimeSpan.FromMinutes(2),
                TimeSpan.FromMilliseconds(750), TimeSpan.FromSeconds(3),
            ],
            options.RetryIntervals);
    }

    [Fact]
    public void FromConfiguration_RetryIntervalsAsIndexedList_KeepsIndexOrder()
    {
        // Configuration providers do not promise child order; the index, not insertion order, decides.
        var options = Read(("Stages:Retry:Intervals:10", "5s"), ("Stages:Retry:Intervals:2", "1s"), ("Stages:Retry:Intervals:0", "200ms"));

        Assert.Equal([TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)], options.RetryIntervals);
    }

    [Fact]
    public void FromConfiguration_RetryNone_NoRetry()
    {
        Assert.Empty(Read(("Stages:Retry:Intervals", "none")).RetryIntervals);
    }

    [Theory]
    [InlineData("1s,soon", "Stages:Retry:Intervals = 'soon' must be a non-negative duration")]
    [InlineData("1e300s", "Stages:Retry:Intervals = '1e300s' must be a non-negative duration")]
    public void FromConfiguration_BadRetryInterval_ErrorNamesKeyAndValue(string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read(("Stages:Retry:Intervals", value)));

        Assert.Contains(expected, error.Message);
    }
}

// Checks the majority-vote self-training filter: vote-share threshold, representative choice, and the length filter.
using Pipeline.Learning.Objectives;

namespace Pipeline.Learning.Tests.Objectives;

public class MajorityVoteFilterTests
{
    private static (string? Answer, int Length) C(string? answer, int length = 20) => (answer, length);

    // The votes as scoring stores them (SelfTrainingCandidate.Vote), then the filter.
    private static SelfTrainingSelection Select(IReadOnlyList<(string? Answer, int Length)[]> groups, double minVoteShare = 0.5) =>
        MajorityVoteFilter.Select(groups.Select(g => (IReadOnlyList<SelfTrainingCandidate>)SelfTrainingCandidate.Vote(g)).ToList(), minVoteShare);

    [Fact]
    public void Select_KeepsFirstSampleOfAMajorityAtOrAboveTheShare()
    {
        var selection = Select(
        [
            [C("5"), C("6"), C("6"), C(null)],       // "6" has 2/4 = 0.5: kept, sample 1
            [C("1"), C("2"), C("3"), C("1"), C("4")], // "1" has 2/5 = 0.4: dropped
        ]);

        var kept = Assert.Single(selection.Kept);
        Assert.Equal(new SelfTrainingExample(0, 1, "6", 0.5), kept);
        Assert.Equal(1, selection.BelowVoteShare);
        Assert.Equal(0, selection.TooShort);
    }

    [Fact]
    public void Select_NoAnswers_CountsAsBelowShare()
    {
        var selection = Select([[C(null), C(null)]]);

        Assert.Empty(selection.Kept);
        Assert.Equal(1, selection.BelowVoteShare);
    }

    [Fact]
    public void Select_DropsKeptOutputsFarShorterThanTheBatch()
    {
        // Kept lengths 30, 30, 6: mean 22, half of it 11; the 6-character output goes.
        var selection = Select(
        [
            [C("1", 30), C("1", 30)],
            [C("2", 30), C("2", 30)],
            [C("3", 6), C("3", 6)],
        ]);

        Assert.Equal([0, 1], selection.Kept.Select(k => k.Group));
        Assert.Equal(1, selection.TooShort);
    }

    [Fact]
    public void Select_StricterShare_DropsWeakMajorities()
    {
        var selection = Select([[C("4"), C("4"), C("5")]], minVoteShare: 0.8);

        Assert.Empty(selection.Kept);
        Assert.Equal(1, selection.BelowVoteShare);
    }

    [Fact]
    public void Vote_Samples_ShareAndMajorityOfEachAnswer()
    {
        var votes = SelfTrainingCandidate.Vote([C("6"), C("5"), C("6"), C(null)]);

        Assert.Equal([0.5, 0.25, 0.5, 0], votes.Select(v => v.VoteShare));
        Assert.Equal([true, false, true, false], votes.Select(v => v.Majority));
    }
}

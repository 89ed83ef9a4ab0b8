// Checks majority voting and self-certainty Borda voting, including ties, abstentions and the p = 0 equivalence.
using Pipeline.Learning.Signals;

namespace Pipeline.Learning.Tests.Signals;

public class AnswerVotingTests
{
    [Fact]
    public void Majority_MostFrequentAnswerWins_ShareCountsAbstentions()
    {
        var vote = AnswerVoting.Majority(["7", "8", "7", null, "7"]);

        Assert.Equal("7", vote.Winner);
        Assert.Equal(3, vote.WinnerVotes);
        Assert.Equal(5, vote.TotalVotes);
        Assert.Equal(1, vote.Abstentions);
        Assert.Equal(0.6, vote.Share, 12);
    }

    [Fact]
    public void Majority_Tie_GoesToTheAnswerSeenFirst()
    {
        Assert.Equal("8", AnswerVoting.Majority(["8", "7", "7", "8"]).Winner);
        Assert.Equal("7", AnswerVoting.Majority(["7", "8", "8", "7"]).Winner);
    }

    [Fact]
    public void Majority_NoAnswers_HasNoWinner()
    {
        var vote = AnswerVoting.Majority([null, null]);

        Assert.Null(vote.Winner);
        Assert.Equal(0, vote.Share);
    }

    [Fact]
    public void SelfCertaintyBorda_PowerOne_WeightsByRank()
    {
        // N = 4. Ranks by SC: sample 3 (r1, 4 votes), sample 0 (r2, 3), sample 2 (r3, 2), sample 1 (r4, 1).
        // "5": 3 + 2 = 5 votes; "9": 4 + 1 = 5 votes: a tie, and "5" occurs first. With p = 2: "5" 9 + 4 = 13, "9" 16 + 1 = 17.
        string?[] answers = ["5", "9", "5", "9"];
        double[] sc = [0.8, 0.1, 0.5, 0.9];

        var linear = AnswerVoting.SelfCertaintyBorda(answers, sc, 1);
        var squared = AnswerVoting.SelfCertaintyBorda(answers, sc, 2);

        Assert.Equal("5", linear.Winner);
        Assert.Equal(5, linear.WinnerVotes, 12);
        Assert.Equal(10, linear.TotalVotes, 12);
        Assert.Equal("9", squared.Winner);
        Assert.Equal(17, squared.WinnerVotes, 12);
        Assert.Equal(30, squared.TotalVotes, 12);
    }

    [Fact]
    public void SelfCertaintyBorda_LargePower_PicksTheMostSelfCertainSample()
    {
        var vote = AnswerVoting.SelfCertaintyBorda(["1", "1", "1", "2"], [0.3, 0.2, 0.1, 0.9], 20);

        Assert.Equal("2", vote.Winner);
    }

    [Fact]
    public void SelfCertaintyBorda_PowerZero_EqualsMajority()
    {
        string?[] answers = ["3", "4", null, "4", "3", "5"];
        double[] sc = [0.9, 0.1, 0.5, 0.2, 0.3, 0.95];

        var borda = AnswerVoting.SelfCertaintyBorda(answers, sc, 0);
        var majority = AnswerVoting.Majority(answers);

        Assert.Equal(majority, borda);
        Assert.Equal("3", borda.Winner);
    }

    [Fact]
    public void SelfCertaintyBorda_AbstainingSampleKeepsItsRank()
    {
        // The top-ranked sample has no answer: the others get 2 and 1 votes, not 3 and 2.
        var vote = AnswerVoting.SelfCertaintyBorda([null, "1", "2"], [0.9, 0.5, 0.1], 1);

        Assert.Equal("1", vote.Winner);
        Assert.Equal(2, vote.WinnerVotes, 12);
        Assert.Equal(6, vote.TotalVotes, 12);
    }
}

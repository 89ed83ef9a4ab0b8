// Splitting text on added tokens before BPE.
namespace Pipeline.Engine.Tests.Tokenization;

public class AddedTokenSplitterTests
{
    [Fact]
    public void Split_OverlappingTokens_TakesLongestAtLeftmostPosition()
    {
        var splitter = new AddedTokenSplitter([new AddedToken(1, "<|a|>", true), new AddedToken(2, "<|a|><|b|>", true),
            new AddedToken(3, "<|b|>", true)]);
        var segments = new List<AddedTokenSplitter.Segment>();

        const string text = "x<|a|><|b|>y<|b|><|a|";
        splitter.Split(text, segments);

        Assert.Equal(["text:x", "id:2", "text:y", "id:3", "text:<|a|"], segments.Select(s => Describe(text, s)));
    }

    [Fact]
    public void Split_StripFlags_AbsorbNeighbouringWhitespace()
    {
        var splitter = new AddedTokenSplitter([new AddedToken(7, "<mask>", true, LeftStrip: true, RightStrip: true)]);
        var segments = new List<AddedTokenSplitter.Segment>();

        const string text = "a  <mask>  b";
        splitter.Split(text, segments);

        Assert.Equal(["text:a", "id:7", "text:b"], segments.Select(s => Describe(text, s)));
        Assert.Equal(new AddedTokenSplitter.Segment(1, 10, segments[1].Token), segments[1]);
    }

    [Fact]
    public void Split_NoTokens_WholeTextIsOneSegment()
    {
        var segments = new List<AddedTokenSplitter.Segment>();

        const string text = "plain <|x|> text";
        new AddedTokenSplitter([]).Split(text, segments);

        Assert.Equal(["text:plain <|x|> text"], segments.Select(s => Describe(text, s)));
    }

    private static string Describe(string text, AddedTokenSplitter.Segment s) =>
        s.Token is null ? "text:" + text.Substring(s.Start, s.Length) : "id:" + s.Token.Id;
}

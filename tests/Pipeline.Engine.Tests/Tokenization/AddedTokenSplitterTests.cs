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

        splitter.Split("x<|a|><|b|>y<|b|><|a|", segments);

        Assert.Equal(["text:x", "id:2", "text:y", "id:3", "text:<|a|"], segments.Select(Describe));
    }

    [Fact]
    public void Split_StripFlags_AbsorbNeighbouringWhitespace()
    {
        var splitter = new AddedTokenSplitter([new AddedToken(7, "<mask>", true, LeftStrip: true, RightStrip: true)]);
        var segments = new List<AddedTokenSplitter.Segment>();

        splitter.Split("a  <mask>  b", segments);

        Assert.Equal(["text:a", "id:7", "text:b"], segments.Select(Describe));
    }

    [Fact]
    public void Split_NoTokens_WholeTextIsOneSegment()
    {
        var segments = new List<AddedTokenSplitter.Segment>();

        new AddedTokenSplitter([]).Split("plain <|x|> text", segments);

        Assert.Equal(["text:plain <|x|> text"], segments.Select(Describe));
    }

    private static string Describe(AddedTokenSplitter.Segment s) => s.Token is null ? "text:" + s.Text : "id:" + s.Token.Id;
}

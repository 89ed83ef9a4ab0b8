// The GPT-2 byte <-> character map.
namespace Pipeline.Engine.Tests.Tokenization;

public class ByteLevelAlphabetTests
{
    [Fact]
    public void ByteToChar_AllBytes_AreDistinctAndInvertible()
    {
        var chars = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.ByteToChar((byte)b)).ToArray();

        Assert.Equal(256, chars.Distinct().Count());
        for (int b = 0; b < 256; b++)
        {
            Assert.Equal(b, ByteLevelAlphabet.CharToByte(chars[b]));
        }
    }

    [Theory]
    [InlineData(0x21, '!')]
    [InlineData(0x7E, '~')]
    [InlineData(0xA1, '¡')]
    [InlineData(0xFF, 'ÿ')]
    [InlineData(0x00, '\u0100')]
    [InlineData(0x20, 'Ġ')]
    [InlineData(0x0A, 'Ċ')]
    [InlineData(0xAD, 'Ń')]
    public void ByteToChar_KnownBytes_MatchGpt2Spelling(int value, char expected)
    {
        Assert.Equal(expected, ByteLevelAlphabet.ByteToChar((byte)value));
    }

    [Fact]
    public void CharToByte_CharacterOutsideAlphabet_IsMinusOne()
    {
        Assert.Equal(-1, ByteLevelAlphabet.CharToByte(' '));
        Assert.Equal(-1, ByteLevelAlphabet.CharToByte('日'));
    }
}

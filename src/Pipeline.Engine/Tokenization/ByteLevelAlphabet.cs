// GPT-2's reversible byte <-> printable-character map, used by every byte-level BPE vocabulary (GPT-2, Llama-3, Qwen2).
namespace Pipeline.Engine.Tokenization;

/// <summary>
/// Maps each of the 256 byte values to a printable character so that byte strings can be stored as vocabulary text:
/// printable Latin-1 bytes map to themselves, the other 68 to U+0100 onwards in byte order.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToCharTable = BuildByteToChar();
    private static readonly short[] CharToByteTable = BuildCharToByte(ByteToCharTable);

    /// <summary>The character standing for <paramref name="value"/>.</summary>
    public static char ByteToChar(byte value) => ByteToCharTable[value];

    /// <summary>The byte a vocabulary character stands for, or -1 when the character is outside the alphabet.</summary>
    public static int CharToByte(char c) => c < CharToByteTable.Length ? CharToByteTable[c] : -1;

    private static bool MapsToItself(int b) => b is >= '!' and <= '~' or >= '¡' and <= '¬' or >= '®' and <= 'ÿ';

    private static char[] BuildByteToChar()
    {
        var table = new char[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++)
        {
            table[b] = MapsToItself(b) ? (char)b : (char)(256 + shifted++);
        }
        return table;
    }

    private static short[] BuildCharToByte(char[] byteToChar)
    {
        var table = new short[512];
        Array.Fill(table, (short)-1);
        for (int b = 0; b < 256; b++)
        {
            table[byteToChar[b]] = (short)b;
        }
        return table;
    }
}

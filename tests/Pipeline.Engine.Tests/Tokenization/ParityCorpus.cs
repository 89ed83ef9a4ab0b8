// Seeded generator of varied text lines for tokenizer parity tests: scripts, emoji, whitespace runs, numbers, code.
using System.Text;

namespace Pipeline.Engine.Tests.Tokenization;

internal static class ParityCorpus
{
    private static readonly string[] Words =
    [
        "the", "The", "THE", "tokenizer", "Hello", "world", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
        "don't", "I'LL", "we've", "She'S", "they're", "it'd", "I'm", "you'RE", "'s", "'t", "'ll", "O'Neil", "rock'n'roll",
        "café", "naïve", "Ångström", "São", "Paulo", "Müller", "œuvre", "façade", "e\u0301", "A\u030A", "résumé",
        "日本語のテキスト", "中文分词测试", "東京", "한국어", "문장입니다", "Привет", "мир", "Ελληνικά", "λόγος",
        "مرحبا", "שלום", "नमस्ते", "ภาษาไทย", "Ξ", "ß", "ǅ", "ﬁ",
        "😀", "👍🏽", "🇫🇷", "👨‍👩‍👧", "🔥🔥", "❤️", "✓", "™", "€", "£", "¥", "°C", "½", "²", "Ⅻ", "①",
        "𝐀𝐁𝐂", "𠀀𠀁𠀂", "𐌰𐌱𐌲", "𝟏𝟐𝟑", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "for (int i = 0; i < n; i++) {", "def f(x):\n    return x**2", "if (a && b || !c) { x += 1; }",
        "console.log(`${x}`);", "<div class=\"a\">", "SELECT * FROM t WHERE id=42;", "#include <stdio.h>", "λx.x",
        "a->b", "x::y", "0x1F", "i++", "arr[3]", "foo_bar_baz", "camelCaseName", "snake_case", "//comment", "/* c */",
        "!!!", "...", "?!?", "---", "***", "\"''\"", "(((", "«»", "—", "…", ",,,", ";;", "@#$%^&", "~~", "||", "==>",
        "\t", "\t\t", "\n", "\r\n", "\n\n\n", "\u00A0", "\u3000", "\u2003", "\u0007", "\u001B[0m", "\u001F",
    ];

    /// <summary>Deterministic lines; <paramref name="specialTokens"/> are sprinkled in when given.</summary>
    public static List<string> Lines(int seed, int count, IReadOnlyList<string>? specialTokens = null)
    {
        var random = new Random(seed);
        var lines = new List<string>(count);
        for (int n = 0; n < count; n++)
        {
            var line = new StringBuilder();
            int fragments = random.Next(1, 14);
            if (random.Next(8) == 0)
            {
                line.Append(' ', random.Next(1, 6));
            }
            for (int f = 0; f < fragments; f++)
            {
                line.Append(Fragment(random, specialTokens));
                line.Append(Separator(random));
            }
            lines.Add(line.ToString());
        }
        return lines;
    }

    private static string Fragment(Random random, IReadOnlyList<string>? specialTokens)
    {
        switch (random.Next(20))
        {
            case 0:
                return Number(random, random.Next(1, 25));
            case 1:
                return $"{Number(random, random.Next(1, 4))}.{Number(random, random.Next(1, 6))}";
            case 2:
                return $"{random.Next(1000, 3000)}-{random.Next(1, 13):D2}-{random.Next(1, 29):D2}";
            case 3:
                return RandomCodePoints(random, random.Next(1, 8));
            case 4:
                return new string(' ', random.Next(2, 12));
            case 5 when specialTokens is { Count: > 0 }:
                return specialTokens[random.Next(specialTokens.Count)];
            case 6 when random.Next(40) == 0:
                // Rare long runs, where the merge loop sees hundreds of symbols.
                return random.Next(2) == 0 ? new string(' ', random.Next(50, 300)) : Number(random, random.Next(50, 300));
            default:
                return Words[random.Next(Words.Length)];
        }
    }

    private static string Separator(Random random) => random.Next(12) switch
    {
        < 7 => " ",
        7 => "",
        8 => "  ",
        9 => "\n",
        10 => " \n ",
        _ => "\t",
    };

    private static string Number(Random random, int digits)
    {
        var s = new StringBuilder(digits);
        for (int i = 0; i < digits; i++)
        {
            s.Append((char)('0' + random.Next(10)));
        }
        return s.ToString();
    }

    // Code points from blocks with letters, digits, marks, symbols and astral characters; U+0085 and U+FEFF are left
    // out because JavaScript's \s disagrees with Unicode's White_Space on them (HF follows Unicode).
    private static string RandomCodePoints(Random random, int count)
    {
        (int Low, int High)[] ranges =
        [
            (0x21, 0x7E), (0xA1, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x5FF), (0x600, 0x6FF), (0x900, 0x97F),
            (0x2000, 0x206F), (0x2100, 0x214F), (0x2190, 0x22FF), (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
            (0xFF00, 0xFFEF), (0x1F300, 0x1F64F), (0x1D400, 0x1D7FF), (0x20000, 0x2A6DF), (0x10330, 0x1034A),
        ];
        var s = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            var (low, high) = ranges[random.Next(ranges.Length)];
            int cp;
            do
            {
                cp = random.Next(low, high + 1);
            }
            while (!System.Text.Rune.IsValid(cp) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(cp) == System.Globalization.UnicodeCategory.OtherNotAssigned);
            s.Append(char.ConvertFromUtf32(cp));
        }
        return s.ToString();
    }
}

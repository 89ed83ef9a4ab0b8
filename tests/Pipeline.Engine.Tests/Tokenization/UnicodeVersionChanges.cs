// Code points whose canonical normalization changed after the Unicode version of the normalizer's tables, so a newer
// reference normalizes them differently. Unicode's stability policy freezes the combining class and the canonical
// decomposition of an assigned character, so every such difference is a character assigned after the tables' version.
namespace Pipeline.Engine.Tests.Tokenization;

internal static class UnicodeVersionChanges
{
    // Found by comparing the 14.0 tables with node 20 (ICU 78.2, Unicode 17.0); the versions were told apart with the
    // system ICU 72 (Unicode 15.0) and .NET 10's character database (Unicode 16.0). Unicode 15.1 added none.
    private static readonly (int First, int Last, string Version, string Reason)[] Changes =
    [
        (0x10EFD, 0x10EFF, "15.0", "Arabic Extended-C small low word marks: combining class 220"),
        (0x11F41, 0x11F42, "15.0", "Kawi sign killer and conjoiner: combining class 9"),
        (0x1E08F, 0x1E08F, "15.0", "combining Cyrillic small letter Byelorussian-Ukrainian i: combining class 230"),
        (0x1E4EC, 0x1E4EF, "15.0", "Nag Mundari tone and nukta marks: combining classes 232, 220, 230"),
        (0x0897, 0x0897, "16.0", "Arabic pepet: combining class 230"),
        (0x105C9, 0x105C9, "16.0", "Todhri letter: canonical decomposition"),
        (0x105E4, 0x105E4, "16.0", "Todhri letter: canonical decomposition"),
        (0x10D69, 0x10D6D, "16.0", "Garay vowel and reduplication marks: combining class 230"),
        (0x11383, 0x11383, "16.0", "Tulu-Tigalari letter: canonical decomposition"),
        (0x11385, 0x11385, "16.0", "Tulu-Tigalari letter: canonical decomposition"),
        (0x1138E, 0x1138E, "16.0", "Tulu-Tigalari letter: canonical decomposition"),
        (0x11391, 0x11391, "16.0", "Tulu-Tigalari letter: canonical decomposition"),
        (0x113C5, 0x113C5, "16.0", "Tulu-Tigalari vowel sign: canonical decomposition"),
        (0x113C7, 0x113C8, "16.0", "Tulu-Tigalari vowel signs: canonical decompositions"),
        (0x113CE, 0x113D0, "16.0", "Tulu-Tigalari virama and conjoiners: combining class 9"),
        (0x16121, 0x16128, "16.0", "Gurung Khema vowel signs: canonical decompositions"),
        (0x1612F, 0x1612F, "16.0", "Gurung Khema sign: combining class 9"),
        (0x16D68, 0x16D6A, "16.0", "Kirat Rai vowel signs: canonical decompositions"),
        (0x1E5EE, 0x1E5EF, "16.0", "Ol Onal marks: combining classes 230, 220"),
        (0x1ACF, 0x1ADD, "17.0", "Combining Diacritical Marks Extended additions: non-zero combining classes"),
        (0x1AE0, 0x1AEB, "17.0", "Combining Diacritical Marks Extended additions: non-zero combining classes"),
        (0x10EFA, 0x10EFB, "17.0", "Arabic Extended-C marks: non-zero combining classes"),
        (0x1E6E3, 0x1E6E3, "17.0", "Tai Yo mark: non-zero combining class"),
        (0x1E6E6, 0x1E6E6, "17.0", "Tai Yo mark: non-zero combining class"),
        (0x1E6EE, 0x1E6EF, "17.0", "Tai Yo marks: non-zero combining classes"),
        (0x1E6F5, 0x1E6F5, "17.0", "Tai Yo mark: non-zero combining class"),
    ];

    /// <summary>The newest Unicode version whose changes are listed.</summary>
    public static Version Newest { get; } = Changes.Select(c => Version.Parse(c.Version)).Max()!;

    /// <summary>
    /// True when <paramref name="codePoint"/> got its combining class or canonical decomposition in a Unicode version
    /// after <paramref name="tables"/> and no later than <paramref name="reference"/>.
    /// </summary>
    public static bool Explains(int codePoint, Version tables, Version reference) => Changes.Any(c =>
        codePoint >= c.First && codePoint <= c.Last && Version.Parse(c.Version) > tables && Version.Parse(c.Version) <= reference);
}

// Decoding of BpeTokenizer: ids back to text through the tokenizer.json decoder (ByteLevel, Fuse or none), into a
// string or, for Microsoft.ML.Tokenizers' span overload, into a caller's buffer.
using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace Pipeline.Engine.Tokenization;

public sealed partial class BpeTokenizer
{
    [ThreadStatic] private static DecodeBuffer? decodeBuffer;

    /// <inheritdoc />
    public override string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var output = decodeBuffer ??= new DecodeBuffer();
        try
        {
            if (DecodeInto(ids, skipSpecialTokens, output, int.MaxValue, out _, out _) == OperationStatus.InvalidData)
            {
                throw UnknownIds(ids);
            }
            return new string(output.Text);
        }
        finally
        {
            output.Release();
        }
    }

    /// <summary>Decodes ids back into text, added tokens (special ones included) written as their content.</summary>
    /// <exception cref="InvalidOperationException">An id is not in the vocabulary.</exception>
    public override string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int[]? rented = null;
        try
        {
            return Decode(AsSpan(ids, ref rented));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes into <paramref name="destination"/>. When it is too small, as many ids are decoded as fit whole, never
    /// ending inside a character whose UTF-8 bytes span several tokens. An id outside the vocabulary stops decoding
    /// with <see cref="OperationStatus.InvalidData"/> after the ids before it.
    /// </summary>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int[]? rented = null;
        var output = decodeBuffer ??= new DecodeBuffer();
        try
        {
            var status = DecodeInto(AsSpan(ids, ref rented), skipSpecialTokens: false, output, destination.Length,
                out idsConsumed, out charsWritten);
            output.Text[..charsWritten].CopyTo(destination);
            return status;
        }
        finally
        {
            output.Release();
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private static ReadOnlySpan<int> AsSpan(IEnumerable<int> ids, ref int[]? rented)
    {
        switch (ids)
        {
            case int[] array:
                return array;
            case List<int> list:
                return CollectionsMarshal.AsSpan(list);
            case IReadOnlyCollection<int> collection:
                rented = ArrayPool<int>.Shared.Rent(collection.Count);
                int n = 0;
                foreach (int id in collection)
                {
                    rented[n++] = id;
                }
                return rented.AsSpan(0, n);
            default:
                return ids.ToArray();
        }
    }

    private InvalidOperationException UnknownIds(ReadOnlySpan<int> ids)
    {
        foreach (int id in ids)
        {
            if (IdToToken(id) is null)
            {
                return new InvalidOperationException($"Id {id} is not in the vocabulary.");
            }
        }
        return new InvalidOperationException("The ids could not be decoded.");
    }

    // Decodes all ids into `output` (or up to the first unknown one). Through `idsConsumed` and `charsWritten` it reports
    // the last point, after a whole id and with no character pending, at which the text is at most `budget` long.
    private OperationStatus DecodeInto(ReadOnlySpan<int> ids, bool skipSpecialTokens, DecodeBuffer output, int budget,
        out int idsConsumed, out int charsWritten)
    {
        output.Clear();
        idsConsumed = charsWritten = 0;
        bool first = true;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = ids[i];
            string? token = IdToToken(id);
            if (token is null)
            {
                return OperationStatus.InvalidData;
            }
            if (addedById.TryGetValue(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special))
                {
                    output.FlushBytes(final: true);
                    AppendToken(output, added.Content, ref first);
                }
            }
            else if (decoder == DecoderKind.ByteLevel)
            {
                AppendByteLevel(output, token);
                output.FlushBytes(final: false);
            }
            else
            {
                AppendToken(output, token, ref first);
            }
            if (output.PendingBytes == 0 && output.Length <= budget)
            {
                idsConsumed = i + 1;
                charsWritten = output.Length;
            }
        }
        // Bytes of an unfinished character at the end become U+FFFD.
        output.FlushBytes(final: true);
        if (output.Length <= budget)
        {
            idsConsumed = ids.Length;
            charsWritten = output.Length;
            return OperationStatus.Done;
        }
        return OperationStatus.DestinationTooSmall;
    }

    private void AppendToken(DecodeBuffer output, string token, ref bool first)
    {
        if (decoder == DecoderKind.JoinWithSpaces && !first)
        {
            output.Append(" ");
        }
        output.Append(token);
        first = false;
    }

    private static void AppendByteLevel(DecodeBuffer output, string token)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < token.Length; i++)
        {
            int b = ByteLevelAlphabet.CharToByte(token[i]);
            if (b >= 0)
            {
                output.AppendByte((byte)b);
                continue;
            }
            // Not from the byte alphabet (a hand-written vocabulary entry): keep the character itself.
            int length = Utf16Length(token, i);
            int n = Encoding.UTF8.GetBytes(token.AsSpan(i, length), utf8);
            foreach (byte x in utf8[..n])
            {
                output.AppendByte(x);
            }
            i += length - 1;
        }
    }

    /// <summary>Decoded text and the UTF-8 bytes of a character not complete yet; reused on its thread.</summary>
    private sealed class DecodeBuffer
    {
        private char[] chars = new char[256];
        private byte[] bytes = new byte[64];
        private int byteCount;

        public int Length { get; private set; }

        public int PendingBytes => byteCount;

        public ReadOnlySpan<char> Text => chars.AsSpan(0, Length);

        public void Clear()
        {
            Length = 0;
            byteCount = 0;
        }

        public void Append(ReadOnlySpan<char> text)
        {
            Reserve(text.Length);
            text.CopyTo(chars.AsSpan(Length));
            Length += text.Length;
        }

        public void AppendByte(byte value)
        {
            if (byteCount == bytes.Length)
            {
                Array.Resize(ref bytes, bytes.Length * 2);
            }
            bytes[byteCount++] = value;
        }

        // Invalid UTF-8 becomes U+FFFD per maximal invalid subsequence, as Rust's from_utf8_lossy (HF) does; unless
        // `final`, an incomplete character at the end stays pending for the next token's bytes.
        public void FlushBytes(bool final)
        {
            if (byteCount == 0)
            {
                return;
            }
            Reserve(byteCount);
            Utf8.ToUtf16(bytes.AsSpan(0, byteCount), chars.AsSpan(Length), out int read, out int written,
                replaceInvalidSequences: true, isFinalBlock: final);
            Length += written;
            bytes.AsSpan(read, byteCount - read).CopyTo(bytes);
            byteCount -= read;
        }

        /// <summary>Lets go of buffers a very long text made large.</summary>
        public void Release()
        {
            if (chars.Length > ScratchCapacityKept)
            {
                chars = new char[256];
            }
            if (bytes.Length > ScratchCapacityKept)
            {
                bytes = new byte[64];
            }
        }

        // UTF-8 never takes more UTF-16 units than bytes, so `count` more chars always hold what is appended.
        private void Reserve(int count)
        {
            if (Length + count > chars.Length)
            {
                Array.Resize(ref chars, Math.Max(Length + count, chars.Length * 2));
            }
        }
    }
}

// A read-only, non-seekable stream that hands out bytes in small uneven pieces, like a network or pipe source, and can
// break after a given number of bytes like a source whose producer died.
namespace Pipeline.Storage.Tests;

internal sealed class ForwardOnlyStream(byte[] content, long failAfter = long.MaxValue) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position >= failAfter) throw new IOException("source broke");
        var piece = (int)Math.Min(Math.Min(Math.Min(count, 10_000), content.Length - _position), failAfter - _position);
        Array.Copy(content, _position, buffer, offset, piece);
        _position += piece;
        return piece;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

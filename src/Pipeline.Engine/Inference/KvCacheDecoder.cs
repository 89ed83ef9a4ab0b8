// Incremental forward pass of a LlamaModel with a key/value cache, for generation. Work is a list of rows, each one
// token of one cache slot at that slot's own position; a pass embeds the rows, runs every layer as batched products over
// them (m = rows), appends their keys and values to the cache, and lets each row attend over its slot's cache up to its
// position. Prefill (many rows per slot) and decoding (one row per active slot) are the same pass, so a prompt's rows
// may be split across passes or mixed with other slots freely.
// Every reduction is per row in a fixed order (Gemm.Multiply guarantees this per row of C; norms, RoPE, SwiGLU and
// softmax are per row; attention reads only its own slot, one FMA chain per output), so a row's logits are bitwise the
// same whatever other rows share its pass and whatever the thread count.
// Shape key: C channels, H heads, Hkv kv heads, D head size, F ffn size, V vocab, S = (H + 2·Hkv)·D,
// R rows per pass, B slots, Tmax cache length, G = H / Hkv query heads per kv head. Cache per layer: keys [B, Hkv, D, Tmax]
// (transposed, so q·Kᵀ is a row-major product) and values [B, Hkv, Tmax, D].
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pipeline.Engine.Layers;
using Pipeline.Engine.Model;

namespace Pipeline.Engine.Inference;

/// <summary>Batched key/value-cache decoder over a <see cref="LlamaModel"/>'s weights (read, never copied).</summary>
internal sealed unsafe class KvCacheDecoder
{
    // Attention splits into at most this many fixed chunks; each has its own score rows.
    private const int MaxChunks = 64;

    private readonly LlamaModel _model;
    private readonly ModelConfig _config;
    private readonly ParameterLayout _layout;
    private readonly RopeTable? _rope;
    private readonly float[] _keys;
    private readonly float[] _values;
    private readonly float[] _x;
    private readonly float[] _normed;
    private readonly float[] _rstd;
    private readonly float[] _qkv;
    private readonly float[] _attention;
    private readonly float[] _gateUp;
    private readonly float[] _hidden;
    private readonly float[] _final;
    private readonly float[] _finalNormed;
    private readonly float[] _finalRstd;
    private readonly float[] _logits;
    private readonly float[] _scores;
    private readonly int[] _rowSlot;
    private readonly int[] _rowPosition;

    /// <summary>
    /// A cache of <paramref name="slots"/> sequences of up to <paramref name="maxLength"/> tokens, passes of up to
    /// <paramref name="maxRows"/> rows, and logits for up to <paramref name="maxOutputs"/> rows per pass (default: one
    /// per slot, which is all generation asks for; logits rows are V wide, so this bounds the biggest buffer).
    /// </summary>
    public KvCacheDecoder(LlamaModel model, int slots, int maxLength, int maxRows, int maxOutputs = 0)
    {
        if (maxOutputs <= 0)
        {
            maxOutputs = slots;
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(slots);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        _config = model.Config;
        if (maxLength > _config.MaxPositionEmbeddings)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength,
                $"Sequences of {maxLength} tokens exceed max_position_embeddings = {_config.MaxPositionEmbeddings}.");
        }

        _model = model;
        _layout = new ParameterLayout(_config);
        if (_layout.Count != model.Parameters.Length)
        {
            throw new InvalidOperationException("The model's parameter array does not follow the layout of its config.");
        }

        if (_config.PositionEncoding == PositionEncoding.Rope)
        {
            _rope = new RopeTable(_config.HeadDim, _config.RopeTheta, maxLength);
        }

        Slots = slots;
        MaxLength = maxLength;
        MaxRows = maxRows;
        int c = _config.HiddenSize, f = _config.IntermediateSize, d = _config.HeadDim;
        long cache = (long)_config.NumLayers * slots * _config.NumKeyValueHeads * maxLength * d;
        if (cache > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(slots), "The key/value cache would exceed one array; use fewer slots.");
        }

        _keys = Pinned((int)cache);
        _values = Pinned((int)cache);
        _x = Pinned(maxRows * c);
        _normed = Pinned(maxRows * c);
        _rstd = Pinned(maxRows);
        _qkv = Pinned(maxRows * _config.QkvSize);
        _attention = Pinned(maxRows * _config.NumHeads * d);
        _gateUp = Pinned(maxRows * 2 * f);
        _hidden = Pinned(maxRows * f);
        MaxOutputs = maxOutputs;
        _final = Pinned(maxOutputs * c);
        _finalNormed = Pinned(maxOutputs * c);
        _finalRstd = Pinned(maxOutputs);
        _logits = Pinned(checked(maxOutputs * _config.VocabSize));
        _scores = Pinned(MaxChunks * (_config.NumHeads / _config.NumKeyValueHeads) * maxLength);
        _rowSlot = new int[maxRows];
        _rowPosition = new int[maxRows];
    }

    /// <summary>Sequences the cache holds (B).</summary>
    public int Slots { get; }

    /// <summary>Tokens per slot the cache holds (prompt plus new tokens).</summary>
    public int MaxLength { get; }

    /// <summary>Rows one <see cref="Run"/> takes at most.</summary>
    public int MaxRows { get; }

    /// <summary>Rows of one pass whose logits can be asked for.</summary>
    public int MaxOutputs { get; }

    /// <summary>Upper bound on threads for the decoder's own attention loop; results do not depend on it.</summary>
    public int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Runs rows (slot, position, token): row r's key/value enter slot[r]'s cache at position[r], and it attends over
    /// positions [0, position[r]] of that slot, so earlier positions must have been run before or earlier in this call.
    /// Logits of the rows listed in <paramref name="outputRows"/> land, in that order, in <see cref="Logits"/>.
    /// </summary>
    public void Run(ReadOnlySpan<int> slots, ReadOnlySpan<int> positions, ReadOnlySpan<int> tokens, ReadOnlySpan<int> outputRows)
    {
        int rows = tokens.Length;
        if (rows == 0 || rows > MaxRows || slots.Length != rows || positions.Length != rows)
        {
            throw new ArgumentException($"A pass takes 1..{MaxRows} rows with one slot, position and token each.");
        }

        if (outputRows.Length > MaxOutputs)
        {
            throw new ArgumentException($"A pass returns logits for at most {MaxOutputs} rows.", nameof(outputRows));
        }

        foreach (int row in outputRows)
        {
            if ((uint)row >= (uint)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(outputRows), $"Output row {row} is not a row of this pass.");
            }
        }

        OutputCount = 0;

        for (int r = 0; r < rows; r++)
        {
            if ((uint)slots[r] >= (uint)Slots || (uint)positions[r] >= (uint)MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), $"Row {r}: slot {slots[r]} position {positions[r]} is outside the cache.");
            }
        }

        slots.CopyTo(_rowSlot);
        positions.CopyTo(_rowPosition);
        ModelConfig cfg = _config;
        int c = cfg.HiddenSize, f = cfg.IntermediateSize, v = cfg.VocabSize, s = cfg.QkvSize;
        int h = cfg.NumHeads, hkv = cfg.NumKeyValueHeads, d = cfg.HeadDim;
        float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(_model.Parameters));
        float* x = Ptr(_x), normed = Ptr(_normed), rstd = Ptr(_rstd), qkv = Ptr(_qkv);
        float* attention = Ptr(_attention), gateUp = Ptr(_gateUp), hidden = Ptr(_hidden);

        Embedding.Forward(x, tokens, p + _layout.Embedding, v, c);
        for (int l = 0; l < cfg.NumLayers; l++)
        {
            LayerOffsets o = _layout.Layers[l];
            RmsNorm.Forward(normed, rstd, x, p + o.InputNorm, rows, c, cfg.RmsNormEps);
            Linear.Forward(qkv, normed, p + o.QkvWeight, o.QkvBias >= 0 ? p + o.QkvBias : null, rows, c, s);
            if (_rope is not null)
            {
                RotateRuns(qkv, rows, s, h + hkv);
            }

            StoreKeysAndValues(l, rows);
            Attend(l, rows);
            Linear.Forward(x, attention, p + o.OutputWeight, o.OutputBias >= 0 ? p + o.OutputBias : null, rows, h * d, c,
                accumulate: true);
            RmsNorm.Forward(normed, rstd, x, p + o.PostAttentionNorm, rows, c, cfg.RmsNormEps);
            Linear.Forward(gateUp, normed, p + o.GateUpWeight, null, rows, c, 2 * f);
            SwiGlu.Forward(hidden, gateUp, rows, f);
            Linear.Forward(x, hidden, p + o.DownWeight, null, rows, f, c, accumulate: true);
        }

        int outputs = outputRows.Length;
        if (outputs == 0)
        {
            return;
        }

        for (int i = 0; i < outputs; i++)
        {
            new ReadOnlySpan<float>(x + (long)outputRows[i] * c, c).CopyTo(_final.AsSpan(i * c, c));
        }

        RmsNorm.Forward(Ptr(_finalNormed), Ptr(_finalRstd), Ptr(_final), p + _layout.FinalNorm, outputs, c, cfg.RmsNormEps);
        Linear.Forward(Ptr(_logits), Ptr(_finalNormed), p + _layout.LmHead, null, outputs, c, v);
        OutputCount = outputs;
    }

    /// <summary>Rows of the last pass's logits that were asked for.</summary>
    public int OutputCount { get; private set; }

    /// <summary>Logits of the <paramref name="index"/>-th output row of the last <see cref="Run"/>.</summary>
    public ReadOnlySpan<float> Logits(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)OutputCount, nameof(index));
        return _logits.AsSpan(index * _config.VocabSize, _config.VocabSize);
    }

    /// <summary>
    /// RoPE at each row's own position, one call per run of rows that either share a position (decode steps of
    /// equal-length prompts) or hold consecutive positions (a prompt's rows).
    /// </summary>
    private void RotateRuns(float* qkv, int rows, int stride, int rotatedHeads)
    {
        int start = 0;
        while (start < rows)
        {
            int first = _rowPosition[start];
            int end = start + 1;
            bool same = end < rows && _rowPosition[end] == first;
            while (end < rows && _rowPosition[end] == (same ? first : first + end - start))
            {
                end++;
            }

            int length = end - start;
            Rope.Apply(qkv + (long)start * stride, length, same ? 1 : length, stride, rotatedHeads, _rope!, first, inverse: false);
            start = end;
        }
    }

    private void StoreKeysAndValues(int layer, int rows)
    {
        int hkv = _config.NumKeyValueHeads, d = _config.HeadDim, s = _config.QkvSize;
        int keyOffset = _config.NumHeads * d;
        int valueOffset = keyOffset + hkv * d;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = _qkv.AsSpan(r * s, s);
            int position = _rowPosition[r];
            for (int kh = 0; kh < hkv; kh++)
            {
                int at = (int)CacheOffset(layer, _rowSlot[r], kh);
                ReadOnlySpan<float> key = row.Slice(keyOffset + kh * d, d);
                for (int i = 0; i < d; i++)
                {
                    _keys[at + i * MaxLength + position] = key[i];
                }

                row.Slice(valueOffset + kh * d, d).CopyTo(_values.AsSpan(at + position * d, d));
            }
        }
    }

    /// <summary>attention[r, h] = softmax(q·Kᵀ/√D)·V over the slot's positions [0, position[r]], per (row, kv head).</summary>
    private void Attend(int layer, int rows)
    {
        int h = _config.NumHeads, hkv = _config.NumKeyValueHeads, d = _config.HeadDim;
        int items = rows * hkv;
        long work = 0;
        for (int r = 0; r < rows; r++)
        {
            work += _rowPosition[r] + 1;
        }

        work *= (long)h * d * 2;
        int chunks = (int)Math.Clamp(Math.Min((long)MaxThreads * 4, work >> 15), 1, Math.Min(items, MaxChunks));
        if (chunks == 1 || MaxThreads == 1)
        {
            AttendItems(layer, 0, items, 0);
            return;
        }

        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = MaxThreads },
            chunk => AttendItems(layer, (int)((long)items * chunk / chunks), (int)((long)items * (chunk + 1) / chunks), chunk));
    }

    /// <summary>
    /// Per (row, kv head): scores [G, len] = Q·Kᵀ over the G query heads sharing the kv head, softmax per head, then
    /// out [G, D] = P·V. A decode row is one query against a short cache, far too small for the packed GEMM (its packing
    /// cost more than the products), so both products are direct vector loops; each output is one fused multiply-add
    /// chain in ascending order of its own row's data, so a row's result does not depend on its neighbours.
    /// </summary>
    private void AttendItems(int layer, int start, int end, int chunk)
    {
        int h = _config.NumHeads, hkv = _config.NumKeyValueHeads, d = _config.HeadDim, s = _config.QkvSize;
        int group = h / hkv;
        float scale = 1f / MathF.Sqrt(d);
        float* scores = Ptr(_scores) + (long)chunk * group * MaxLength;
        float* keys = Ptr(_keys), values = Ptr(_values), qkv = Ptr(_qkv), attention = Ptr(_attention);
        for (int item = start; item < end; item++)
        {
            int r = item / hkv;
            int kh = item % hkv;
            int length = _rowPosition[r] + 1;
            long cacheAt = CacheOffset(layer, _rowSlot[r], kh);
            float* queries = qkv + (long)r * s + kh * group * d;
            for (int g = 0; g < group; g++)
            {
                float* row = scores + (long)g * length;
                RowTimesMatrix(row, queries + (long)g * d, keys + cacheAt, d, length, MaxLength);
                var span = new Span<float>(row, length);
                TensorPrimitives.Multiply(span, scale, span);
                TensorPrimitives.SoftMax(span, span);
                RowTimesMatrix(attention + ((long)r * h + kh * group + g) * d, row, values + cacheAt, length, d, d);
            }
        }
    }

    /// <summary>
    /// y[c] = Σ_r x[r]·m[r·stride + c] for c &lt; cols, summed over r ascending: one row vector times a row-major matrix.
    /// Serves both q·Kᵀ (keys cached transposed: D rows of MaxLength stride) and p·V (values cached [len, D]); the fixed
    /// order keeps a sequence's result independent of the batch it decodes in.
    /// </summary>
    private static void RowTimesMatrix(float* y, float* x, float* m, int rows, int cols, int stride)
    {
        int w = Vector<float>.Count;
        int c = 0;
        for (; c + 4 * w <= cols; c += 4 * w)
        {
            Vector<float> a0 = Vector<float>.Zero, a1 = Vector<float>.Zero, a2 = Vector<float>.Zero, a3 = Vector<float>.Zero;
            for (int r = 0; r < rows; r++)
            {
                var xr = new Vector<float>(x[r]);
                float* row = m + (long)r * stride + c;
                a0 = Vector.FusedMultiplyAdd(xr, Vector.Load(row), a0);
                a1 = Vector.FusedMultiplyAdd(xr, Vector.Load(row + w), a1);
                a2 = Vector.FusedMultiplyAdd(xr, Vector.Load(row + 2 * w), a2);
                a3 = Vector.FusedMultiplyAdd(xr, Vector.Load(row + 3 * w), a3);
            }

            a0.Store(y + c);
            a1.Store(y + c + w);
            a2.Store(y + c + 2 * w);
            a3.Store(y + c + 3 * w);
        }

        for (; c + w <= cols; c += w)
        {
            Vector<float> a = Vector<float>.Zero;
            for (int r = 0; r < rows; r++)
            {
                a = Vector.FusedMultiplyAdd(new Vector<float>(x[r]), Vector.Load(m + (long)r * stride + c), a);
            }

            a.Store(y + c);
        }

        for (; c < cols; c++)
        {
            float a = 0f;
            for (int r = 0; r < rows; r++)
            {
                a = MathF.FusedMultiplyAdd(x[r], m[(long)r * stride + c], a);
            }

            y[c] = a;
        }
    }

    private long CacheOffset(int layer, int slot, int kvHead) =>
        (((long)layer * Slots + slot) * _config.NumKeyValueHeads + kvHead) * MaxLength * _config.HeadDim;

    private static float[] Pinned(int length) => GC.AllocateArray<float>(length, pinned: true);

    private static float* Ptr(float[] array) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
}

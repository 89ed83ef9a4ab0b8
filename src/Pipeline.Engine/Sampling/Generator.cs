// Batched generation: prefill every prompt into a key/value cache, then one token per step for each unfinished
// sequence, drawing from softmax(z / τ) with optional top-k / top-p and recording the statistics of that distribution.
// Sequence i of a call draws from the random stream of (seed, firstSequenceIndex + i) and its logits do not depend on
// the other sequences or the thread count, so any sequence re-generated alone or in another batch comes out identical.
using Pipeline.Engine.Inference;
using Pipeline.Engine.Model;
using Pipeline.Engine.Training;

namespace Pipeline.Engine.Sampling;

/// <summary>Samples continuations of prompts from a <see cref="LlamaModel"/>. Not thread-safe; reuses its buffers.</summary>
public sealed class Generator
{
    // Prompt rows per prefill pass beyond the batch size: big enough for efficient products, small enough for memory.
    private const int PrefillRows = 1024;

    private readonly LlamaModel _model;
    private readonly TokenSampler _sampler;
    private readonly float[] _statisticsScratch;
    private KvCacheDecoder? _decoder;
    private float[] _slotLogits = [];

    /// <summary>A generator over <paramref name="model"/>'s current weights (later weight updates are seen).</summary>
    public Generator(LlamaModel model)
    {
        _model = model;
        _sampler = new TokenSampler(model.Config.VocabSize);
        _statisticsScratch = new float[model.Config.VocabSize];
    }

    /// <summary>
    /// Upper bound on threads of the decoder's attention loop (matrix products follow <c>Gemm.MaxThreads</c>); results
    /// do not depend on either.
    /// </summary>
    public int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Generates one continuation per prompt; prompt i uses the random stream of sequence
    /// <paramref name="firstSequenceIndex"/> + i. Prompts must be non-empty and fit, with the new tokens, in
    /// max_position_embeddings (the last new token is not fed back, so prompt + new − 1 positions).
    /// </summary>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, long firstSequenceIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxThreads);
        int vocab = _model.Config.VocabSize;
        options.Validate(vocab);
        SamplingOptions.ValidatePrompts(prompts, vocab);

        var results = new List<GeneratedSequence>(prompts.Count);
        for (int start = 0; start < prompts.Count; start += options.MaxBatchSize)
        {
            int count = Math.Min(options.MaxBatchSize, prompts.Count - start);
            GenerateBatch(prompts, start, count, options, firstSequenceIndex + start, results);
        }

        return results;
    }

    private void GenerateBatch(IReadOnlyList<int[]> prompts, int first, int count, SamplingOptions options, long firstIndex,
        List<GeneratedSequence> results)
    {
        int vocab = _model.Config.VocabSize;
        int longest = 0, promptRows = 0;
        for (int i = 0; i < count; i++)
        {
            longest = Math.Max(longest, prompts[first + i].Length);
            promptRows += prompts[first + i].Length;
        }

        // The last new token is never fed back, so the cache holds at most longest + MaxNewTokens − 1 positions.
        KvCacheDecoder decoder = Decoder(count, longest + options.MaxNewTokens - 1, Math.Max(count, Math.Min(promptRows, PrefillRows)));
        if (_slotLogits.Length < count * vocab)
        {
            _slotLogits = new float[count * vocab];
        }

        var tokens = new int[count][];
        var statistics = new TokenStatistics[count][];
        var policyLogProbs = new float[count][];
        var lengths = new int[count];
        var reasons = new FinishReason[count];
        var streams = new SeededRandom[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = new int[options.MaxNewTokens];
            statistics[i] = new TokenStatistics[options.MaxNewTokens];
            policyLogProbs[i] = new float[options.MaxNewTokens];
            reasons[i] = FinishReason.Length;
            streams[i] = TokenSampler.StreamFor(options.Seed, firstIndex + i);
        }

        Prefill(decoder, prompts, first, count);

        var active = new int[count];
        for (int i = 0; i < count; i++)
        {
            active[i] = i;
        }

        int activeCount = count;
        var rowSlots = new int[count];
        var rowPositions = new int[count];
        var rowTokens = new int[count];
        var outputRows = new int[count];
        float statisticsTemperature = options.Temperature == 0f ? 1f : options.Temperature;
        while (activeCount > 0)
        {
            int kept = 0;
            for (int a = 0; a < activeCount; a++)
            {
                int slot = active[a];
                ReadOnlySpan<float> logits = _slotLogits.AsSpan(slot * vocab, vocab);
                int token = _sampler.Next(logits, options, streams[slot]);
                int n = lengths[slot]++;
                tokens[slot][n] = token;
                statistics[slot][n] = TokenStatistics.Compute(logits, statisticsTemperature, token, _statisticsScratch);
                policyLogProbs[slot][n] = statisticsTemperature == 1f ? statistics[slot][n].LogProb : TokenStatistics.LogProbability(logits, token);
                if (Contains(options.StopTokens, token))
                {
                    reasons[slot] = FinishReason.Stop;
                }
                else if (n + 1 < options.MaxNewTokens)
                {
                    active[kept++] = slot;
                }
            }

            activeCount = kept;
            if (activeCount == 0)
            {
                break;
            }

            for (int a = 0; a < activeCount; a++)
            {
                int slot = active[a];
                rowSlots[a] = slot;
                rowPositions[a] = prompts[first + slot].Length + lengths[slot] - 1;
                rowTokens[a] = tokens[slot][lengths[slot] - 1];
                outputRows[a] = a;
            }

            decoder.Run(rowSlots.AsSpan(0, activeCount), rowPositions.AsSpan(0, activeCount), rowTokens.AsSpan(0, activeCount),
                outputRows.AsSpan(0, activeCount));
            for (int a = 0; a < activeCount; a++)
            {
                decoder.Logits(a).CopyTo(_slotLogits.AsSpan(active[a] * vocab, vocab));
            }
        }

        for (int i = 0; i < count; i++)
        {
            results.Add(new GeneratedSequence(firstIndex + i, tokens[i][..lengths[i]], statistics[i][..lengths[i]], policyLogProbs[i][..lengths[i]], reasons[i]));
        }
    }

    /// <summary>Runs every prompt token through the cache in passes of at most MaxRows rows; keeps each slot's last logits.</summary>
    private void Prefill(KvCacheDecoder decoder, IReadOnlyList<int[]> prompts, int first, int count)
    {
        int vocab = _model.Config.VocabSize;
        var slots = new int[decoder.MaxRows];
        var positions = new int[decoder.MaxRows];
        var tokens = new int[decoder.MaxRows];
        var outputRows = new int[decoder.MaxRows];
        var outputSlots = new int[decoder.MaxRows];
        int rows = 0, outputs = 0;
        for (int slot = 0; slot < count; slot++)
        {
            int[] prompt = prompts[first + slot];
            for (int t = 0; t < prompt.Length; t++)
            {
                slots[rows] = slot;
                positions[rows] = t;
                tokens[rows] = prompt[t];
                if (t == prompt.Length - 1)
                {
                    outputRows[outputs] = rows;
                    outputSlots[outputs++] = slot;
                }

                if (++rows == decoder.MaxRows)
                {
                    Flush();
                }
            }
        }

        if (rows > 0)
        {
            Flush();
        }

        void Flush()
        {
            decoder.Run(slots.AsSpan(0, rows), positions.AsSpan(0, rows), tokens.AsSpan(0, rows), outputRows.AsSpan(0, outputs));
            for (int i = 0; i < outputs; i++)
            {
                decoder.Logits(i).CopyTo(_slotLogits.AsSpan(outputSlots[i] * vocab, vocab));
            }

            rows = 0;
            outputs = 0;
        }
    }

    private KvCacheDecoder Decoder(int slots, int maxLength, int maxRows)
    {
        if (_decoder is null || _decoder.Slots < slots || _decoder.MaxLength < maxLength || _decoder.MaxRows < maxRows)
        {
            _decoder = null;
            _decoder = new KvCacheDecoder(_model, slots, maxLength, maxRows);
        }

        _decoder.MaxThreads = MaxThreads;
        return _decoder;
    }

    private static bool Contains(IReadOnlyList<int> tokens, int token)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] == token)
            {
                return true;
            }
        }

        return false;
    }
}

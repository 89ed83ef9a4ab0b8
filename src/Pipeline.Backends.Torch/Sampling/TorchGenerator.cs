// Batched generation on libtorch with the managed Generator's semantics: every prompt is prefilled into a key/value
// cache (right-padded, each row at its own positions), then one token per step for every row, drawn from softmax(z / τ)
// with optional top-k and top-p, or greedily (argmax, lowest id on ties) at τ = 0; the statistics of that distribution
// are recorded per token with the policy's own log-prob at τ = 1, and a row stops at a stop token (kept) or the length limit. Row i draws its one uniform per
// token from the stream of (seed, firstSequenceIndex + i), so which other prompts share its batch never changes its draws;
// the candidates are ordered by (logit desc, id asc) and the draw is the inverse CDF, as TokenSampler does. Only the
// chosen tokens and their statistics cross to the host each step.
// Shape key: B batch (rows of one call), T prompt length, V vocab, K kept candidates.
using Pipeline.Backends.Torch.Model;
using Pipeline.Engine.Sampling;
using Pipeline.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Backends.Torch.Sampling;

/// <summary>Samples continuations from a <see cref="TorchLlama"/>'s current weights. Not thread-safe.</summary>
internal sealed class TorchGenerator(TorchLlama model)
{
    /// <summary>One continuation per prompt; prompt i uses the random stream of sequence firstSequenceIndex + i.</summary>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, long firstSequenceIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        int vocab = model.Config.VocabSize;
        options.Validate(vocab);
        SamplingOptions.ValidatePrompts(prompts, vocab);
        for (int i = 0; i < prompts.Count; i++)
        {
            int[] prompt = prompts[i];
            // The last new token is never fed back: prompt + new − 1 positions.
            if (prompt.Length + options.MaxNewTokens - 1 > model.Config.MaxPositionEmbeddings)
            {
                throw new ArgumentException(
                    $"Prompt {i} ({prompt.Length} tokens) plus {options.MaxNewTokens} new tokens exceeds max_position_embeddings = {model.Config.MaxPositionEmbeddings}.",
                    nameof(prompts));
            }
        }

        var results = new List<GeneratedSequence>(prompts.Count);
        for (int start = 0; start < prompts.Count; start += options.MaxBatchSize)
        {
            int count = Math.Min(options.MaxBatchSize, prompts.Count - start);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            GenerateBatch(prompts.Skip(start).Take(count).ToList(), options, firstSequenceIndex + start, results);
        }

        return results;
    }

    private void GenerateBatch(List<int[]> prompts, SamplingOptions options, long firstIndex, List<GeneratedSequence> results)
    {
        int count = prompts.Count, vocab = model.Config.VocabSize, maxNew = options.MaxNewTokens;
        int longest = prompts.Max(p => p.Length);
        Device device = model.Device;

        var padded = new long[count * longest];
        var last = new long[count];
        for (int i = 0; i < count; i++)
        {
            for (int t = 0; t < prompts[i].Length; t++)
            {
                padded[i * longest + t] = prompts[i][t];
            }

            last[i] = prompts[i].Length - 1;
        }

        KvCache cache = model.NewCache(count, Math.Max(longest, longest + maxNew - 1));
        Tensor logits = model.Prefill(torch.tensor(padded, [count, longest]).to(device), torch.tensor(last).to(device), cache);

        var tokens = new int[count][];
        var statistics = new TokenStatistics[count][];
        var policyLogProbs = new float[count][];
        var lengths = new int[count];
        var finished = new bool[count];
        var reasons = new FinishReason[count];
        var streams = new SeededRandom[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = new int[maxNew];
            statistics[i] = new TokenStatistics[maxNew];
            policyLogProbs[i] = new float[maxNew];
            reasons[i] = FinishReason.Length;
            streams[i] = new SeededRandom(SeededRandom.DeriveSeed(options.Seed, (ulong)(firstIndex + i)));
        }

        float statisticsTemperature = options.Temperature == 0f ? 1f : options.Temperature;
        // Tensor row r holds sequence rowOf[r]. Finished rows ride along (their draws and outputs ignored; a stopped
        // sequence's stream is never read again) until at most half the rows are still active; then the batch is
        // compacted to those, so early stops stop costing compute. Rows never mix, so this changes no result.
        var rowOf = Enumerable.Range(0, count).ToArray();
        for (int step = 0; ; step++)
        {
            int rows = rowOf.Length;
            var uniforms = new double[rows];
            for (int r = 0; r < rows; r++)
            {
                int i = rowOf[r];
                uniforms[r] = options.Temperature == 0f || finished[i] ? 0.0 : streams[i].NextDouble();
            }

            // Each step's temporaries are freed with the step; only the next logits (and a compacted cache) move out.
            using var stepScope = NewDisposeScope();
            Tensor chosen = Choose(logits, options, uniforms, device);
            TokenStatistics[] stepStatistics = TorchTokenStatistics.Compute(logits, chosen, statisticsTemperature);
            // The policy's own log p(token) at τ = 1 (what updates use); the statistics' log-prob already is it at τ = 1.
            float[]? stepLogProbs = statisticsTemperature == 1f ? null : TorchTokenStatistics.LogProbabilities(logits, chosen);
            long[] chosenIds = chosen.cpu().data<long>().ToArray();
            var active = new List<int>(rows);
            for (int r = 0; r < rows; r++)
            {
                int i = rowOf[r];
                if (finished[i])
                {
                    continue;
                }

                int token = (int)chosenIds[r];
                int n = lengths[i]++;
                tokens[i][n] = token;
                statistics[i][n] = stepStatistics[r];
                policyLogProbs[i][n] = stepLogProbs?[r] ?? stepStatistics[r].LogProb;
                if (options.StopTokens.Contains(token))
                {
                    reasons[i] = FinishReason.Stop;
                    finished[i] = true;
                }
                else if (n + 1 >= maxNew)
                {
                    finished[i] = true;
                }
                else
                {
                    active.Add(r);
                }
            }

            if (active.Count == 0)
            {
                break;
            }

            if (active.Count <= rows / 2)
            {
                Tensor keep = torch.tensor(active.Select(r => (long)r).ToArray()).to(device);
                for (int l = 0; l < cache.Keys.Length; l++)
                {
                    Tensor keys = cache.Keys[l].index_select(0, keep).MoveToOuterDisposeScope();
                    Tensor values = cache.Values[l].index_select(0, keep).MoveToOuterDisposeScope();
                    cache.Keys[l].Dispose();
                    cache.Values[l].Dispose();
                    (cache.Keys[l], cache.Values[l]) = (keys, values);
                }

                chosen = chosen.index_select(0, keep);
                rowOf = active.Select(r => rowOf[r]).ToArray();
            }

            // Token `step` of sequence i sits at position |prompt_i| + step; no row passes the cache's end because the
            // loop ends before any sequence's step reaches maxNew − 1.
            var positions = rowOf.Select(i => (long)(prompts[i].Length + step)).ToArray();
            long span = positions.Max() + 1;
            Tensor next = model.Decode(chosen, torch.tensor(positions).to(device), span, cache).MoveToOuterDisposeScope();
            logits.Dispose();
            logits = next;
        }

        for (int i = 0; i < count; i++)
        {
            results.Add(new GeneratedSequence(firstIndex + i, tokens[i][..lengths[i]], statistics[i][..lengths[i]],
                policyLogProbs[i][..lengths[i]], reasons[i]));
        }
    }

    /// <summary>
    /// The next token [B] (int64) of each row of <paramref name="logits"/> [B, V]: argmax at τ = 0, else the inverse CDF
    /// of the (truncated) softmax(z/τ) at u·Σw with the row's own uniform u.
    /// </summary>
    private static Tensor Choose(Tensor logits, SamplingOptions options, double[] uniforms, Device device)
    {
        if (options.Temperature == 0f)
        {
            // torch.argmax returns the first maximal index: the lowest id on ties, as IndexOfMax does.
            return logits.argmax(-1);
        }

        using var scope = NewDisposeScope();
        long vocab = logits.shape[1];
        Tensor scaled = logits * (1f / options.Temperature);
        Tensor u = torch.tensor(uniforms, ScalarType.Float64).to(device);
        int keep = options.TopK > 0 ? (int)Math.Min(options.TopK, vocab) : (int)vocab;
        if (keep == vocab && options.TopP >= 1f)
        {
            // Whole distribution, in id order: no sort needed.
            Tensor weights = (scaled - scaled.amax([-1], keepdim: true)).exp();
            return Draw(weights, u).MoveToOuterDisposeScope();
        }

        // Candidates by logit descending; a stable sort keeps equal logits in id order (lowest id first).
        (Tensor sorted, Tensor order) = scaled.sort(-1, descending: true, stable: true);
        Tensor kept = sorted.narrow(-1, 0, keep);
        Tensor w = (kept - kept.narrow(-1, 0, 1)).exp();
        if (options.TopP < 1f)
        {
            // The nucleus: the shortest prefix whose mass reaches p of the kept total (never empty).
            Tensor cumulative = w.cumsum(-1, ScalarType.Float64);
            Tensor threshold = cumulative.narrow(-1, keep - 1, 1) * (double)options.TopP;
            Tensor nucleus = (cumulative.lt(threshold).sum(-1, keepdim: true) + 1).clamp_max(keep);
            Tensor beyond = arange(keep, ScalarType.Int64, device).view(1, keep).ge(nucleus);
            w = w.masked_fill(beyond, 0.0);
        }

        Tensor index = Draw(w, u);
        return order.gather(-1, index.view(-1, 1)).view(-1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per row, the first index whose running weight sum (in float64, index order) exceeds u·Σw; when rounding leaves the
    /// target at the very top, the last index with any weight.
    /// </summary>
    private static Tensor Draw(Tensor weights, Tensor u)
    {
        long width = weights.shape[1];
        Tensor cumulative = weights.cumsum(-1, ScalarType.Float64);
        Tensor target = u.view(-1, 1) * cumulative.narrow(-1, width - 1, 1);
        Tensor index = cumulative.le(target).sum(-1);
        Tensor lastPositive = (width - 1) - weights.gt(0).flip([-1]).to(ScalarType.Int64).argmax(-1);
        return torch.where(index.ge(width), lastPositive, index);
    }
}

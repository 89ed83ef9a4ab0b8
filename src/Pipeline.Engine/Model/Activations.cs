// Everything the forward keeps for the backward, plus backward scratch, sized for one (B, T) and reused across steps.
// Buffers are pinned (the layer kernels take raw pointers) and grow only when a larger B·T or T arrives, because first
// touch of fresh memory is costly. Shape key as in LlamaModel.cs.
namespace Pipeline.Engine.Model;

/// <summary>Per-layer saved activations.</summary>
internal sealed class LayerActivations
{
    public float[] Normed1 = [];       // [N, C] input_layernorm output
    public float[] Rstd1 = [];         // [N]
    public float[] Qkv = [];           // [N, S] after RoPE
    public float[] AttentionLse = [];  // [B, H, T] log-sum-exp of each score row
    public float[] AttnOut = [];       // [N, H·D]
    public float[] Mid = [];           // [N, C] residual after attention
    public float[] Normed2 = [];       // [N, C] post_attention_layernorm output
    public float[] Rstd2 = [];         // [N]
    public float[] GateUp = [];        // [N, 2F]
}

internal sealed class Activations
{
    private readonly ModelConfig _config;
    private int _rows;
    private int _attentionScratch;

    public Activations(ModelConfig config)
    {
        _config = config;
        Layers = Enumerable.Range(0, config.NumLayers).Select(_ => new LayerActivations()).ToArray();
        Residual = new float[config.NumLayers + 1][];
        Array.Fill(Residual, []);
    }

    public LayerActivations[] Layers { get; }

    public float[][] Residual { get; }          // L+1 × [N, C]: the stream entering each layer, then the final one

    public float[] FinalNormed { get; private set; } = [];   // [N, C]

    public float[] FinalRstd { get; private set; } = [];     // [N]

    public float[] Logits { get; private set; } = [];        // [N, V]; dlogits in place during the backward

    public float[] Lse { get; private set; } = [];           // [N] log-sum-exp per row

    public int[] Tokens { get; private set; } = [];

    public int[] Targets { get; private set; } = [];

    public float[] DLogProbs { get; private set; } = [];

    public float[] Hidden { get; private set; } = [];        // [N, F] silu(g)·u, recomputed in the backward

    public float[] DHidden { get; private set; } = [];       // [N, F]

    public float[] DGateUp { get; private set; } = [];       // [N, 2F]

    public float[] DNormed { get; private set; } = [];       // [N, C]

    public float[] DResidual { get; private set; } = [];     // [N, C]

    public float[] DAttnOut { get; private set; } = [];      // [N, H·D]

    public float[] DQkv { get; private set; } = [];          // [N, S]

    public float[] AttentionScratch { get; private set; } = []; // Attention.ScratchSize floats

    public void Ensure(int batch, int time)
    {
        ModelConfig cfg = _config;
        int n = batch * time;
        int c = cfg.HiddenSize, f = cfg.IntermediateSize, s = cfg.QkvSize, hd = cfg.NumHeads * cfg.HeadDim;
        int attentionScratch = checked((int)Pipeline.Engine.Layers.Attention.ScratchSize(batch, time, cfg.NumHeads, cfg.NumKeyValueHeads));
        if (n > _rows)
        {
            _rows = n;
            for (int l = 0; l < cfg.NumLayers; l++)
            {
                LayerActivations la = Layers[l];
                la.Normed1 = New(n * c);
                la.Rstd1 = New(n);
                la.Qkv = New(n * s);
                la.AttnOut = New(n * hd);
                la.Mid = New(n * c);
                la.Normed2 = New(n * c);
                la.Rstd2 = New(n);
                la.GateUp = New(n * 2 * f);
                la.AttentionLse = New(n * cfg.NumHeads);
            }

            for (int l = 0; l <= cfg.NumLayers; l++)
            {
                Residual[l] = New(n * c);
            }

            FinalNormed = New(n * c);
            FinalRstd = New(n);
            Logits = New(checked(n * cfg.VocabSize));
            Lse = New(n);
            Tokens = GC.AllocateArray<int>(n, pinned: true);
            Targets = GC.AllocateArray<int>(n, pinned: true);
            DLogProbs = New(n);
            Hidden = New(n * f);
            DHidden = New(n * f);
            DGateUp = New(n * 2 * f);
            DNormed = New(n * c);
            DResidual = New(n * c);
            DAttnOut = New(n * hd);
            DQkv = New(n * s);
        }

        if (attentionScratch > _attentionScratch)
        {
            _attentionScratch = attentionScratch;
            AttentionScratch = New(attentionScratch);
        }
    }

    private static float[] New(int length) => GC.AllocateUninitializedArray<float>(length, pinned: true);
}

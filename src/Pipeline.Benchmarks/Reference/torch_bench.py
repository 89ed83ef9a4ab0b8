#!/usr/bin/python3
"""PyTorch speed reference for `pipeline bench engine`: the engine's figures are printed as ratios to these.

For each reference configuration (small, medium) this measures, in a fresh process so peak memory is per config:
  - training tokens/s: forward, cross-entropy, backward and an AdamW step on batch x seq random tokens;
  - generation tokens/s: batch 64, prompt 32, 64 new tokens sampled from softmax(logits), with a preallocated KV cache
    (new tokens divided by the whole call, prefill included);
  - peak RSS (VmHWM) after training, and the parameter count (the tied head counted once).
Times are medians over several steps after warm-up. Prints one JSON object per configuration, one per line.

The model is tests/reference/torch_llama.py's LlamaForCausalLM (HF Llama conventions: RMSNorm, rotate_half RoPE,
SwiGLU, tied embeddings, no biases); the KV-cache decode step below reuses its layers and RoPE helpers.
Run with /usr/bin/python3 (Debian's torch 1.13, OpenMP OpenBLAS); stdlib + torch only.
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_llama import LlamaConfig, LlamaForCausalLM, rope_cos_sin, rotate_half  # noqa: E402

CONFIGS = {
    "small": dict(vocab=64, d=128, layers=4, heads=4, ffn=344, seq=128, batch=32),
    "medium": dict(vocab=512, d=256, layers=6, heads=8, ffn=688, seq=256, batch=16),
}
GENERATION = dict(batch=64, prompt=32, new_tokens=64)


def build(spec, seed):
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=spec["vocab"], hidden_size=spec["d"], intermediate_size=spec["ffn"],
                      num_hidden_layers=spec["layers"], num_attention_heads=spec["heads"],
                      max_position_embeddings=max(spec["seq"], GENERATION["prompt"] + GENERATION["new_tokens"]),
                      tie_word_embeddings=True, attention_bias=False)
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not name.endswith("norm.weight"):
                p.normal_(0.0, 0.02)
    return model


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def train_steps(model, spec, warmup, steps):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1, foreach=True)
    generator = torch.Generator().manual_seed(7)
    b, t, v = spec["batch"], spec["seq"], spec["vocab"]
    times = []
    for step in range(warmup + steps):
        tokens = torch.randint(0, v, (b, t + 1), generator=generator)
        start = time.perf_counter()
        logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, v), tokens[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= warmup:
            times.append(elapsed)
    return times


class KvCache:
    """Per-layer key and value buffers [batch, heads, max_len, head_dim], filled in place."""

    def __init__(self, cfg, batch, max_len):
        shape = (batch, cfg.num_key_value_heads, max_len, cfg.head_dim)
        self.keys = [torch.zeros(shape) for _ in range(cfg.num_hidden_layers)]
        self.values = [torch.zeros(shape) for _ in range(cfg.num_hidden_layers)]


def decode(model, tokens, cache, position, cos_table, sin_table):
    """Runs tokens [b, t] at positions position..position+t-1 against the cache; returns last-position logits."""
    cfg = model.cfg
    b, t = tokens.shape
    d, heads = cfg.head_dim, cfg.num_attention_heads
    end = position + t
    cos, sin = cos_table[position:end], sin_table[position:end]
    mask = torch.full((t, end), float("-inf")).triu(position + 1) if t > 1 else None
    x = model.model.embed_tokens(tokens)
    for index, layer in enumerate(model.model.layers):
        attn = layer.self_attn
        h = layer.input_layernorm(x)
        q = attn.q_proj(h).view(b, t, heads, d).transpose(1, 2)
        k = attn.k_proj(h).view(b, t, cfg.num_key_value_heads, d).transpose(1, 2)
        v = attn.v_proj(h).view(b, t, cfg.num_key_value_heads, d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        cache.keys[index][:, :, position:end] = k
        cache.values[index][:, :, position:end] = v
        keys, values = cache.keys[index][:, :, :end], cache.values[index][:, :, :end]
        scores = q @ keys.transpose(2, 3) / math.sqrt(d)
        if mask is not None:
            scores = scores + mask
        out = (F.softmax(scores, dim=-1) @ values).transpose(1, 2).reshape(b, t, heads * d)
        x = x + attn.o_proj(out)
        x = x + layer.mlp(layer.post_attention_layernorm(x))
    return model.lm_head(model.model.norm(x[:, -1]))


@torch.no_grad()
def generate(model, prompt, new_tokens, generator):
    cfg = model.cfg
    b, p = prompt.shape
    cache = KvCache(cfg, b, p + new_tokens)
    cos_table, sin_table = rope_cos_sin(cfg.head_dim, cfg.rope_theta, p + new_tokens)
    logits = decode(model, prompt, cache, 0, cos_table, sin_table)
    produced = []
    for step in range(new_tokens):
        token = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)
        produced.append(token)
        if step + 1 < new_tokens:
            logits = decode(model, token, cache, p + step, cos_table, sin_table)
    return torch.cat(produced, dim=1)


def generation_runs(model, spec, warmup, runs):
    generator = torch.Generator().manual_seed(11)
    g = GENERATION
    times = []
    for run in range(warmup + runs):
        prompt = torch.randint(0, spec["vocab"], (g["batch"], g["prompt"]), generator=generator)
        start = time.perf_counter()
        generate(model, prompt, g["new_tokens"], generator)
        elapsed = time.perf_counter() - start
        if run >= warmup:
            times.append(elapsed)
    return times


def measure(name, threads, train_warmup, train_steps_count, gen_warmup, gen_runs):
    torch.set_num_threads(threads)
    spec = CONFIGS[name]
    model = build(spec, seed=1234)
    params = sum(p.numel() for p in model.parameters())
    step_times = train_steps(model, spec, train_warmup, train_steps_count)
    rss = peak_rss_mb()
    model.eval()
    gen_times = generation_runs(model, spec, gen_warmup, gen_runs)
    step = statistics.median(step_times)
    gen = statistics.median(gen_times)
    g = GENERATION
    return {
        "config": name,
        **spec,
        "params": params,
        "threads": threads,
        "torch": torch.__version__,
        "train_steps": len(step_times),
        "train_step_ms": step * 1e3,
        "train_tokens_per_s": spec["batch"] * spec["seq"] / step,
        "generation": g,
        "generation_runs": len(gen_times),
        "generation_ms": gen * 1e3,
        "generated_tokens_per_s": g["batch"] * g["new_tokens"] / gen,
        "peak_rss_mb": rss,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(CONFIGS), help="measure one config in this process")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-warmup", type=int, default=3)
    parser.add_argument("--train-steps", type=int, default=10)
    parser.add_argument("--gen-warmup", type=int, default=1)
    parser.add_argument("--gen-runs", type=int, default=5)
    args = parser.parse_args()
    if args.config:
        result = measure(args.config, args.threads, args.train_warmup, args.train_steps, args.gen_warmup, args.gen_runs)
        print(json.dumps(result), flush=True)
        return
    # One fresh process per config, so that peak RSS belongs to that config alone.
    for name in ("small", "medium"):
        command = [sys.executable, os.path.abspath(__file__), "--config", name, "--threads", str(args.threads),
                   "--train-warmup", str(args.train_warmup), "--train-steps", str(args.train_steps),
                   "--gen-warmup", str(args.gen_warmup), "--gen-runs", str(args.gen_runs)]
        completed = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(completed.stdout)
        sys.stdout.flush()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference Llama-style decoder in plain PyTorch, with Hugging Face parameter names and conventions.

Used to check the C# engine against PyTorch (parity) and as the PyTorch side of benchmarks. Importable as a module
(LlamaConfig, LlamaForCausalLM, save_safetensors, load_safetensors, save_model) and runnable as a command-line tool:

    /usr/bin/python3 torch_llama.py parity --out DIR [--seed N] [--tied]

transformers is not needed: the module mirrors HF's LlamaForCausalLM (RMSNorm, rotate_half RoPE, grouped KV heads,
optional q/k/v/o biases, SwiGLU MLP, tied or untied head) closely enough that state_dict names and maths agree.
"""
import argparse
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

_DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
_NAME_DTYPES = {v: k for k, v in _DTYPE_NAMES.items()}
_ELEMENT_SIZE = {"F32": 4, "F16": 2, "BF16": 2}


# ----------------------------------------------------------------------------------------------------------------------
# safetensors, written and read by hand: 8-byte little-endian header length, JSON header, raw little-endian data.

def save_safetensors(path, tensors, dtype=torch.float32):
    """Writes {name: tensor} to path, converting every tensor to dtype (F32, F16 or BF16)."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        t = tensor.detach().to(dtype).contiguous().cpu()
        raw = t.view(torch.int16).numpy().tobytes() if dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": _DTYPE_NAMES[dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in blobs:
            f.write(raw)


def load_safetensors(path):
    """Reads a safetensors file into {name: float32 tensor}."""
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    result = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = _NAME_DTYPES[entry["dtype"]]
        raw = bytearray(data[begin:end])
        if dtype == torch.bfloat16:
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(raw, dtype=dtype)
        result[name] = t.reshape(entry["shape"]).float().clone()
    return result


# ----------------------------------------------------------------------------------------------------------------------
# The model.

class LlamaConfig:
    """The HF config.json fields the model uses."""

    def __init__(self, vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
                 num_key_value_heads=None, rms_norm_eps=1e-5, rope_theta=10000.0, max_position_embeddings=2048,
                 tie_word_embeddings=True, attention_bias=False, architecture="LlamaForCausalLM", head_dim=None):
        self.vocab_size = vocab_size
        self.hidden_size = hidden_size
        self.intermediate_size = intermediate_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.num_key_value_heads = num_key_value_heads or num_attention_heads
        self.head_dim = head_dim or hidden_size // num_attention_heads
        self.rms_norm_eps = rms_norm_eps
        self.rope_theta = rope_theta
        self.max_position_embeddings = max_position_embeddings
        self.tie_word_embeddings = tie_word_embeddings
        self.attention_bias = attention_bias
        self.architecture = architecture

    @property
    def qkv_bias(self):
        return self.architecture == "Qwen2ForCausalLM" or self.attention_bias

    @property
    def o_bias(self):
        return self.architecture == "LlamaForCausalLM" and self.attention_bias

    def to_dict(self):
        return {
            "architectures": [self.architecture],
            "model_type": "qwen2" if self.architecture == "Qwen2ForCausalLM" else "llama",
            "hidden_act": "silu",
            "vocab_size": self.vocab_size,
            "hidden_size": self.hidden_size,
            "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "head_dim": self.head_dim,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_theta": self.rope_theta,
            "max_position_embeddings": self.max_position_embeddings,
            "tie_word_embeddings": self.tie_word_embeddings,
            "attention_bias": self.attention_bias,
            "torch_dtype": "float32",
        }


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_cos_sin(head_dim, theta, length):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
    freqs = torch.outer(torch.arange(length, dtype=torch.float32), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        d = cfg.head_dim
        self.q_proj = nn.Linear(cfg.hidden_size, cfg.num_attention_heads * d, bias=cfg.qkv_bias)
        self.k_proj = nn.Linear(cfg.hidden_size, cfg.num_key_value_heads * d, bias=cfg.qkv_bias)
        self.v_proj = nn.Linear(cfg.hidden_size, cfg.num_key_value_heads * d, bias=cfg.qkv_bias)
        self.o_proj = nn.Linear(cfg.num_attention_heads * d, cfg.hidden_size, bias=cfg.o_bias)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        cfg = self.cfg
        d = cfg.head_dim
        q = self.q_proj(x).view(b, t, cfg.num_attention_heads, d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, cfg.num_key_value_heads, d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, cfg.num_key_value_heads, d).transpose(1, 2)
        if cos is not None:
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        group = cfg.num_attention_heads // cfg.num_key_value_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        scores = q @ k.transpose(2, 3) / math.sqrt(d)
        mask = torch.full((t, t), float("-inf")).triu(1)
        probs = F.softmax(scores + mask, dim=-1)
        out = (probs @ v).transpose(1, 2).reshape(b, t, cfg.num_attention_heads * d)
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class LlamaForCausalLM(nn.Module):
    """HF-compatible Llama: state_dict() names match model.safetensors of an HF checkpoint."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Decoder(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight

    def forward(self, tokens):
        t = tokens.shape[1]
        cos, sin = rope_cos_sin(self.cfg.head_dim, self.cfg.rope_theta, t)
        x = self.model.embed_tokens(tokens)
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        return self.lm_head(self.model.norm(x))

    def hf_state_dict(self):
        """Parameters by HF name; the tied head is omitted, as HF does."""
        state = {name: p for name, p in self.named_parameters()}
        if self.cfg.tie_word_embeddings:
            state.pop("lm_head.weight", None)
        return state


def save_model(model, directory, dtype=torch.float32):
    """Writes config.json and model.safetensors (weights converted to dtype) into directory."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(model.cfg.to_dict(), f, indent=2)
    save_safetensors(os.path.join(directory, "model.safetensors"), model.hf_state_dict(), dtype)


def randomize(model, generator):
    """Weights large enough that logits vary well beyond float rounding: a sharper test than the 0.02 init."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=generator))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=generator))
            elif name == "model.embed_tokens.weight":
                p.copy_(torch.randn(p.shape, generator=generator))
            else:
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(p.shape[1]))


def gathered_log_probs(logits, targets):
    """log softmax(logits)[target] per position, 0 where the target is negative."""
    logp = F.log_softmax(logits, dim=-1)
    safe = targets.clamp(min=0)
    gathered = logp.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    return torch.where(targets >= 0, gathered, torch.zeros_like(gathered))


# ----------------------------------------------------------------------------------------------------------------------
# Command line.

def parity(args):
    """Builds a random tiny model, saves it (F32, F16, BF16), and dumps logits, gradients and one AdamW step."""
    torch.set_num_threads(2)
    generator = torch.Generator().manual_seed(args.seed)
    cfg = LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=10000.0, max_position_embeddings=64,
                      tie_word_embeddings=args.tied, attention_bias=True)
    model = LlamaForCausalLM(cfg)
    randomize(model, generator)
    save_model(model, os.path.join(args.out, "model"))
    save_model(model, os.path.join(args.out, "model_f16"), torch.float16)
    save_model(model, os.path.join(args.out, "model_bf16"), torch.bfloat16)

    b, t = 2, 20  # T spans more than one 16-row attention block of the engine
    tokens = torch.randint(0, cfg.vocab_size, (b, t), generator=generator)
    targets = torch.randint(0, cfg.vocab_size, (b, t), generator=generator)
    targets[0, :3] = -1
    targets[1, -1] = -1
    weights = torch.randn((b, t), generator=generator)
    lr, betas, eps, weight_decay = 1e-2, (0.9, 0.95), 1e-8, 0.1

    expected = {}
    for suffix, dtype in (("f16", torch.float16), ("bf16", torch.bfloat16)):
        rounded = LlamaForCausalLM(cfg)
        with torch.no_grad():
            for (_, p), (_, q) in zip(rounded.named_parameters(), model.named_parameters()):
                p.copy_(q.to(dtype).float())
            expected["logits_" + suffix] = rounded(tokens)

    logits = model(tokens)
    logp = gathered_log_probs(logits, targets)
    loss = (weights * logp).sum()
    loss.backward()
    expected["logits"] = logits
    expected["logprobs"] = logp
    expected["loss"] = loss.reshape(1)
    for name, p in model.hf_state_dict().items():
        expected["grad." + name] = p.grad
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    optimizer.step()
    for name, p in model.hf_state_dict().items():
        expected["updated." + name] = p
    save_safetensors(os.path.join(args.out, "expected.safetensors"), expected)

    case = {"batch": b, "time": t, "tokens": tokens.flatten().tolist(), "targets": targets.flatten().tolist(),
            "weights": weights.flatten().tolist(), "lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps,
            "weight_decay": weight_decay}
    with open(os.path.join(args.out, "case.json"), "w") as f:
        json.dump(case, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("parity", help="tiny random model plus expected logits, gradients and AdamW step")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--tied", action="store_true", help="tie the LM head to the embedding")
    p.set_defaults(run=parity)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()

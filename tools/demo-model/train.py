#!/usr/bin/env python3
"""Train the Quant Drift demo model: a small Llama-style decoder (RMSNorm, RoPE, GQA, SwiGLU; the
Hugging Face LlamaForCausalLM layout and weight names) on Debian package metadata, byte-level.

The weights are written as safetensors with HF names, so tools/demo-model/export.ts can turn them
into the optimum ONNX layout with the same JS builder the tests use.

Usage: /usr/bin/python3 train.py --data DIR --out DIR [--minutes 25] [--seed 1234]
"""
import argparse
import json
import math
import os
import random
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BYTE_VOCAB = 256
BOS, EOS, PAD = 256, 257, 258  # <s>, </s>, <pad> follow the 256 byte tokens in tokenizer.json
VOCAB = 259

CONFIG = dict(
    vocab_size=VOCAB,
    hidden_size=256,
    intermediate_size=688,
    num_hidden_layers=4,
    num_attention_heads=4,
    num_key_value_heads=2,
    rope_theta=10000.0,
    rms_norm_eps=1e-5,
    max_position_embeddings=512,
    tie_word_embeddings=False,
    bos_token_id=BOS,
    eos_token_id=EOS,
    pad_token_id=PAD,
)


def chat(prompt):
    # Must match tokenizer_config.json's chat_template (export.ts writes it).
    return "<|user|>\n%s\n<|assistant|>\n" % prompt


def encode_sample(prompt, answer):
    return [BOS] + list(chat(prompt).encode()) + list(answer.encode()) + [EOS]


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.kv_heads = c["num_key_value_heads"]
        self.head_dim = c["hidden_size"] // self.heads
        h = c["hidden_size"]
        self.q_proj = nn.Linear(h, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, h, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        repeat = self.heads // self.kv_heads
        k = k.repeat_interleave(repeat, dim=1)
        v = v.repeat_interleave(repeat, dim=1)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim) + mask
        out = F.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Inner(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = Inner(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        head_dim = c["hidden_size"] // c["num_attention_heads"]
        inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, head_dim, 2).float() / head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)

    def forward(self, ids):
        b, t = ids.shape
        pos = torch.arange(t, dtype=torch.float32)
        freqs = torch.outer(pos, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        mask = torch.full((t, t), float("-inf")).triu(1)[None, None]
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.model.norm(x))


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().float().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


@torch.no_grad()
def greedy(model, prompt, max_new=220):
    ids = [BOS] + list(chat(prompt).encode())
    out = []
    for _ in range(max_new):
        logits = model(torch.tensor([ids[-CONFIG["max_position_embeddings"]:]]))[0, -1]
        nxt = int(logits.argmax())
        if nxt == EOS:
            break
        out.append(nxt)
        ids.append(nxt)
    return bytes(t for t in out if t < 256).decode("utf-8", "replace")


def evaluate(model, heldout, count):
    model.eval()
    valid = keys = 0
    rows = [r for r in heldout if r["task"] == "json"][:count]
    for row in rows:
        text = greedy(model, row["prompt"])
        try:
            value = json.loads(text)
            valid += 1
            if isinstance(value, dict) and list(value.keys()) == list(json.loads(row["answer"]).keys()):
                keys += 1
        except ValueError:
            pass
    model.train()
    return valid / max(1, len(rows)), keys / max(1, len(rows))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=25)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--context", type=int, default=320)
    p.add_argument("--batch", type=int, default=24)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--eval", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    rows = [json.loads(line) for line in open(os.path.join(args.data, "train.jsonl"))]
    heldout = [json.loads(line) for line in open(os.path.join(args.data, "heldout.jsonl"))]
    random.shuffle(rows)
    stream, starts = [], []
    for row in rows:
        starts.append(len(stream))
        stream.extend(encode_sample(row["prompt"], row["answer"]))
    stream = torch.tensor(stream, dtype=torch.long)
    print("train samples %d, tokens %d" % (len(rows), len(stream)), flush=True)

    model = LlamaForCausalLM(CONFIG)
    params = sum(p.numel() for p in model.parameters())
    print("parameters %d" % params, flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    budget = args.minutes * 60
    started = time.time()
    step, tokens, ema = 0, 0, None
    max_start = len(stream) - args.context - 2
    valid_starts = [s for s in starts if s < max_start]
    while True:
        elapsed = time.time() - started
        if elapsed > budget:
            break
        progress = elapsed / budget
        lr = args.lr * min(1.0, (step + 1) / 200) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for group in opt.param_groups:
            group["lr"] = lr
        batch_starts = random.sample(valid_starts, args.batch)
        chunk = torch.stack([stream[s:s + args.context + 1] for s in batch_starts])
        logits = model(chunk[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), chunk[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens += chunk.numel()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 50 == 0:
            print("step %d  %.0fs  loss %.4f  lr %.2e  %.0f tok/s" % (step, elapsed, ema, lr, tokens / max(1, elapsed)),
                  flush=True)
        if step % 500 == 0:
            save_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict())
    save_safetensors(os.path.join(args.out, "model.safetensors"), model.state_dict())
    # Greedy decoding without a KV cache is slow in this script; the real held-out check runs through
    # `quant-drift compare` on the exported ONNX model. --eval N gives a quick torch-side sanity check.
    json_valid, keys_ok = evaluate(model, heldout, args.eval) if args.eval > 0 else (None, None)
    summary = {
        "seed": args.seed, "steps": step, "tokens": tokens, "seconds": round(time.time() - started),
        "final_loss_ema": round(ema, 4), "parameters": params, "heldout_json_valid": json_valid,
        "heldout_keys_in_order": keys_ok, "config": CONFIG, "context": args.context, "batch": args.batch,
        "torch": torch.__version__,
    }
    json.dump(summary, open(os.path.join(args.out, "training-summary.json"), "w"), indent=2)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()

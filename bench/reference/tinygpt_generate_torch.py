#!/usr/bin/env python3
"""Reference: KV-cached generation with the lab's tiny GPT in PyTorch on the CPU (a generate()-style loop).

Model: vocab 4096, d_model 128, 2 layers, 4 heads, learned positions over a context of 128, tied embeddings,
pre-LayerNorm, ReLU MLP (4x), random weights. A batch of prompts of 64 tokens is read once (the prefill), then
64 new tokens are sampled one step at a time with the keys and values of earlier positions cached, as
Hugging Face's generate(use_cache=True) does. Needs Debian's python3-torch.
Prints per-repeat figures, then a final line `tokens/s N` (new tokens per second, the median).
Usage: tinygpt_generate_torch.py [--threads N] [--batch N] [--repeats N] [--no-cache]
"""
import argparse, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--prompt", type=int, default=64)
ap.add_argument("--new", type=int, default=64)
ap.add_argument("--repeats", type=int, default=3)
ap.add_argument("--no-cache", action="store_true")
a = ap.parse_args()
torch.manual_seed(0)
torch.set_num_threads(a.threads)
V, D, L, H, C = 4096, 128, 2, 4, 128
dh = D // H


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv = nn.Linear(D, 3 * D, bias=False)
        self.proj = nn.Linear(D, D, bias=False)
        self.fc, self.fc2 = nn.Linear(D, 4 * D, bias=False), nn.Linear(4 * D, D, bias=False)

    def forward(self, x, past):
        B, T, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        att = (q @ k.transpose(-1, -2)) / dh**0.5
        if T > 1:
            S = k.shape[2]
            mask = torch.ones(T, S, dtype=torch.bool).triu(S - T + 1)
            att = att.masked_fill(mask, float("-inf"))
        y = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        return x + self.fc2(F.relu(self.fc(self.ln2(x)))), (k, v)


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(V, D)
        self.wpe = nn.Parameter(torch.randn(C, D) * 0.02)
        self.blocks = nn.ModuleList([Block() for _ in range(L)])
        self.lnf = nn.LayerNorm(D)

    def forward(self, ids, start, past):
        x = self.wte(ids) + self.wpe[start : start + ids.shape[1]]
        new = []
        for i, b in enumerate(self.blocks):
            x, kv = b(x, past[i] if past else None)
            new.append(kv)
        return self.lnf(x[:, -1]) @ self.wte.weight.T, new


model = GPT().eval()


@torch.no_grad()
def generate(prompts):
    ids = prompts
    logits, past = model(ids, 0, None)
    for t in range(a.new):
        nxt = torch.multinomial(logits.softmax(-1), 1)
        ids = torch.cat([ids, nxt], 1)
        if t + 1 == a.new:
            break
        if a.no_cache:
            logits, _ = model(ids, 0, None)
        else:
            logits, past = model(nxt, ids.shape[1] - 1, past)
    return ids


prompts = torch.randint(0, V, (a.batch, a.prompt))
generate(prompts)
rates = []
for r in range(a.repeats):
    t = time.perf_counter()
    generate(prompts)
    rates.append(a.batch * a.new / (time.perf_counter() - t))
    print(f"repeat {r}: {rates[-1]:.0f} tokens/s")
print(f"tokens/s {statistics.median(rates):.0f}")

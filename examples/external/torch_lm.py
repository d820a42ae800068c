#!/usr/bin/env python3
"""A small PyTorch transformer language model for collapse-lab's `external` family (protocol version 1).

A GPT: token and learned position embeddings, pre-LayerNorm blocks of causal self-attention and a ReLU MLP,
tied output embeddings, and a begin-of-sequence token (id = vocabSize) so every token of a sequence, the first
included, has a probability. Trained with AdamW on the lab's blocks, every block [BOS] + block.

Options (family.trainer in the config): dModel 64, layers 2, heads 4, context 144, epochs 2, batchSize 32,
learningRate 3e-3, weightDecay 0.01, threads 1 (CPU threads; results are bit-for-bit repeatable on the CPU
with a fixed thread count), device "cpu" (or "cuda").

Run it through the lab: family { type: external, command: [python3, examples/external/torch_lm.py] }.
"""
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from collapse_protocol import TorchModuleTrainer, read_sequences, serve, write_array  # first: it says so clearly when torch is missing
import torch
import torch.nn as nn
import torch.nn.functional as F


DEFAULTS = {
    "dModel": 64,
    "layers": 2,
    "heads": 4,
    "context": 144,
    "epochs": 2,
    "batchSize": 32,
    "learningRate": 3e-3,
    "weightDecay": 0.01,
    "threads": 1,
    "device": "cpu",
}


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.fc, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, cache=None):
        """x: [B, T, d]. With a cache (a dict), keys and values of earlier positions are kept and reused."""
        B, T, D = x.shape
        H = self.heads
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, H, D // H).permute(2, 0, 3, 1, 4)
        past = 0
        if cache is not None:
            if "k" in cache:
                past = cache["k"].shape[2]
                k = torch.cat([cache["k"], k], 2)
                v = torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D // H)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool, device=x.device).triu(past + 1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + self.fc2(F.relu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, o):
        super().__init__()
        self.context = o["context"]
        self.wte = nn.Embedding(vocab + 1, o["dModel"])  # + BOS
        self.wpe = nn.Embedding(o["context"], o["dModel"])
        self.blocks = nn.ModuleList([Block(o["dModel"], o["heads"]) for _ in range(o["layers"])])
        self.lnf = nn.LayerNorm(o["dModel"])
        self.vocab = vocab
        # GPT-2's initialisation: small embeddings keep the tied output's first logits near uniform.
        for p in (self.wte.weight, self.wpe.weight):
            nn.init.normal_(p, std=0.02)

    def forward(self, ids, caches=None, start=0):
        pos = torch.arange(start, start + ids.shape[1], device=ids.device)
        x = self.wte(ids) + self.wpe(pos)
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        # Tied embeddings; BOS is never predicted.
        return self.lnf(x) @ self.wte.weight[: self.vocab].T


class TorchLm(TorchModuleTrainer):
    name = "torch_lm"
    kinds = ("text",)
    inits = ("scratch", "previous")
    decodings = ("sample", "greedy")

    def hello(self, request):
        self.o = {**DEFAULTS, **request.get("options", {})}
        unknown = set(self.o) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)}; known: {sorted(DEFAULTS)}")
        torch.set_num_threads(int(self.o["threads"]))
        self.device = torch.device(self.o["device"])
        self.vocab = int(request["vocabSize"])
        self.models = {}

    def _new(self, seed):
        torch.manual_seed(seed)
        return GPT(self.vocab, self.o).to(self.device)

    def fit(self, request):
        seed = int(request["seed"])
        model = self._new(seed)
        if request["init"] == "previous":
            model.load_state_dict(self.models[request["previous"]].state_dict())
        blocks = read_sequences(request["items"])
        bos = torch.full((1,), self.vocab, dtype=torch.long)
        # Blocks of equal length batch together; the lab's blocks are all one length.
        rows = torch.stack([torch.cat([bos, b[: self.o["context"] - 1]]) for b in blocks]).to(self.device)
        opt = torch.optim.AdamW(model.parameters(), lr=self.o["learningRate"], weight_decay=self.o["weightDecay"])
        g = torch.Generator().manual_seed(seed)
        epochs, batch = int(self.o["epochs"]), int(self.o["batchSize"])
        steps = epochs * math.ceil(len(rows) / batch)
        step, loss_sum, loss_n, started = 0, 0.0, 0, time.monotonic()
        model.train()
        for epoch in range(epochs):
            order = torch.randperm(len(rows), generator=g)
            for i in range(0, len(rows), batch):
                x = rows[order[i : i + batch]]
                logits = model(x[:, :-1])
                loss = F.cross_entropy(logits.reshape(-1, self.vocab), x[:, 1:].reshape(-1))
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                if epoch == epochs - 1:
                    loss_sum, loss_n = loss_sum + loss.item(), loss_n + 1
                elapsed = time.monotonic() - started
                self.progress(step / steps, "train", tokens_per_second=step * batch * x.shape[1] / max(elapsed, 1e-9))
        model.eval()
        self.models[request["model"]] = model
        return {"metrics": {"loss": loss_sum / max(loss_n, 1)}}

    @torch.no_grad()
    def generate(self, request):
        model = self.models[request["model"]]
        prompts = read_sequences(request["prompts"])
        length, decoding = int(request["length"]), request["decoding"]
        g = torch.Generator().manual_seed(int(request["seed"]))
        keep = self.o["context"] - length  # the prompt's last tokens that fit beside the continuation
        if keep < 1:
            raise ValueError(f"context {self.o['context']} leaves no room for a prompt before {length} new tokens")
        out = []
        batch = 256
        for i in range(0, len(prompts), batch):
            chunk = prompts[i : i + batch]
            width = min(keep - 1, max(len(p) for p in chunk))
            if any(len(p) != len(chunk[0]) for p in chunk):
                raise ValueError("prompts of different lengths in one batch are not supported")
            bos = torch.full((len(chunk), 1), self.vocab, dtype=torch.long)
            x = torch.cat([bos, torch.stack([p[len(p) - width :] for p in chunk])], 1).to(self.device)
            caches = [{} for _ in model.blocks]
            logits = model(x, caches, 0)[:, -1]
            pos, made = x.shape[1], []
            for t in range(length):
                if decoding["type"] == "greedy":
                    nxt = logits.argmax(-1)
                else:
                    logits = logits / float(decoding.get("temperature", 1))
                    k = int(decoding.get("topK", 0))
                    if 0 < k < logits.shape[-1]:
                        cut = logits.topk(k, -1).values[:, -1:]
                        logits = logits.masked_fill(logits < cut, float("-inf"))
                    probs = logits.softmax(-1).cpu()
                    nxt = torch.multinomial(probs, 1, generator=g).squeeze(1).to(self.device)
                made.append(nxt)
                if t + 1 < length:
                    logits = model(nxt[:, None], caches, pos)[:, -1]
                    pos += 1
            out.append(torch.stack(made, 1).cpu())
            self.progress(min(1.0, (i + batch) / len(prompts)), "generate")
        write_array(request["out"]["tokens"], torch.cat(out), "int32")

    @torch.no_grad()
    def score(self, request):
        """ln P(token | the tokens before it, up to context - 1 of them): windows of the context, 3/4 of a context
        apart (every token but the first window's sees at least a quarter context), each scoring only the tokens
        the one before it did not; windows of one length go in one batch."""
        model = self.models[request["model"]]
        C = self.o["context"]
        step = C - C // 4
        seqs = read_sequences(request["items"])
        out = [torch.empty(len(s), dtype=torch.float64) for s in seqs]
        windows = {}  # window length -> [(sequence, start)]
        for i, s in enumerate(seqs):
            start = 0
            while True:
                windows.setdefault(min(C, len(s) + 1 - start), []).append((i, start))
                if start + C >= len(s) + 1:
                    break
                start += step
        bos = torch.full((1,), self.vocab, dtype=torch.long)
        ids = [torch.cat([bos, s]) for s in seqs]
        done, total = 0, sum(len(todo) for todo in windows.values())
        for width, todo in windows.items():
            if width < 2:
                continue
            for b in range(0, len(todo), 128):
                done += len(todo[b : b + 128])
                self.progress(done / total, "score")  # a long held-out set must not look like a hang
                part = todo[b : b + 128]
                x = torch.stack([ids[i][start : start + width] for i, start in part]).to(self.device)
                logp = model(x[:, :-1]).log_softmax(-1)
                got = logp.gather(2, x[:, 1:, None])[:, :, 0].double().cpu()
                for row, (i, start) in enumerate(part):
                    first = 0 if start == 0 else C - 1 - step  # only tokens the previous window did not score
                    out[i][start + first : start + width - 1] = got[row, first:]
        write_array(request["out"], torch.cat(out) if out else torch.empty(0), "float64")


if __name__ == "__main__":
    serve(TorchLm())

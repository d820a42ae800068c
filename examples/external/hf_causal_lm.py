#!/usr/bin/env python3
"""The paper's language-model setup with Hugging Face `transformers`, for collapse-lab's `external` family.

Shumailov et al. (2024) fine-tune OPT-125m on WikiText-2 in 64-token blocks, then let each generation's model
continue every real block with 64 new tokens (beam search, 5 beams, repetition penalty 3.0); the next
generation is fine-tuned on those continuations. The defaults here are theirs: model facebook/opt-125m,
learning rate 2e-5, batch 128, 64-token blocks, 5 epochs (set epochs 10 for the runs that keep 10% real data).

Text crosses the protocol as the lab's token ids (words, for WikiText-2's word tokenizer). This trainer turns
each lab token into the model's tokens of " " + its string (`vocabulary` in hello), so a lab token's
log-probability is the sum over its model tokens, and a continuation is decoded and split back into words.
The lab's perplexity is therefore per word; the per-model-token perplexity the paper quotes is printed on
stderr after every score ("model-token perplexity").

Options (family.trainer): model "facebook/opt-125m", learningRate 2e-5, batchSize 128, microBatch 32
(gradient accumulation: batchSize / microBatch steps), blockSize 64, epochs 5, weightDecay 0.0,
scoreWindow 1024, device "cuda" if available, else "cpu"; precision "fp32" or "bf16".
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from collapse_protocol import Trainer, log, read_sequences, serve, write_array  # first: it says so clearly when torch is missing
import torch


try:
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
except ImportError:  # said on stderr, which the lab shows
    log("hf_causal_lm.py needs Hugging Face transformers: pip install transformers (and a model to load)")
    raise

DEFAULTS = {
    "model": "facebook/opt-125m",
    "learningRate": 2e-5,
    "batchSize": 128,
    "microBatch": 32,
    "blockSize": 64,
    "epochs": 5,
    "weightDecay": 0.0,
    "scoreWindow": 1024,
    "device": "cuda" if torch.cuda.is_available() else "cpu",
    "precision": "fp32",
}


class HfCausalLm(Trainer):
    name = "hf_causal_lm"
    kinds = ("text",)
    inits = ("base", "previous", "scratch")
    decodings = ("beam", "greedy", "sample")

    def hello(self, request):
        self.o = {**DEFAULTS, **request.get("options", {})}
        unknown = set(self.o) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)}; known: {sorted(DEFAULTS)}")
        if "vocabulary" not in request:
            raise ValueError("the run's real data has no tokenizer to turn token ids into text")
        with open(request["vocabulary"], encoding="utf-8") as f:
            self.words = __import__("json").load(f)
        self.device = torch.device(self.o["device"])
        self.dtype = torch.bfloat16 if self.o["precision"] == "bf16" else torch.float32
        self.tok = AutoTokenizer.from_pretrained(self.o["model"])
        # Each lab token's model tokens, as " " + its string: a word sequence maps to their concatenation.
        pieces = self.tok([" " + w for w in self.words], add_special_tokens=False)["input_ids"]
        self.pieces = [torch.tensor(p, dtype=torch.long) for p in pieces]
        self.word_id = {w: i for i, w in enumerate(self.words)}
        self.unk = self.word_id.get("<unk>", 0)
        self.bos = self.tok.bos_token_id if self.tok.bos_token_id is not None else self.tok.eos_token_id
        self.models = {}

    def _model_ids(self, lab_tokens):
        """Model token ids of a lab token sequence, and where each lab token's span ends."""
        parts = [self.pieces[t] for t in lab_tokens.tolist()]
        ends = torch.tensor([len(p) for p in parts], dtype=torch.long).cumsum(0)
        return (torch.cat(parts) if parts else torch.empty(0, dtype=torch.long)), ends

    def _load(self, source):
        model = AutoModelForCausalLM.from_pretrained(source, torch_dtype=self.dtype)
        return model.to(self.device)

    def fit(self, request):
        torch.manual_seed(int(request["seed"]))
        init = request["init"]
        if init == "base":
            model = self._load(self.o["model"])
        elif init == "previous":
            model = self.models[request["previous"]]
            model = type(model)(model.config).to(self.device, self.dtype)
            model.load_state_dict(self.models[request["previous"]].state_dict())
        else:
            model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(self.o["model"])).to(self.device, self.dtype)
        # The paper's blocks: the training text in the model's tokens, cut into blockSize-token pieces.
        stream = torch.cat([self._model_ids(s)[0] for s in read_sequences(request["items"])])
        B = int(self.o["blockSize"])
        blocks = stream[: len(stream) // B * B].view(-1, B)
        opt = torch.optim.AdamW(model.parameters(), lr=self.o["learningRate"], weight_decay=self.o["weightDecay"])
        g = torch.Generator().manual_seed(int(request["seed"]))
        batch, micro, epochs = int(self.o["batchSize"]), int(self.o["microBatch"]), int(self.o["epochs"])
        steps = epochs * math.ceil(len(blocks) / batch)
        step, last = 0, float("nan")
        model.train()
        for epoch in range(epochs):
            order = torch.randperm(len(blocks), generator=g)
            for i in range(0, len(blocks), batch):
                rows = blocks[order[i : i + batch]]
                opt.zero_grad(set_to_none=True)
                total = 0.0
                for j in range(0, len(rows), micro):
                    x = rows[j : j + micro].to(self.device)
                    loss = model(input_ids=x, labels=x).loss * len(x) / len(rows)
                    loss.backward()
                    total += loss.item()
                opt.step()
                step, last = step + 1, total
                self.progress(step / steps, f"epoch {epoch + 1}/{epochs}")
        model.eval()
        self.models[request["model"]] = model
        return {"metrics": {"loss": last, "modelTokens": int(blocks.numel())}}

    def save(self, request):
        self.models[request["model"]].save_pretrained(request["dir"], safe_serialization=True)

    def load(self, request):
        self.models[request["model"]] = self._load(request["dir"]).eval()

    def release(self, request):
        self.models.pop(request["model"], None)
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _words(self, text, length):
        ids = [self.word_id.get(w, self.unk) for w in text.split()]
        short = length - len(ids)
        return (ids + [self.unk] * short)[:length], max(short, 0)

    @torch.no_grad()
    def generate(self, request):
        model = self.models[request["model"]]
        torch.manual_seed(int(request["seed"]))
        length, d = int(request["length"]), request["decoding"]
        kwargs = {"max_new_tokens": 2 * length + 8, "pad_token_id": self.tok.pad_token_id or self.bos}
        if d["type"] == "beam":
            kwargs.update(num_beams=int(d["width"]), repetition_penalty=float(d["repetitionPenalty"]), do_sample=False)
        elif d["type"] == "greedy":
            kwargs.update(do_sample=False)
        else:
            kwargs.update(do_sample=True, temperature=float(d["temperature"]), top_k=int(d["topK"]) or None)
        prompts = read_sequences(request["prompts"])
        out, padded = [], 0
        per = max(1, int(self.o["microBatch"]) // (int(d.get("width", 1)) if d["type"] == "beam" else 1))
        for i in range(0, len(prompts), per):
            ids = [torch.cat([torch.tensor([self.bos]), self._model_ids(p)[0]]) for p in prompts[i : i + per]]
            width = max(len(x) for x in ids)
            # Left padding, so every continuation starts right after its prompt.
            x = torch.full((len(ids), width), kwargs["pad_token_id"], dtype=torch.long)
            mask = torch.zeros_like(x)
            for r, seq in enumerate(ids):
                x[r, width - len(seq) :], mask[r, width - len(seq) :] = seq, 1
            made = model.generate(input_ids=x.to(self.device), attention_mask=mask.to(self.device), **kwargs)
            for row in made[:, width:]:
                words, short = self._words(self.tok.decode(row, skip_special_tokens=True), length)
                out.append(torch.tensor(words, dtype=torch.int32))
                padded += short
            self.progress(min(1.0, (i + per) / len(prompts)), "generate")
        if padded:
            log(f"generate: {padded} words padded with <unk> (continuations shorter than {length} words)")
        write_array(request["out"]["tokens"], torch.stack(out), "int32")

    @torch.no_grad()
    def score(self, request):
        model = self.models[request["model"]]
        W = int(self.o["scoreWindow"])
        step = W // 2
        out, total_lp, total_model_tokens = [], 0.0, 0
        for s in read_sequences(request["items"]):
            ids, ends = self._model_ids(s)
            ids = torch.cat([torch.tensor([self.bos]), ids])
            lp = torch.zeros(len(ids) - 1, dtype=torch.float64)
            start = 0
            while True:
                window = ids[start : start + W].to(self.device)
                logits = model(input_ids=window[None, :-1]).logits[0].float().log_softmax(-1)
                got = logits.gather(1, window[1:, None])[:, 0].double().cpu()
                first = 0 if start == 0 else W - 1 - step
                lp[start + first : start + len(got)] = got[first:]
                self.progress(min(1.0, (start + W) / len(ids)), "score")  # long texts must not look like a hang
                if start + W >= len(ids):
                    break
                start += step
            sums = torch.cumsum(torch.cat([torch.zeros(1, dtype=torch.float64), lp]), 0)
            starts = torch.cat([torch.zeros(1, dtype=torch.long), ends[:-1]])
            out.append(sums[ends] - sums[starts])
            total_lp, total_model_tokens = total_lp + float(lp.sum()), total_model_tokens + len(lp)
        if total_model_tokens:
            log(f"model-token perplexity {math.exp(-total_lp / total_model_tokens):.3f} over {total_model_tokens} tokens")
        write_array(request["out"], torch.cat(out) if out else torch.empty(0), "float64")


if __name__ == "__main__":
    serve(HfCausalLm())

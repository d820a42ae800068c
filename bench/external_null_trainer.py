#!/usr/bin/env python3
"""A trainer that learns nothing, for bench/external.mjs: it reads every file a request names and writes every
answer file at its full size (valid token ids, finite log-probabilities), so the time the lab spends on its
requests is the protocol's own cost: pipes, JSON lines, process scheduling, bulk files both ways."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "external"))

from collapse_protocol import Trainer, read_sequences, serve, write_array  # noqa: E402
import torch  # noqa: E402


class NullTrainer(Trainer):
    name = "null"
    kinds = ("text",)
    inits = ("scratch", "previous")
    decodings = ("sample", "greedy", "beam")

    def hello(self, request):
        self.vocab = int(request["vocabSize"])

    def fit(self, request):
        read_sequences(request["items"])
        return {"metrics": {"loss": 0.0}}

    def save(self, request):
        with open(os.path.join(request["dir"], "weights.bin"), "wb") as f:
            f.write(b"\0" * 1024)

    def load(self, request):
        pass

    def generate(self, request):
        prompts = read_sequences(request["prompts"])
        write_array(request["out"]["tokens"], torch.zeros(len(prompts) * int(request["length"])), "int32")

    def score(self, request):
        n = sum(len(s) for s in read_sequences(request["items"]))
        write_array(request["out"], torch.full((n,), -float(torch.log(torch.tensor(float(self.vocab))))), "float64")


if __name__ == "__main__":
    serve(NullTrainer())

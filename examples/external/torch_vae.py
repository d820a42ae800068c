#!/usr/bin/env python3
"""The paper's convolutional VAE in PyTorch, for collapse-lab's `external-images` family (protocol version 1).

As in the paper's VAE notebook: capacity c, latent 20. Encoder Conv(1->c, k4 s2 p1) -> Conv(c->2c, k4 s2 p1)
-> Linear(2c*7*7 -> latent) for mu and for logvar, ReLU; decoder Linear(latent -> 2c*7*7) -> ConvTranspose(2c->c)
-> ConvTranspose(c->1) -> sigmoid. Loss: BCE summed over pixels plus KL; Adam lr 1e-3, weight decay 1e-5.
Samples are the decoder's Bernoulli means for prior draws; an item's score is its one-sample ELBO (a lower
bound on its log-likelihood, with a fixed noise seed so an image always gets the same score).

Options (family.trainer): capacity 64, latent 20, epochs 30, batchSize 256, learningRate 1e-3,
weightDecay 1e-5, threads 1, device "cpu" (or "cuda"). Images must be 1 x 28 x 28 (MNIST).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from collapse_protocol import TorchModuleTrainer, read_items, serve, write_array  # first: it says so clearly when torch is missing
import torch
import torch.nn as nn
import torch.nn.functional as F


DEFAULTS = {
    "capacity": 64,
    "latent": 20,
    "epochs": 30,
    "batchSize": 256,
    "learningRate": 1e-3,
    "weightDecay": 1e-5,
    "threads": 1,
    "device": "cpu",
}
SCORE_SEED = 20240724


class VAE(nn.Module):
    def __init__(self, c, z):
        super().__init__()
        self.c = c
        self.e1, self.e2 = nn.Conv2d(1, c, 4, 2, 1), nn.Conv2d(c, 2 * c, 4, 2, 1)
        self.mu, self.lv = nn.Linear(2 * c * 49, z), nn.Linear(2 * c * 49, z)
        self.d0 = nn.Linear(z, 2 * c * 49)
        self.d1, self.d2 = nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ConvTranspose2d(c, 1, 4, 2, 1)

    def encode(self, x):
        h = F.relu(self.e2(F.relu(self.e1(x)))).flatten(1)
        return self.mu(h), self.lv(h)

    def decode_logits(self, z):
        h = self.d0(z).view(-1, 2 * self.c, 7, 7)
        return self.d2(F.relu(self.d1(h)))


def elbo_terms(model, x, noise):
    """Per image: BCE summed over pixels and KL to the prior, with z = mu + noise * sigma."""
    mu, logvar = model.encode(x)
    z = mu + noise * torch.exp(0.5 * logvar)
    logits = model.decode_logits(z)
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), 1)
    return bce, kl


class TorchVae(TorchModuleTrainer):
    name = "torch_vae"
    kinds = ("images",)
    inits = ("scratch", "previous")

    def hello(self, request):
        self.o = {**DEFAULTS, **request.get("options", {})}
        unknown = set(self.o) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown option(s) {sorted(unknown)}; known: {sorted(DEFAULTS)}")
        if list(request["shape"]) != [1, 28, 28]:
            raise ValueError(f"images of shape {request['shape']}; this VAE takes 1 x 28 x 28")
        torch.set_num_threads(int(self.o["threads"]))
        self.device = torch.device(self.o["device"])
        self.models = {}

    def _new(self, seed):
        torch.manual_seed(seed)
        return VAE(int(self.o["capacity"]), int(self.o["latent"])).to(self.device)

    def fit(self, request):
        seed = int(request["seed"])
        model = self._new(seed)
        if request["init"] == "previous":
            model.load_state_dict(self.models[request["previous"]].state_dict())
        data = read_items(request["items"]).float().to(self.device)
        opt = torch.optim.Adam(model.parameters(), lr=self.o["learningRate"], weight_decay=self.o["weightDecay"])
        g = torch.Generator().manual_seed(seed)
        epochs, batch = int(self.o["epochs"]), int(self.o["batchSize"])
        steps = epochs * ((len(data) + batch - 1) // batch)
        step, total, count, started = 0, 0.0, 0, time.monotonic()
        model.train()
        for epoch in range(epochs):
            order = torch.randperm(len(data), generator=g)
            for i in range(0, len(data), batch):
                x = data[order[i : i + batch]]
                noise = torch.randn(len(x), int(self.o["latent"]), generator=g).to(self.device)
                bce, kl = elbo_terms(model, x, noise)
                loss = (bce + kl).sum()
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                step += 1
                if epoch == epochs - 1:
                    total, count = total + loss.item(), count + len(x)
                self.progress(step / steps, "train", message=f"epoch {epoch + 1}/{epochs}")
        model.eval()
        self.models[request["model"]] = model
        return {"metrics": {"loss": total / max(count, 1), "seconds": time.monotonic() - started}}

    @torch.no_grad()
    def generate(self, request):
        model = self.models[request["model"]]
        g = torch.Generator().manual_seed(int(request["seed"]))
        z = torch.randn(int(request["count"]), int(self.o["latent"]), generator=g).to(self.device)
        images = torch.cat([torch.sigmoid(model.decode_logits(z[i : i + 1024])) for i in range(0, len(z), 1024)])
        out = request["out"]
        write_array(out["values"], images, out["dtype"])

    @torch.no_grad()
    def score(self, request):
        model = self.models[request["model"]]
        x = read_items(request["items"]).float().to(self.device)
        g = torch.Generator().manual_seed(SCORE_SEED)
        noise = torch.randn(len(x), int(self.o["latent"]), generator=g).to(self.device)
        parts = []
        for i in range(0, len(x), 1024):
            bce, kl = elbo_terms(model, x[i : i + 1024], noise[i : i + 1024])
            parts.append(-(bce + kl))
        write_array(request["out"], torch.cat(parts), "float64")


if __name__ == "__main__":
    serve(TorchVae())

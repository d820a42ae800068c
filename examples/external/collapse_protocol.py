"""The trainer side of collapse-lab's external protocol (docs/external-protocol.md), version 1.

A trainer subclasses `Trainer`, implements the verbs it supports and calls `serve(MyTrainer())`. This module
reads one JSON request per line on stdin, calls the method, and writes one JSON answer per line on stdout;
bulk data (items, prompts, generated items, scores) travel in raw little-endian files named in the requests.
stdout carries protocol lines only: everything else (logs, warnings, tracebacks) goes to stderr, which the lab
shows when something fails. The trainer exits when stdin closes (the lab is gone) or on `shutdown`.

Only the standard library and torch are used, so Debian's python3-torch is enough.
"""
import json
import os
import sys
import threading
import time
import traceback

try:
    import torch
except ImportError:  # the lab shows this line when the trainer fails at hello
    sys.stderr.write(
        f"{os.path.basename(sys.argv[0])} needs PyTorch: apt-get install python3-torch (Debian) or pip install torch\n"
    )
    sys.exit(1)

PROTOCOL_VERSION = 1

_DTYPES = {"int32": torch.int32, "float32": torch.float32, "float64": torch.float64}


def read_array(path, dtype):
    """A file of raw little-endian values as a 1-D tensor."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if not data:
        return torch.empty(0, dtype=_DTYPES[dtype])
    return torch.frombuffer(data, dtype=_DTYPES[dtype]).clone()


def write_array(path, tensor, dtype):
    """Writes a tensor's values as raw little-endian `dtype` (the lab reads exactly the size it asked for)."""
    t = tensor.detach().to("cpu", _DTYPES[dtype]).contiguous().reshape(-1)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(t.numpy().tobytes())
    os.replace(tmp, path)


def read_sequences(desc):
    """A sequence file pair ({tokens, offsets, count, vocabSize}) as a list of 1-D int64 tensors."""
    tokens = read_array(desc["tokens"], "int32").long()
    offsets = read_array(desc["offsets"], "int32").tolist()
    return [tokens[offsets[i] : offsets[i + 1]] for i in range(desc["count"])]


def read_items(desc):
    """An item file ({values, dtype, count, shape}) as a tensor of shape [count, *shape]."""
    return read_array(desc["values"], desc["dtype"]).reshape(desc["count"], *desc["shape"])


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Trainer:
    """Override the verbs you support. `self.progress(...)` reports progress during a request."""

    name = "trainer"
    kinds = ("text",)
    inits = ("scratch",)
    decodings = ("sample", "greedy")

    def hello(self, request):
        """Called once per process, before anything else: request holds kind, options, scratch, vocabSize..."""

    def fit(self, request):
        raise NotImplementedError("fit")

    def save(self, request):
        raise NotImplementedError("save")

    def load(self, request):
        raise NotImplementedError("load")

    def release(self, request):
        pass

    def generate(self, request):
        raise NotImplementedError("generate")

    def score(self, request):
        raise NotImplementedError("score")

    # Set by serve(): reports progress of the request in flight (rate-limited to a few lines a second).
    def progress(self, fraction, phase=None, tokens_per_second=None, message=None):
        now = time.monotonic()
        if fraction < 1 and now - self._last_progress < 0.25:
            return
        self._last_progress = now
        event = {"event": "progress", "id": self._request_id, "fraction": max(0.0, min(1.0, float(fraction)))}
        if phase is not None:
            event["phase"] = phase
        if tokens_per_second is not None:
            event["tokensPerSecond"] = float(tokens_per_second)
        if message is not None:
            event["message"] = message
        _send(event)

    _request_id = 0
    _last_progress = 0.0


class TorchModuleTrainer(Trainer):
    """A Trainer whose models are torch modules in `self.models`, made by `self._new(seed)`: save, load and
    release are the same for all of them (the state dict in weights.pt, written atomically)."""

    def save(self, request):
        import torch

        tmp = os.path.join(request["dir"], "weights.pt.tmp")
        torch.save(self.models[request["model"]].state_dict(), tmp)
        os.replace(tmp, os.path.join(request["dir"], "weights.pt"))

    def load(self, request):
        import torch

        model = self._new(0)
        model.load_state_dict(torch.load(os.path.join(request["dir"], "weights.pt"), map_location=self.device))
        model.eval()
        self.models[request["model"]] = model

    def release(self, request):
        self.models.pop(request["model"], None)


_OUT = sys.stdout
# Anything a library prints on stdout would break the protocol: send it to stderr instead.
sys.stdout = sys.stderr


def _send(message):
    _OUT.write(json.dumps(message) + "\n")
    _OUT.flush()


def _exit_with_parent():
    """A lab killed mid-request (kill -9) cannot say so: leave as soon as our parent is gone, not after a long fit."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(1)


def serve(trainer):
    """Answers requests until stdin closes or `shutdown` arrives."""
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        rid, verb = request.get("id"), request.get("verb")
        trainer._request_id = rid
        trainer._last_progress = 0.0
        try:
            if verb == "hello":
                trainer.hello(request)
                _send(
                    {
                        "id": rid,
                        "ok": True,
                        "protocol": PROTOCOL_VERSION,
                        "name": trainer.name,
                        "capabilities": {
                            "kinds": list(trainer.kinds),
                            "inits": list(trainer.inits),
                            "decodings": list(trainer.decodings),
                        },
                    }
                )
                continue
            if verb == "shutdown":
                _send({"id": rid, "ok": True})
                return
            handler = getattr(trainer, verb, None) if verb in ("fit", "save", "load", "release", "generate", "score") else None
            if handler is None:
                raise ValueError(f"unknown verb {verb!r}")
            result = handler(request) or {}
            _send({"id": rid, "ok": True, **result})
        except Exception as error:  # the lab shows the message; the traceback goes to stderr
            traceback.print_exc(file=sys.stderr)
            _send({"id": rid, "ok": False, "error": f"{type(error).__name__}: {error}"})

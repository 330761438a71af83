#!/usr/bin/python3
"""Quantisation-aware training on Fashion-MNIST (Debian's python3-torch, CPU).

  /usr/bin/python3 scripts/train/train.py --model mlp --name fmnist_mlp_w1a2 [options]

Models (qat.py):
  mlp  seed 004: 784-1024-1024-1024-10, binary weights, k-bit activations (--abits), batch norm
  tnn  thesis ch. 3.2: sparse ternary MLP with binary (bipolar) activations: threshold eta
       (eq. 3.1), L2 penalty on the ternary weights (eq. 3.3-3.5), then quantisation pruning
       with sigma = eta (eq. 3.6-3.8) and a retraining phase with the same eta and lambda
  cnn  seed 000: binary 3x3 convolutions, 8-bit feature maps, max pooling, global max pooling

Writes OUT/NAME.pt: the trained weights, the model arguments and the training record
(epochs, float test accuracy, time). export.py turns it into simulator files.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import idx  # noqa: E402
import qat  # noqa: E402

DEFAULTS = {
    "mlp": dict(hidden="1024,1024,1024", abits=2, epochs=10, lr=3e-3),
    "tnn": dict(hidden="1024,1024,1024", eta=0.9, l2=1e-5, epochs=10, retrain_epochs=5, lr=1e-3),
    "cnn": dict(channels="8,16", abits=8, epochs=10, lr=3e-3),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, choices=sorted(DEFAULTS))
    p.add_argument("--name", required=True, help="name of the network (files OUT/NAME.*)")
    p.add_argument("--hidden", help="mlp/tnn hidden sizes, comma separated (default 1024,1024,1024)")
    p.add_argument("--channels", help="cnn: channels of the first two convolutions (default 8,16)")
    p.add_argument("--abits", type=int, help="mlp: activation bits (default 2); cnn: feature-map bits (8)")
    p.add_argument("--eta", type=float, help="tnn: ternary threshold (default 0.9, Table 3.2)")
    p.add_argument("--l2", type=float, help="tnn: L2 strength lambda on the ternary weights (1e-5)")
    p.add_argument("--epochs", type=int, help="training epochs (tnn: before pruning)")
    p.add_argument("--retrain-epochs", type=int, help="tnn: epochs after quantisation pruning (5)")
    p.add_argument("--lr", type=float,
                   help="Adam learning rate, halved every third of the epochs (mlp, cnn 3e-3; tnn 1e-3)")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--out", default="out/train", help="output directory (default out/train)")
    a = p.parse_args(argv)
    for k, v in DEFAULTS[a.model].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    return a


def model_kwargs(a):
    if a.model == "cnn":
        return {"channels": [int(c) for c in a.channels.split(",")], "abits": a.abits}
    kw = {"hidden": [int(h) for h in a.hidden.split(",")]}
    if a.model == "mlp":
        kw["abits"] = a.abits
    else:
        kw["eta"] = a.eta
    return kw


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch].float())
            correct += int((out.argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


def run_epochs(model, a, x, y, xt, yt, epochs, gen, log, phase):
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, epochs // 3), gamma=0.5)
    qw = model.quant_weights()
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        t0, total, seen = time.time(), 0.0, 0
        for i in range(0, len(x), a.batch):
            idx_b = perm[i:i + a.batch]
            out = model(x[idx_b].float())
            loss = F.cross_entropy(out, y[idx_b])
            if a.model == "tnn" and a.l2 > 0:
                loss = loss + a.l2 * sum(w.l2_penalty() for w in qw)
            opt.zero_grad()
            loss.backward()
            opt.step()
            for w in qw:
                w.clip_()
            total += float(loss) * len(idx_b)
            seen += len(idx_b)
        sched.step()
        acc = accuracy(model, xt, yt)
        zeros = sum(w.zeros() for w in qw)
        count = sum(w.latent.numel() for w in qw)
        rec = {"phase": phase, "epoch": ep + 1, "loss": total / seen, "test_accuracy": acc,
               "sparsity": zeros / count, "seconds": time.time() - t0}
        log.append(rec)
        print(f"{phase} epoch {ep + 1}/{epochs}: loss {rec['loss']:.4f}  float test accuracy {acc:.4f}"
              f"  zero weights {100 * rec['sparsity']:.1f}%  ({rec['seconds']:.0f} s)", flush=True)


def main(argv=None):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    xtr, ytr = idx.fashion_mnist("train")
    xte, yte = idx.fashion_mnist("test")
    x = torch.from_numpy(xtr.copy()).unsqueeze(1)  # uint8 [B, 1, 28, 28], raw pixels
    xt = torch.from_numpy(xte.copy()).unsqueeze(1)
    y = torch.from_numpy(ytr.astype(np.int64))
    yt = torch.from_numpy(yte.astype(np.int64))

    kw = model_kwargs(a)
    model = qat.build(a.model, **kw)
    log, t0 = [], time.time()
    run_epochs(model, a, x, y, xt, yt, a.epochs, gen, log, "train")
    if a.model == "tnn":
        for w in model.quant_weights():
            w.prune(a.eta)  # sigma = eta: exactly the weights quantised to 0 stay 0
        print(f"quantisation pruning (sigma = eta = {a.eta}): "
              f"{100 * sum(w.zeros() for w in model.quant_weights()) / sum(w.latent.numel() for w in model.quant_weights()):.1f}% "
              f"of the weights fixed to 0; float test accuracy {accuracy(model, xt, yt):.4f}", flush=True)
        run_epochs(model, a, x, y, xt, yt, a.retrain_epochs, gen, log, "retrain")
    acc = accuracy(model, xt, yt)
    record = {"model": a.model, "name": a.name, "args": kw, "epochs": a.epochs,
              "retrain_epochs": a.retrain_epochs if a.model == "tnn" else 0,
              "lr": a.lr, "batch": a.batch, "seed": a.seed, "l2": a.l2 if a.model == "tnn" else None,
              "float_test_accuracy": acc, "train_seconds": time.time() - t0, "threads": a.threads,
              "log": log}
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, a.name + ".pt")
    torch.save({"state": model.state_dict(), "kind": a.model, "kwargs": kw, "record": record}, path)
    print(f"float test accuracy {acc:.4f}; wrote {path} ({record['train_seconds']:.0f} s)")
    print(json.dumps({k: v for k, v in record.items() if k != "log"}))


if __name__ == "__main__":
    main()

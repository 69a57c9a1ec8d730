#!/usr/bin/env python3
"""Check a cnnlab model against PyTorch: same weights, same images, same logits.

Loads a .safetensors file written by `cnnlab train --save` with the `safetensors` package,
builds the same network in PyTorch from the spec in its metadata, and compares:

  * IDX data (mnist, fashion, a folder): the logits of every t10k image, as PyTorch computes
    them from the IDX files (pixels / 255), with those `cnnlab eval --logits` writes;
  * any model: `cnnlab predict --json` on a few images written as .npy files (raw pixels, so
    the model's normalisation is checked too).

Usage:
  python scripts/check_model_torch.py MODEL [--data mnist|DIR] [--cnnlab .build/release/cnnlab]

Needs torch, numpy and safetensors. Not used by cnnlab itself or by its tests.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from safetensors import safe_open

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cnnlab_ref import ROOT, data_folder, read_idx  # noqa: E402


def parse_spec(text):
    """The spec as a list of (index, keyword, options dict), like cnnlab's NetworkSpec."""
    layers = []
    for index, part in enumerate(text.split("|")):
        words = part.split()
        kind, rest = words[0], words[1:]
        opt = {"activation": None, "bias": True}
        i = 0
        if kind == "conv":
            opt["filters"] = int(rest[0])
            kh, _, kw = rest[1].partition("x")
            opt["kernel"] = (int(kh), int(kw or kh))
            opt["stride"], opt["padding"], opt["dilation"] = (1, 1), (0, 0, 0, 0), 1
            i = 2
            while i < len(rest):
                w = rest[i]
                if w == "stride":
                    sh, _, sw = rest[i + 1].partition("x")
                    opt["stride"] = (int(sh), int(sw or sh))
                    i += 1
                elif w in ("pad", "padding"):
                    v = rest[i + 1]
                    if v == "same":
                        opt["padding"] = "same"
                    elif v == "valid":
                        opt["padding"] = (0, 0, 0, 0)
                    elif "," in v:
                        opt["padding"] = tuple(int(p) for p in v.split(","))
                    else:
                        opt["padding"] = (int(v),) * 4
                    i += 1
                elif w == "same":
                    opt["padding"] = "same"
                elif w == "valid":
                    opt["padding"] = (0, 0, 0, 0)
                elif w == "dilation":
                    opt["dilation"] = int(rest[i + 1])
                    i += 1
                elif w == "nobias":
                    opt["bias"] = False
                elif w in ("relu", "sigmoid", "tanh"):
                    opt["activation"] = w
                else:
                    raise SystemExit(f"check_model_torch: conv option '{w}' is not supported here")
                i += 1
        elif kind in ("maxpool", "avgpool"):
            opt["size"] = int(rest[0])
            opt["stride"] = opt["size"]
            opt["ceil"] = False
            i = 1
            while i < len(rest):
                if rest[i] == "stride":
                    opt["stride"] = int(rest[i + 1])
                    i += 1
                elif rest[i] == "ceil":
                    opt["ceil"] = True
                i += 1
        elif kind in ("dense", "fc", "linear"):
            kind = "dense"
            opt["units"] = int(rest[0])
            for w in rest[1:]:
                if w == "nobias":
                    opt["bias"] = False
                else:
                    opt["activation"] = w
        elif kind == "dropout":
            opt["p"] = float(rest[0])
        elif kind not in ("relu", "sigmoid", "tanh", "flatten"):
            raise SystemExit(f"check_model_torch: layer '{kind}' is not supported here")
        layers.append((index, kind, opt))
    return layers


def activate(x, name):
    if name == "relu":
        return F.relu(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    return x


def same_padding(size, kernel, stride, dilation):
    """TensorFlow's "same", as cnnlab's engine computes it (ConvGeometry.samePadding): the
    output is ceil(size / stride), and the padding that takes is split with the odd cell after.
    """
    output = -(-size // stride)
    total = max((output - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def forward(layers, tensors, x):
    """Runs a batch (N, C, H, W) through the layers with PyTorch's own operators."""
    for index, kind, opt in layers:
        weight = tensors.get(f"layers.{index}.weight")
        bias = tensors.get(f"layers.{index}.bias")
        if kind == "conv":
            if opt["padding"] == "same":
                (kh, kw), (sh, sw), d = opt["kernel"], opt["stride"], opt["dilation"]
                top, bottom = same_padding(x.shape[2], kh, sh, d)
                left, right = same_padding(x.shape[3], kw, sw, d)
                pad = (top, bottom, left, right)
            else:
                pad = opt["padding"]
            top, bottom, left, right = pad
            x = F.pad(x, (left, right, top, bottom))
            x = F.conv2d(x, weight, bias, stride=opt["stride"], dilation=opt["dilation"])
            x = activate(x, opt["activation"])
        elif kind == "maxpool":
            x = F.max_pool2d(x, opt["size"], opt["stride"], ceil_mode=opt["ceil"])
        elif kind == "avgpool":
            x = F.avg_pool2d(x, opt["size"], opt["stride"], ceil_mode=opt["ceil"], count_include_pad=False)
        elif kind == "flatten":
            x = x.flatten(1)
        elif kind == "dropout":
            x = F.dropout(x, opt["p"], training=False)  # nn.Dropout(p) in eval(): the identity
        elif kind == "dense":
            x = F.linear(x.flatten(1), weight, bias)
            x = activate(x, opt["activation"])
        else:
            x = activate(x, kind)
    return x


def run(cnnlab, args):
    out = subprocess.run([cnnlab] + args, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"check_model_torch: cnnlab {' '.join(args)} failed:\n{out.stderr}")
    return out.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--data", help="mnist, fashion or an IDX folder (default: the model's data)")
    parser.add_argument("--cnnlab", default=os.path.join(ROOT, ".build", "release", "cnnlab"))
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest allowed logit difference")
    args = parser.parse_args()

    with safe_open(args.model, framework="pt") as f:
        meta = f.metadata()
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    assert meta.get("format") == "cnnlab-model", "not a cnnlab model"
    layers = parse_spec(meta["spec"])
    shape = [int(s) for s in meta["input_shape"].split("x")]
    scale, offset = float(meta["input_scale"]), float(meta["input_offset"])
    classes = json.loads(meta["class_names"])
    print(f"model: {args.model}: {meta['spec']}, input {meta['input_shape']}, {len(classes)} classes")
    print(f"tensors: {', '.join(f'{k} {tuple(v.shape)}' for k, v in sorted(tensors.items()))}")
    worst = 0.0
    failures = 0

    data = args.data or meta.get("data")
    folder = data_folder(data) if data else None
    if data != "xo" and folder and os.path.isdir(folder):
        images = read_idx(folder, "t10k-images-idx3-ubyte")
        labels = read_idx(folder, "t10k-labels-idx1-ubyte").astype(np.int64)
        x = torch.from_numpy(images.astype(np.float32) / 255).reshape(-1, *shape)
        with torch.no_grad():
            torch_logits = forward(layers, tensors, x).numpy()
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "logits.npy")
            report = json.loads(run(args.cnnlab, ["eval", "--model", args.model, "--data", data, "--logits", path, "--json"]))
            cnnlab_logits = np.load(path)
        diff = float(np.abs(cnnlab_logits - torch_logits).max())
        agree = int((cnnlab_logits.argmax(1) == torch_logits.argmax(1)).sum())
        torch_accuracy = float((torch_logits.argmax(1) == labels).mean())
        worst = max(worst, diff)
        print(
            f"{data}: {len(labels)} t10k images: max |logit difference| {diff:.3g}, "
            f"predictions agree on {agree}/{len(labels)}, accuracy PyTorch {torch_accuracy:.4f} "
            f"cnnlab {report['accuracy']:.4f}"
        )
        failures += agree != len(labels) or abs(torch_accuracy - report["accuracy"]) > 1e-9

    # A few raw images through `cnnlab predict`: structured ones and noise.
    rng = np.random.default_rng(7)
    c, h, w = shape
    low, high = (0.0, 255.0) if scale < 0.5 else (-1.0, 1.0)
    samples = [rng.uniform(low, high, size=(h, w)) for _ in range(4)]
    grid = np.full((h, w), low)
    for i in range(min(h, w)):
        grid[i, i] = grid[i, w - 1 - i] = high  # an X
    samples.append(grid)
    with tempfile.TemporaryDirectory() as tmp:
        for n, raw in enumerate(samples):
            path = os.path.join(tmp, f"image{n}.npy")
            np.save(path, raw.astype(np.float32))
            answer = json.loads(run(args.cnnlab, ["predict", "--model", args.model, path, "--json"]))
            x = torch.from_numpy(raw.astype(np.float32) * np.float32(scale) + np.float32(offset)).reshape(1, *shape)
            with torch.no_grad():
                expected = forward(layers, tensors, x)[0].numpy()
            diff = float(np.abs(np.array(answer["logits"]) - expected).max())
            worst = max(worst, diff)
            same = answer["index"] == int(expected.argmax())
            failures += not same
            print(f"predict image{n}: cnnlab {answer['prediction']!r}, PyTorch {classes[int(expected.argmax())]!r}, max |logit difference| {diff:.3g}")

    ok = failures == 0 and worst <= args.tolerance
    print(f"{'OK' if ok else 'MISMATCH'}: largest logit difference {worst:.3g} (tolerance {args.tolerance:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the numerical reference fixtures for cnnlab's engine tests.

usage: python3 scripts/make_fixtures.py [--out Tests/CNNLabEngineTests/Fixtures]
                                       [--mnist-dir assets/mnist]

Every expected value is computed in float64 by the plain NumPy definitions below, then checked
against a second, independent implementation before it is written:
  conv2d / conv1d   scipy.signal.correlate2d / convolve2d, numpy.correlate / convolve (forward),
                    torch.nn.functional.conv2d with autograd in float64 (forward and backward)
  pool              torch.nn.functional.max_pool2d / avg_pool2d with autograd in float64
  layers            torch (autograd in float64)
  mnist-small step  the same network as a torch.nn.Sequential, torch.optim.SGD and Adam
PyTorch is optional: without it the torch checks are skipped and each file says so. The output
is deterministic (seeded NumPy generators) and does not depend on whether torch is present.

Inputs are float32 values. Expected values are float64 results rounded to float32. Numbers are
written with the shortest decimal that reads back (through a double) to the same float32.
Tensors are {"shape": [...], "values": [...]} in row-major order.

Conventions (the ones the engine is held to):
  conv2d   input (C, H, W), weights (F, C, KH, KW), bias (F), output (F, OH, OW).
           out[f, oy, ox] = sum_{c, ky, kx} x[c, oy*SY + ky*DY - top, ox*SX + kx*DX - left]
                                            * w'[f, c, ky, kx]            (zero outside x)
           w' = w (mode "correlate", what CNN layers compute) or w flipped on both kernel axes
           (mode "convolve", as scipy.signal.convolve2d). With "normalise", the sum is divided
           by C*KH*KW before the bias is added.
           padding "same" follows TensorFlow: out = ceil(N/S),
           total = max((out-1)*S + D*(K-1) + 1 - N, 0), before = total//2, after = total-before.
           Gradients are of L = sum(output * dOutput).
  conv1d   the same with input (C, L), weights (F, C, K), padding (left, right).
  pool     input (C, H, W), no padding. Floor mode: out = (N-K)//S + 1. Ceil mode (PyTorch):
           out = ceil((N-K)/S) + 1, minus one if the last window would start at or past N.
           A partial window uses only the cells inside; "avg" divides by that count. Max pooling
           sends the gradient to the first maximum in row-major window order.
  mnist    PyTorch layouts: conv (F, C, KH, KW), linear (out, in); flatten is (C, H, W) order.
"""
import argparse
import gzip
import json
import math
import os
import platform
import struct
import sys

import numpy as np
import scipy
from scipy import signal

try:
  import torch
  import torch.nn.functional as TF
except ImportError:  # the torch cross-checks are skipped
  torch = None

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(ROOT, "Tests", "CNNLabEngineTests", "Fixtures")
DEFAULT_MNIST = os.path.join(ROOT, "assets", "mnist")

# Largest disagreement allowed between the NumPy definitions and the cross-check (both float64).
CHECK_TOLERANCE = 1e-9


# MARK: - Writing


class F32:
  """A tensor to be written as float32 values with its shape."""

  def __init__(self, array):
    array = np.asarray(array)
    assert np.all(np.isfinite(array)), "fixtures hold finite numbers only"
    self.shape = list(array.shape)
    self.values = array.astype(np.float32).ravel()


def f32_text(x):
  """The shortest decimal that reads back, via a double, as exactly the float32 `x`."""
  x = np.float32(x)
  text = str(x)  # NumPy's shortest round-trip form for float32
  if "inf" in text or "nan" in text:
    raise ValueError(f"not finite: {text}")
  if np.float32(float(text)) != x:  # double rounding would change it: write the exact double
    text = repr(float(x))
  return text


def scalar32(x):
  """A float32 scalar, written like a tensor value."""
  return F32Scalar(x)


class F32Scalar:
  def __init__(self, x):
    self.value = np.float32(x)


def dump(obj, indent=0):
  pad = "  " * indent
  if isinstance(obj, F32):
    values = ",".join(f32_text(v) for v in obj.values)
    return '{"shape": %s, "values": [%s]}' % (json.dumps(obj.shape), values)
  if isinstance(obj, F32Scalar):
    return f32_text(obj.value)
  if isinstance(obj, dict):
    if not obj:
      return "{}"
    items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 1)}' for k, v in obj.items()]
    return "{\n" + ",\n".join(items) + f"\n{pad}}}"
  if isinstance(obj, (list, tuple)):
    if all(isinstance(v, (int, float, str, bool)) or v is None for v in obj):
      return json.dumps(list(obj))
    items = [f"{pad}  {dump(v, indent + 1)}" for v in obj]
    return "[\n" + ",\n".join(items) + f"\n{pad}]"
  if isinstance(obj, (np.integer,)):
    return str(int(obj))
  return json.dumps(obj)


def write(out_dir, name, payload):
  path = os.path.join(out_dir, name)
  text = dump(payload) + "\n"
  json.loads(text)  # it must be valid JSON
  tmp = path + ".tmp"
  with open(tmp, "w") as f:
    f.write(text)
  os.replace(tmp, path)
  print(f"wrote {os.path.relpath(path, ROOT)} ({len(text) / 1024:.0f} KiB)")


def produced_by(what, checked_against):
  return {
    "script": "scripts/make_fixtures.py",
    "reference": what,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "torch": torch.__version__ if torch is not None else "not installed: torch checks skipped",
    "python": platform.python_version(),
    "checkedAgainst": checked_against,
  }


def f32(rng, shape, low=-1.0, high=1.0):
  """Uniform float32 values; the engine sees exactly these."""
  return rng.uniform(low, high, size=shape).astype(np.float32)


def agree(name, a, b, tol=CHECK_TOLERANCE):
  a = np.asarray(a, dtype=np.float64)
  b = np.asarray(b, dtype=np.float64)
  assert a.shape == b.shape, f"{name}: shapes {a.shape} and {b.shape}"
  worst = float(np.max(np.abs(a - b))) if a.size else 0.0
  scale = max(1.0, float(np.max(np.abs(a))) if a.size else 0.0)
  assert worst <= tol * scale, f"{name}: reference and cross-check differ by {worst}"
  return worst


# MARK: - Convolution


def same_padding(n, k, s, d):
  """TensorFlow's SAME: (before, after) so that out = ceil(n / s)."""
  out = -(-n // s)
  total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
  return total // 2, total - total // 2


def conv_out(n, k, s, d, before, after):
  return (n + before + after - d * (k - 1) - 1) // s + 1


def conv2d_ref(x, w, b, stride, dilation, pads, mode, normalise, g):
  """Forward and the gradients of sum(out * g), in float64, one kernel offset at a time."""
  x = x.astype(np.float64)
  w = w.astype(np.float64)
  C, H, W = x.shape
  F, _, KH, KW = w.shape
  (sy, sx), (dy, dx), (top, bottom, left, right) = stride, dilation, pads
  OH = conv_out(H, KH, sy, dy, top, bottom)
  OW = conv_out(W, KW, sx, dx, left, right)
  xp = np.zeros((C, H + top + bottom, W + left + right))
  xp[:, top:top + H, left:left + W] = x
  wk = w[:, :, ::-1, ::-1] if mode == "convolve" else w  # the kernel that slides
  scale = 1.0 / (C * KH * KW) if normalise else 1.0
  out = np.zeros((F, OH, OW))
  g = None if g is None else g.astype(np.float64)
  dxp = np.zeros_like(xp)
  dwk = np.zeros_like(wk)
  for ky in range(KH):
    for kx in range(KW):
      # the input cells that meet kernel cell (ky, kx) at every output position
      rows = slice(ky * dy, ky * dy + sy * (OH - 1) + 1, sy)
      cols = slice(kx * dx, kx * dx + sx * (OW - 1) + 1, sx)
      patch = xp[:, rows, cols]  # (C, OH, OW)
      out += scale * np.einsum("fc,cij->fij", wk[:, :, ky, kx], patch)
      if g is not None:
        dxp[:, rows, cols] += scale * np.einsum("fc,fij->cij", wk[:, :, ky, kx], g)
        dwk[:, :, ky, kx] = scale * np.einsum("fij,cij->fc", g, patch)
  if b is not None:
    out += b.astype(np.float64)[:, None, None]
  if g is None:
    return out, None, None, None
  dx_ = dxp[:, top:top + H, left:left + W]
  dw = dwk[:, :, ::-1, ::-1] if mode == "convolve" else dwk
  db = g.sum(axis=(1, 2)) if b is not None else None
  return out, dx_, dw, db


def conv2d_scipy(x, w, b, stride, dilation, pads, mode, normalise):
  """The forward pass again, from SciPy's 2-D correlate/convolve on a padded input."""
  C, H, W = x.shape
  F, _, KH, KW = w.shape
  (sy, sx), (dy, dx), (top, bottom, left, right) = stride, dilation, pads
  xp = np.pad(x.astype(np.float64), ((0, 0), (top, bottom), (left, right)))
  out = []
  for f in range(F):
    acc = 0
    for c in range(C):
      kd = np.zeros((dy * (KH - 1) + 1, dx * (KW - 1) + 1))
      kd[::dy, ::dx] = w[f, c]
      op = signal.correlate2d if mode == "correlate" else signal.convolve2d
      acc = acc + op(xp[c], kd, mode="valid")[::sy, ::sx]
    out.append(acc)
  out = np.array(out)
  if normalise:
    out = out / (C * KH * KW)
  if b is not None:
    out = out + b.astype(np.float64)[:, None, None]
  return out


def conv2d_torch(x, w, b, stride, dilation, pads, mode, normalise, g):
  """Forward and gradients from PyTorch autograd in float64."""
  xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
  wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
  bt = torch.tensor(b, dtype=torch.float64, requires_grad=True) if b is not None else None
  top, bottom, left, right = pads
  C, KH, KW = w.shape[1], w.shape[2], w.shape[3]
  kernel = torch.flip(wt, dims=(2, 3)) if mode == "convolve" else wt
  y = TF.conv2d(TF.pad(xt[None], (left, right, top, bottom)), kernel, stride=stride,
                dilation=dilation)[0]
  if normalise:
    y = y / (C * KH * KW)
  if bt is not None:
    y = y + bt[:, None, None]
  (y * torch.tensor(g, dtype=torch.float64)).sum().backward()
  return (y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(),
          bt.grad.numpy() if bt is not None else None)


def conv2d_case(name, x, w, b, stride, dilation, padding, mode, normalise, rng):
  C, H, W = x.shape
  F, _, KH, KW = w.shape
  if padding == "valid":
    pads = (0, 0, 0, 0)
  elif padding == "same":
    pads = same_padding(H, KH, stride[0], dilation[0]) + same_padding(W, KW, stride[1], dilation[1])
  else:
    pads = tuple(padding)
  g = f32(rng, (F, conv_out(H, KH, stride[0], dilation[0], pads[0], pads[1]),
                conv_out(W, KW, stride[1], dilation[1], pads[2], pads[3])))
  out, dx, dw, db = conv2d_ref(x, w, b, stride, dilation, pads, mode, normalise, g)
  checks = {"scipyForward": agree(name, out, conv2d_scipy(x, w, b, stride, dilation, pads, mode,
                                                          normalise))}
  if torch is not None:
    tout, tdx, tdw, tdb = conv2d_torch(x, w, b, stride, dilation, pads, mode, normalise, g)
    checks["torch"] = max(agree(name, out, tout), agree(name, dx, tdx), agree(name, dw, tdw),
                          agree(name, db, tdb) if b is not None else 0.0)
  kind = padding if isinstance(padding, str) else "explicit"
  case = {
    "name": name,
    "mode": mode,
    "stride": list(stride),
    "dilation": list(dilation),
    "padding": {"kind": kind, "top": pads[0], "bottom": pads[1], "left": pads[2],
                "right": pads[3]},
    "normalise": normalise,
    "input": F32(x),
    "weights": F32(w),
    "bias": F32(b) if b is not None else None,
    "output": F32(out),
    "dOutput": F32(g),
    "dInput": F32(dx),
    "dWeights": F32(dw),
    "dBias": F32(db) if b is not None else None,
  }
  return case, checks


def make_conv2d(rng):
  cases, worst = [], {}

  def add(case_checks):
    case, checks = case_checks
    cases.append(case)
    for k, v in checks.items():
      worst[k] = max(worst.get(k, 0.0), v)

  # Hand-checkable: 0..8 under [1 0; 0 1] gives [4 6; 10 12].
  x = np.arange(9, dtype=np.float32).reshape(1, 3, 3)
  w = np.array([[[[1, 0], [0, 1]]]], dtype=np.float32)
  add(conv2d_case("counting grid, diagonal kernel", x, w, None, (1, 1), (1, 1), "valid",
                  "correlate", False, rng))
  assert cases[-1]["output"].values.tolist() == [4, 6, 10, 12]
  # The same grid convolved: the kernel flips to [1 0; 0 1] again, so try an asymmetric one.
  w = np.array([[[[1, 2], [3, 4]]]], dtype=np.float32)
  add(conv2d_case("counting grid, convolve flips the kernel", x, w, None, (1, 1), (1, 1),
                  "valid", "convolve", False, rng))
  # 4*0+3*1+2*3+1*4 = 13 at the top left: scipy's convolve2d agrees.
  assert cases[-1]["output"].values.tolist()[0] == 13

  paddings = ["valid", "same", "explicit"]
  modes = ["correlate", "convolve"]
  i = 0
  while len(cases) < 32:
    C = int(rng.integers(1, 4))
    H, W = int(rng.integers(3, 10)), int(rng.integers(3, 10))
    F = int(rng.integers(1, 4))
    KH, KW = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    kind = paddings[i % 3]
    mode = modes[(i // 3) % 2]
    has_bias = i % 4 != 1
    normalise = i % 5 == 2
    padding = kind
    if kind == "explicit":
      padding = tuple(int(v) for v in rng.integers(0, 3, size=4))
    pads = padding if kind == "explicit" else (0, 0, 0, 0)
    if kind != "same" and (
        conv_out(H, KH, stride[0], dilation[0], pads[0], pads[1]) < 1
        or conv_out(W, KW, stride[1], dilation[1], pads[2], pads[3]) < 1):
      continue  # the kernel does not fit: draw again
    x = f32(rng, (C, H, W))
    w = f32(rng, (F, C, KH, KW))
    b = f32(rng, (F,)) if has_bias else None
    name = (f"{mode} {C}x{H}x{W} {F} filters {KH}x{KW} stride {stride[0]},{stride[1]} "
            f"dilation {dilation[0]},{dilation[1]} {kind}"
            + (" bias" if has_bias else "") + (" normalise" if normalise else ""))
    add(conv2d_case(name, x, w, b, stride, dilation, padding, mode, normalise, rng))
    i += 1
  checked = "scipy.signal.correlate2d/convolve2d (forward); torch.nn.functional.conv2d autograd, " \
            "float64 (forward and backward)"
  return {"producedBy": produced_by("numpy float64, rounded to float32", checked),
          "crossCheckMaxAbsDifference": worst, "cases": cases}


def conv1d_case(name, x, w, b, stride, dilation, padding, mode, rng):
  """A 1-D case through the 2-D reference (height 1), cross-checked with numpy.correlate."""
  C, L = x.shape
  F, _, K = w.shape
  if padding == "valid":
    lr = (0, 0)
  elif padding == "same":
    lr = same_padding(L, K, stride, dilation)
  else:
    lr = tuple(padding)
  case, checks = conv2d_case(name, x[:, None, :], w[:, :, None, :], b, (1, stride), (1, dilation),
                             (0, 0, lr[0], lr[1]), mode, False, rng)
  out = np.asarray(case["output"].values, dtype=np.float64).reshape(F, -1)
  if stride == 1 and dilation == 1:  # NumPy's own 1-D correlate/convolve
    xp = np.pad(x.astype(np.float64), ((0, 0), lr))
    op = np.correlate if mode == "correlate" else np.convolve
    ref = np.array([sum(op(xp[c], w[f, c].astype(np.float64), "valid") for c in range(C))
                    for f in range(F)])
    if b is not None:
      ref = ref + b[:, None]
    checks["numpyForward"] = agree(name, out, ref, 1e-6)  # `out` is already float32
  squeeze = {"input": (C, L), "weights": (F, C, K), "output": (F, -1), "dOutput": (F, -1),
             "dInput": (C, L), "dWeights": (F, C, K)}
  for key, shape in squeeze.items():
    t = case[key]
    case[key] = F32(np.asarray(t.values).reshape(shape))
  case["stride"] = stride
  case["dilation"] = dilation
  pad = case.pop("padding")
  case["padding"] = {"kind": padding if isinstance(padding, str) else "explicit",
                     "left": pad["left"], "right": pad["right"]}
  del case["normalise"]
  return case, checks


def make_conv1d(rng):
  cases, worst = [], {}

  def add(case_checks):
    case, checks = case_checks
    cases.append(case)
    for k, v in checks.items():
      worst[k] = max(worst.get(k, 0.0), v)

  # The lecture's step edge: f = 0 0 0 0 0 1 1 1 1 1, g = [-1, 1], n = 0 ... 8.
  step = np.array([[0, 0, 0, 0, 0, 1, 1, 1, 1, 1]], dtype=np.float32)
  kernel = np.array([[[-1, 1]]], dtype=np.float32)
  add(conv1d_case("lecture step edge, correlate", step, kernel, None, 1, 1, "valid", "correlate",
                  rng))
  assert cases[-1]["output"].values.tolist() == [0, 0, 0, 0, 1, 0, 0, 0, 0]
  add(conv1d_case("lecture step edge, convolve", step, kernel, None, 1, 1, "valid", "convolve",
                  rng))
  assert cases[-1]["output"].values.tolist() == [0, 0, 0, 0, -1, 0, 0, 0, 0]
  assert np.convolve(step[0], kernel[0, 0], "valid").tolist() == [0, 0, 0, 0, -1, 0, 0, 0, 0]

  paddings = ["valid", "same", "explicit"]
  i = 0
  while len(cases) < 12:
    C, L, F = int(rng.integers(1, 4)), int(rng.integers(3, 13)), int(rng.integers(1, 4))
    K = int(rng.integers(1, 5))
    stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    if i < 3:
      stride, dilation = 1, 1  # a few the NumPy 1-D functions can check directly
    kind = paddings[i % 3]
    mode = ["correlate", "convolve"][(i // 3) % 2]
    padding = kind if kind != "explicit" else tuple(int(v) for v in rng.integers(0, 3, size=2))
    lr = padding if kind == "explicit" else (0, 0)
    if kind != "same" and conv_out(L, K, stride, dilation, lr[0], lr[1]) < 1:
      continue
    has_bias = i % 2 == 0
    x, w = f32(rng, (C, L)), f32(rng, (F, C, K))
    b = f32(rng, (F,)) if has_bias else None
    name = (f"{mode} {C}x{L} {F} filters {K} stride {stride} dilation {dilation} {kind}"
            + (" bias" if has_bias else ""))
    add(conv1d_case(name, x, w, b, stride, dilation, padding, mode, rng))
    i += 1
  checked = "numpy.correlate/convolve 'valid' (forward, stride 1); scipy.signal 2-D; " \
            "torch.nn.functional.conv2d autograd, float64"
  return {"producedBy": produced_by("numpy float64, rounded to float32", checked),
          "crossCheckMaxAbsDifference": worst, "cases": cases}


# MARK: - Pooling


def pool_out(n, k, s, ceil):
  if not ceil:
    return (n - k) // s + 1
  out = -(-(n - k) // s) + 1
  if (out - 1) * s >= n:  # that window would start past the input
    out -= 1
  return out


def pool_ref(x, kind, window, stride, ceil, g):
  x = x.astype(np.float64)
  g = g.astype(np.float64)
  C, H, W = x.shape
  (kh, kw), (sy, sx) = window, stride
  OH, OW = pool_out(H, kh, sy, ceil), pool_out(W, kw, sx, ceil)
  out = np.zeros((C, OH, OW))
  dx = np.zeros_like(x)
  for c in range(C):
    for oy in range(OH):
      for ox in range(OW):
        y0, x0 = oy * sy, ox * sx
        y1, x1 = min(y0 + kh, H), min(x0 + kw, W)  # a partial window keeps the cells inside
        if kind == "max":
          best, at = -math.inf, None
          for iy in range(y0, y1):  # row-major: the first maximum wins
            for ix in range(x0, x1):
              if x[c, iy, ix] > best:
                best, at = x[c, iy, ix], (iy, ix)
          out[c, oy, ox] = best
          dx[c, at[0], at[1]] += g[c, oy, ox]
        else:
          n = (y1 - y0) * (x1 - x0)
          out[c, oy, ox] = x[c, y0:y1, x0:x1].sum() / n
          dx[c, y0:y1, x0:x1] += g[c, oy, ox] / n
  return out, dx


def pool_torch(x, kind, window, stride, ceil, g):
  xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
  if kind == "max":
    y = TF.max_pool2d(xt[None], window, stride, ceil_mode=ceil)[0]
  else:
    y = TF.avg_pool2d(xt[None], window, stride, ceil_mode=ceil)[0]
  (y * torch.tensor(g, dtype=torch.float64)).sum().backward()
  return y.detach().numpy(), xt.grad.numpy()


def make_pool(rng):
  cases, worst = [], 0.0
  fixed = [  # (kind, C, H, W, window, stride, ceil): cases chosen for what they exercise
    ("max", 1, 4, 4, (2, 2), (2, 2), False),  # the textbook 4x4 -> 2x2
    ("max", 1, 5, 5, (2, 2), (2, 2), True),   # ceil: a partial last row and column
    ("avg", 1, 5, 5, (2, 2), (2, 2), True),   # avg over the cells inside the partial windows
    ("max", 1, 6, 6, (2, 2), (3, 3), True),   # ceil drops the window that would start at 6
    ("avg", 2, 9, 6, (2, 2), (3, 3), True),
    ("max", 1, 7, 7, (3, 3), (2, 2), False),  # overlapping windows: gradients add up
    ("max", 2, 5, 7, (3, 2), (1, 2), True),   # a non-square window and stride
    ("avg", 1, 6, 5, (2, 3), (2, 1), False),
  ]
  for i in range(20):
    if i < len(fixed):
      kind, C, H, W, window, stride, ceil = fixed[i]
    else:
      kind = ["max", "avg"][i % 2]
      ceil = (i // 2) % 2 == 1
      k = int(rng.integers(2, 4))
      s = int(rng.integers(1, 4))
      window, stride = (k, k), (s, s)
      C, H, W = int(rng.integers(1, 3)), int(rng.integers(k, 10)), int(rng.integers(k, 10))
    if kind == "max" and i % 3 == 0:
      x = rng.integers(0, 3, size=(C, H, W)).astype(np.float32)  # ties: the first max wins
    else:
      x = f32(rng, (C, H, W))
    OH, OW = pool_out(H, window[0], stride[0], ceil), pool_out(W, window[1], stride[1], ceil)
    g = f32(rng, (C, OH, OW))
    out, dx = pool_ref(x, kind, window, stride, ceil, g)
    if torch is not None:
      tout, tdx = pool_torch(x, kind, window, stride, ceil, g)
      worst = max(worst, agree(f"pool {i}", out, tout), agree(f"pool {i}", dx, tdx))
    cases.append({
      "name": f"{kind} {C}x{H}x{W} window {window[0]}x{window[1]} stride {stride[0]},{stride[1]} "
              + ("ceil" if ceil else "floor") + (" ties" if kind == "max" and i % 3 == 0 else ""),
      "kind": kind, "window": list(window), "stride": list(stride), "ceilMode": ceil,
      "input": F32(x), "output": F32(out), "dOutput": F32(g), "dInput": F32(dx),
    })
  assert cases[3]["output"].shape == [1, 2, 2]  # ceil((6-2)/3)+1 = 3 windows, the last dropped
  return {"producedBy": produced_by("numpy float64 loops, rounded to float32",
                                    "torch.nn.functional.max_pool2d/avg_pool2d autograd, float64"),
          "crossCheckMaxAbsDifference": worst, "cases": cases}


# MARK: - Dense, activations, softmax, loss


def softmax(z):
  z = z - z.max(axis=-1, keepdims=True)
  e = np.exp(z)
  return e / e.sum(axis=-1, keepdims=True)


def logsumexp(z):
  m = z.max(axis=-1, keepdims=True)
  return (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))[..., 0]


def make_layers(rng):
  worst = 0.0
  dense = []
  for n, fan_in, fan_out in [(1, 3, 2), (2, 5, 4), (3, 6, 1), (4, 1, 3)]:
    x, w, b, g = f32(rng, (n, fan_in)), f32(rng, (fan_out, fan_in)), f32(rng, (fan_out,)), \
      f32(rng, (n, fan_out))
    x64, w64, g64 = x.astype(np.float64), w.astype(np.float64), g.astype(np.float64)
    out = x64 @ w64.T + b
    dx, dw, db = g64 @ w64, g64.T @ x64, g64.sum(axis=0)
    if torch is not None:
      xt, wt, bt = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
      yt = TF.linear(xt, wt, bt)
      (yt * torch.tensor(g, dtype=torch.float64)).sum().backward()
      worst = max(worst, agree("dense", out, yt.detach()), agree("dense", dx, xt.grad),
                  agree("dense", dw, wt.grad), agree("dense", db, bt.grad))
    dense.append({"name": f"batch {n}, {fan_in} -> {fan_out}", "input": F32(x),
                  "weights": F32(w), "bias": F32(b), "output": F32(out), "dOutput": F32(g),
                  "dInput": F32(dx), "dWeights": F32(dw), "dBias": F32(db)})

  activations = []
  wide = np.concatenate([f32(rng, (12,), -3, 3),
                         np.array([-100, -20, -8.5, 8.5, 20, 100, 1e-3, -1e-3], np.float32)])
  for kind in ["relu", "sigmoid", "tanh"]:
    x = wide.reshape(4, 5)
    g = f32(rng, x.shape)
    x64 = x.astype(np.float64)
    if kind == "relu":
      out = np.maximum(x64, 0)
      dx = g * (x64 > 0)
    elif kind == "sigmoid":
      out = 1 / (1 + np.exp(-x64))
      dx = g * out * (1 - out)
    else:
      out = np.tanh(x64)
      dx = g * (1 - out ** 2)
    if torch is not None:
      xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
      yt = getattr(torch, kind)(xt)
      (yt * torch.tensor(g, dtype=torch.float64)).sum().backward()
      worst = max(worst, agree(kind, out, yt.detach()), agree(kind, dx, xt.grad))
    activations.append({"name": kind, "kind": kind, "input": F32(x), "output": F32(out),
                        "dOutput": F32(g), "dInput": F32(dx)})
  # ReLU at exactly 0: PyTorch and TensorFlow use a gradient of 0 there.
  x = np.array([-1, 0, 1, 0], np.float32)
  g = np.array([1, 1, 1, -2], np.float32)
  activations.append({"name": "relu at zero", "kind": "relu", "input": F32(x),
                      "output": F32(np.maximum(x, 0)), "dOutput": F32(g),
                      "dInput": F32(g * (x > 0))})

  soft = []
  logit_sets = [
    ("random", f32(rng, (3, 4), -3, 3)),
    ("large logits", np.array([[1000, 999, 998], [-1000, 0, 1000], [1000, 1000, 1000]],
                              np.float32)),
    ("one row", np.array([[0.5, -0.25, 2, 0, 1]], np.float32)),
  ]
  for name, z in logit_sets:
    g = f32(rng, z.shape)
    z64 = z.astype(np.float64)
    p = softmax(z64)
    dz = p * (g - (g * p).sum(axis=-1, keepdims=True))
    if torch is not None:
      zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
      yt = torch.softmax(zt, dim=-1)
      (yt * torch.tensor(g, dtype=torch.float64)).sum().backward()
      worst = max(worst, agree("softmax", p, yt.detach()), agree("softmax", dz, zt.grad))
    soft.append({"name": name, "input": F32(z), "output": F32(p), "dOutput": F32(g),
                 "dInput": F32(dz)})

  ce = []
  ce_sets = [
    ("random batch of 3", f32(rng, (3, 4), -3, 3), [2, 0, 3]),
    ("large logits", np.array([[1000, 0, -1000], [1000, 1000, 0], [-1000, -1000, -999]],
                              np.float32), [2, 1, 2]),
    ("batch of 1, ten classes", f32(rng, (1, 10), -2, 2), [7]),
    ("confident and right", np.array([[30, 0, 0], [0, 0, 30]], np.float32), [0, 2]),
    # log(1 + e^-10) = 4.54e-5: a loss computed as logsumexp(z) - z[label] loses it in the
    # rounding of 1000.0000454 to float32 (steps of 6.1e-5 there)
    ("large logits, nearly certain", np.array([[1000, 990]], np.float32), [0]),
  ]
  for name, z, labels in ce_sets:
    z64 = z.astype(np.float64)
    n = z.shape[0]
    losses = logsumexp(z64) - z64[np.arange(n), labels]
    loss = losses.mean()
    dz = softmax(z64)
    dz[np.arange(n), labels] -= 1
    dz /= n
    if torch is not None:
      zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
      lt = TF.cross_entropy(zt, torch.tensor(labels))
      lt.backward()
      worst = max(worst, agree("cross entropy", loss, lt.detach()), agree("ce", dz, zt.grad))
    ce.append({"name": name, "logits": F32(z), "labels": labels, "loss": scalar32(loss),
               "dLogits": F32(dz)})
  # by hand: row losses 2000, log 2 and log(1 + 2/e)
  assert abs(float(ce[1]["loss"].value) - (2000 + math.log(2) + math.log1p(2 / math.e)) / 3) < 1e-3
  # Values across the float32 range with their bit patterns: a reader of these files can check
  # that it decodes every number to exactly the float32 that was written.
  magnitudes = 10.0 ** rng.integers(-38, 38, size=120)
  tricky = np.array([1e-45, 1.1754944e-38, 3.4028235e38, -3.4028235e38, 16777217, 0.1, -0.0,
                     1 / 3, 2 / 3, np.pi, 0.5 ** 24, 1 - 0.5 ** 24], dtype=np.float64)
  check = np.concatenate([rng.standard_normal(120) * magnitudes, tricky]).astype(np.float32)
  decoding = {"values": F32(check), "bits": [int(b) for b in check.view(np.uint32)]}
  return {"producedBy": produced_by("numpy float64, rounded to float32",
                                    "torch autograd (linear, relu, sigmoid, tanh, softmax, "
                                    "cross_entropy), float64"),
          "crossCheckMaxAbsDifference": worst,
          "notes": "dense weights are (out, in) as in PyTorch; the loss is the batch mean",
          "dense": dense, "activations": activations, "softmax": soft,
          "softmaxCrossEntropy": ce, "decodingCheck": decoding}


# MARK: - mnist-small, one training step


MNIST_LAYERS = [  # (name, shape) in PyTorch layout and order
  ("conv1.weight", (8, 1, 5, 5)), ("conv1.bias", (8,)),
  ("conv2.weight", (16, 8, 5, 5)), ("conv2.bias", (16,)),
  ("fc.weight", (10, 784)), ("fc.bias", (10,)),
]


def mnist_init(rng):
  """PyTorch's default init ranges: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and bias."""
  fan_in = {"conv1": 25, "conv2": 200, "fc": 784}
  params = {}
  for name, shape in MNIST_LAYERS:
    bound = 1 / math.sqrt(fan_in[name.split(".")[0]])
    params[name] = rng.uniform(-bound, bound, size=shape).astype(np.float32)
  return params


def maxpool_batch(a):
  """2x2 stride 2 max pooling of (N, C, H, W), first maximum wins; returns the argmax mask."""
  N, C, H, W = a.shape
  windows = a.reshape(N, C, H // 2, 2, W // 2, 2).transpose(0, 1, 2, 4, 3, 5)
  windows = windows.reshape(N, C, H // 2, W // 2, 4)  # row-major order inside the window
  first = windows.argmax(axis=-1)  # numpy's argmax returns the first maximum
  out = np.take_along_axis(windows, first[..., None], axis=-1)[..., 0]
  return out, first


def maxpool_batch_backward(g, first, shape):
  N, C, H, W = shape
  d = np.zeros((N, C, H // 2, W // 2, 4))
  np.put_along_axis(d, first[..., None], g[..., None], axis=-1)
  d = d.reshape(N, C, H // 2, W // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
  return d.reshape(shape)


def mnist_loss_and_grads(params, x, labels):
  """Forward and backward of the whole network for a batch, in float64."""
  p = {k: v.astype(np.float64) for k, v in params.items()}
  N = x.shape[0]
  pads = (2, 2, 2, 2)
  a1 = np.stack([conv2d_ref(x[n], p["conv1.weight"], p["conv1.bias"], (1, 1), (1, 1), pads,
                            "correlate", False, None)[0] for n in range(N)])
  r1 = np.maximum(a1, 0)
  m1, first1 = maxpool_batch(r1)
  a2 = np.stack([conv2d_ref(m1[n], p["conv2.weight"], p["conv2.bias"], (1, 1), (1, 1), pads,
                            "correlate", False, None)[0] for n in range(N)])
  r2 = np.maximum(a2, 0)
  m2, first2 = maxpool_batch(r2)
  flat = m2.reshape(N, -1)  # (C, H, W) order
  logits = flat @ p["fc.weight"].T + p["fc.bias"]
  loss = (logsumexp(logits) - logits[np.arange(N), labels]).mean()
  dlogits = softmax(logits)
  dlogits[np.arange(N), labels] -= 1
  dlogits /= N
  grads = {"fc.weight": dlogits.T @ flat, "fc.bias": dlogits.sum(axis=0)}
  dm2 = (dlogits @ p["fc.weight"]).reshape(m2.shape)
  da2 = maxpool_batch_backward(dm2, first2, r2.shape) * (a2 > 0)
  grads["conv2.weight"] = np.zeros_like(p["conv2.weight"])
  grads["conv2.bias"] = np.zeros_like(p["conv2.bias"])
  dm1 = np.zeros_like(m1)
  for n in range(N):
    _, dx, dw, db = conv2d_ref(m1[n], p["conv2.weight"], p["conv2.bias"], (1, 1), (1, 1), pads,
                               "correlate", False, da2[n])
    dm1[n] = dx
    grads["conv2.weight"] += dw
    grads["conv2.bias"] += db
  da1 = maxpool_batch_backward(dm1, first1, r1.shape) * (a1 > 0)
  grads["conv1.weight"] = np.zeros_like(p["conv1.weight"])
  grads["conv1.bias"] = np.zeros_like(p["conv1.bias"])
  for n in range(N):
    _, _, dw, db = conv2d_ref(x[n], p["conv1.weight"], p["conv1.bias"], (1, 1), (1, 1), pads,
                              "correlate", False, da1[n])
    grads["conv1.weight"] += dw
    grads["conv1.bias"] += db
  # Pooling windows whose two largest values are equal and positive: there the first-maximum
  # rule decides where the gradient goes (blank background gives ReLU(bias) in every cell).
  # Near ties could flip in float32 and move a gradient: count those too.
  ties = near = 0
  for w in (maxpool_windows(r1), maxpool_windows(r2)):
    top = np.sort(w, axis=-1)
    gap = top[..., -1] - top[..., -2]
    ties += int(np.sum((gap == 0) & (top[..., -1] > 0)))
    near += int(np.sum((gap > 0) & (gap < 1e-5 * np.maximum(top[..., -1], 1e-30))))
  return logits, loss, grads, (ties, near)


def maxpool_windows(a):
  N, C, H, W = a.shape
  return a.reshape(N, C, H // 2, 2, W // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
    N, C, H // 2, W // 2, 4)


def mnist_torch(params, x, labels, lr, momentum, dtype):
  """The same step in PyTorch: the same model, SGD (two steps) and Adam (one step)."""
  import torch.nn as nn

  def build():
    model = nn.Sequential(
      nn.Conv2d(1, 8, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
      nn.Conv2d(8, 16, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
      nn.Flatten(), nn.Linear(784, 10)).to(dtype)
    names = ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]
    with torch.no_grad():
      for (name, _), tname in zip(MNIST_LAYERS, names):
        model.get_parameter(tname).copy_(torch.tensor(params[name], dtype=dtype))
    return model, names

  xt = torch.tensor(x, dtype=dtype)
  yt = torch.tensor(labels)
  model, names = build()
  opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
  out = model(xt)
  loss = TF.cross_entropy(out, yt)
  opt.zero_grad()
  loss.backward()
  grads = {n: model.get_parameter(t).grad.numpy().copy() for (n, _), t in zip(MNIST_LAYERS, names)}
  opt.step()
  loss2 = TF.cross_entropy(model(xt), yt)
  opt.zero_grad()
  loss2.backward()
  opt.step()
  sgd = {n: model.get_parameter(t).detach().numpy().copy() for (n, _), t in zip(MNIST_LAYERS, names)}
  model_a, _ = build()
  adam = torch.optim.Adam(model_a.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
  TF.cross_entropy(model_a(xt), yt).backward()
  adam.step()
  adam_p = {n: model_a.get_parameter(t).detach().numpy().copy()
            for (n, _), t in zip(MNIST_LAYERS, names)}
  return out.detach().numpy(), loss.item(), grads, loss2.item(), sgd, adam_p


def read_idx(path):
  """A gzipped IDX file of unsigned bytes (MNIST's format) as an array."""
  with gzip.open(path, "rb") as f:
    data = f.read()
  zero, dtype, ndim = struct.unpack(">HBB", data[:4])
  assert zero == 0 and dtype == 0x08, f"{path}: not an IDX file of unsigned bytes"
  dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
  return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist_digits(directory, count):
  """The first `count` training digits with different labels, as (N, 1, 28, 28) / 255."""
  images = read_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"))
  labels = read_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"))
  rows, seen = [], set()
  for i, label in enumerate(labels):
    if int(label) not in seen:
      rows.append(i)
      seen.add(int(label))
    if len(rows) == count:
      break
  x = (images[rows].astype(np.float32) / np.float32(255)).reshape(count, 1, 28, 28)
  return x, labels[rows].astype(np.int64), rows


def make_mnist(rng, mnist_dir):
  lr, momentum = 0.05, 0.9
  adam_lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8
  x, labels, rows = load_mnist_digits(mnist_dir, 4)
  params = mnist_init(rng)

  logits, loss, grads, ties = mnist_loss_and_grads(params, x, labels)
  # SGD with momentum, PyTorch's form: v = momentum*v + g; w -= lr*v. Weights are float32
  # between steps, as they are in the engine and in PyTorch.
  v1 = {k: grads[k] for k in grads}
  w1 = {k: (params[k] - lr * v1[k]).astype(np.float32) for k in params}
  _, loss_after_1, grads1, _ = mnist_loss_and_grads(w1, x, labels)
  v2 = {k: momentum * v1[k] + grads1[k] for k in grads}
  w2 = {k: (w1[k] - lr * v2[k]).astype(np.float32) for k in params}
  # Adam, one step from the initial weights, bias-corrected.
  adam = {}
  for k in params:
    m = (1 - beta1) * grads[k]
    v = (1 - beta2) * grads[k] ** 2
    m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
    adam[k] = (params[k] - adam_lr * m_hat / (np.sqrt(v_hat) + eps)).astype(np.float32)

  checks = {}
  if torch is not None:
    t_logits, t_loss, t_grads, t_loss2, t_sgd, t_adam = mnist_torch(
      params, x, labels, lr, momentum, torch.float64)
    checks["float64 logits, loss, gradients"] = max(
      [agree("logits", logits, t_logits), agree("loss", loss, t_loss)]
      + [agree(k, grads[k], t_grads[k]) for k in grads])
    checks["float64 loss after SGD step 1"] = agree("loss2", loss_after_1, t_loss2, 1e-6)
    checks["float64 weights after 2 SGD steps"] = max(
      agree(k, w2[k], t_sgd[k], 1e-6) for k in params)
    checks["float64 weights after 1 Adam step"] = max(
      agree(k, adam[k], t_adam[k], 1e-6) for k in params)
    # How far a float32 run of the same step lands from this reference: a guide for tolerances.
    f_logits, f_loss, f_grads, f_loss2, f_sgd, f_adam = mnist_torch(
      params, x, labels, lr, momentum, torch.float32)
    checks["torch float32 vs reference: logits"] = float(np.max(np.abs(f_logits - logits)))
    checks["torch float32 vs reference: loss"] = abs(f_loss - loss)
    checks["torch float32 vs reference: gradients, max relative to each tensor's max"] = max(
      float(np.max(np.abs(f_grads[k] - grads[k])) / np.max(np.abs(grads[k]))) for k in grads)
    checks["torch float32 vs reference: weights after 2 SGD steps"] = max(
      float(np.max(np.abs(f_sgd[k] - w2[k]))) for k in params)
    checks["torch float32 vs reference: weights after 1 Adam step"] = max(
      float(np.max(np.abs(f_adam[k] - adam[k]))) for k in params)

  def tensors(d):
    return {k: F32(d[k]) for k, _ in MNIST_LAYERS}

  # Adam's first step moves each weight by about lr*sign(g): where g is tiny, float32 noise in
  # g decides the step, so tests compare those weights loosely. Exact zeros (features that are
  # zero for every image) move by exactly 0.
  zero = sum(int(np.sum(grads[k] == 0)) for k in grads)
  tiny = sum(int(np.sum((grads[k] != 0) & (np.abs(grads[k]) < 1e-6))) for k in grads)
  return {
    "producedBy": produced_by(
      "numpy float64 (the conv2d and pooling definitions of this script), rounded to float32; "
      "weights stored as float32 between SGD steps",
      "the same network as a torch.nn.Sequential with torch.optim.SGD/Adam, float64"),
    "crossChecks": checks,
    "network": "conv 8 5x5 pad 2 relu | maxpool 2 | conv 16 5x5 pad 2 relu | maxpool 2 | dense 10",
    "layout": "PyTorch: conv weights (F, C, KH, KW), fc.weight (out, in) = (10, 784); flatten "
              "takes (C, H, W) = (16, 7, 7) in row-major order",
    "data": f"images {rows} (0-based) of assets/mnist/train-images-idx3-ubyte.gz, pixels / 255",
    "images": F32(x),
    "labels": labels.tolist(),
    "initialParameters": tensors(params),
    "logits": F32(logits),
    "loss": scalar32(loss),
    "gradients": tensors(grads),
    "gradientsExactlyZero": zero,
    "gradientsBelow1e-6": tiny,
    "poolingTiesAboveZero": ties[0],
    "poolingNearTies": ties[1],
    "sgd": {
      "learningRate": lr, "momentum": momentum, "steps": 2,
      "rule": "v = momentum*v + g (v starts at g); w -= learningRate*v; the same batch both steps",
      "lossAfterStep1": scalar32(loss_after_1),
      "parametersAfter": tensors(w2),
    },
    "adam": {
      "learningRate": adam_lr, "beta1": beta1, "beta2": beta2, "epsilon": eps, "steps": 1,
      "rule": "m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; "
              "w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)",
      "parametersAfter": tensors(adam),
    },
  }


def main():
  ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  ap.add_argument("--out", default=DEFAULT_OUT)
  ap.add_argument("--mnist-dir", default=DEFAULT_MNIST,
                  help="folder with train-images/labels-idx*-ubyte.gz (default: assets/mnist)")
  args = ap.parse_args()
  if torch is None:
    print("note: torch is not installed; the torch cross-checks are skipped", file=sys.stderr)
  else:
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
  os.makedirs(args.out, exist_ok=True)
  write(args.out, "conv2d.json", make_conv2d(np.random.default_rng(2001)))
  write(args.out, "conv1d.json", make_conv1d(np.random.default_rng(1001)))
  write(args.out, "pool.json", make_pool(np.random.default_rng(3001)))
  write(args.out, "layers.json", make_layers(np.random.default_rng(4001)))
  write(args.out, "mnist_small_step.json", make_mnist(np.random.default_rng(5001), args.mnist_dir))


if __name__ == "__main__":
  main()

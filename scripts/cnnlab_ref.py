"""What the PyTorch reference scripts share: where the named data sets live and an IDX reader.

Imported by scripts/check_model_torch.py and scripts/train_torch.py (each puts this folder on
sys.path, so both run as `python scripts/NAME.py` from anywhere). Needs numpy.
"""

import gzip
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The data set names `cnnlab --data` knows that are folders of IDX files (xo is generated).
NAMED_FOLDERS = {
    "mnist": os.path.join(ROOT, "assets", "mnist"),
    "fashion": "/usr/share/datasets/fashion-mnist",
}


def data_folder(name):
    """The folder `--data NAME` reads: a known name's folder, or NAME itself as a path."""
    return NAMED_FOLDERS.get(name, name)


def read_idx(folder, stem):
    """The array in `folder`/`stem` or `stem`.gz (gzip is recognised by its first bytes)."""
    for name in (stem, stem + ".gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            dims = data[3]
            shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    program = os.path.basename(sys.argv[0]) or "cnnlab_ref"
    raise SystemExit(f"{program}: no {stem}(.gz) in {folder}")

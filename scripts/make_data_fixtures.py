#!/usr/bin/env python3
"""Writes the reference files that Tests/CNNLabDataTests reads: .npy files saved by NumPy and a
.safetensors file saved by the safetensors package, with their expected values in
Tests/CNNLabDataTests/Fixtures/expected.json.

The expected values are what NumPy itself holds for each array (cast to float32, row-major), so
the tests check cnnlab's readers against an independent implementation.

    pip install numpy safetensors
    python3 scripts/make_data_fixtures.py
"""
import io
import json
import os
import sys

import numpy as np
from numpy.lib import format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "CNNLabDataTests", "Fixtures")


def expected_entry(name, array):
    """The shape and the row-major float32 values cnnlab should read."""
    values = np.ascontiguousarray(array).astype(np.float32).ravel(order="C")
    return {"file": name, "shape": list(array.shape), "values": [float(v) for v in values]}


def save_npy(name, array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array, allow_pickle=False)
    else:
        npformat.write_array(buffer, array, version=version, allow_pickle=False)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(buffer.getvalue())


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261121)
    cube = (np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 11.5) / 7
    arrays = {
        "f4_c.npy": (np.arange(6, dtype=np.float32).reshape(2, 3) / 7, None),
        "f4_fortran.npy": (np.asfortranarray(cube.astype(np.float32)), None),
        "f8_fortran_2d.npy": (np.asfortranarray(rng.standard_normal((3, 5))), None),
        "f8_big.npy": (cube.astype(">f8"), None),
        "f4_big_v2.npy": (cube.astype(">f4"), (2, 0)),
        "f4_v3.npy": (np.linspace(-1, 1, 10, dtype=np.float32).reshape(2, 5), (3, 0)),
        "f2.npy": (np.array([0.5, -2, 65504, 6e-8, 1 / 3], dtype=np.float16), None),
        "i1.npy": (np.array([[-128, -1, 0], [1, 7, 127]], dtype=np.int8), None),
        "i2_big.npy": (np.array([-32768, -300, 0, 300, 32767], dtype=">i2"), None),
        "i4.npy": (np.array([[-2147483648, -5], [5, 2147483647]], dtype=np.int32), None),
        "i8.npy": (np.array([-(2**40) - 1, -1, 0, 2**53 + 1], dtype=np.int64), None),
        "u1.npy": (np.arange(0, 256, 51, dtype=np.uint8).reshape(2, 3), None),
        "u2_big.npy": (np.array([0, 1, 65535], dtype=">u2"), None),
        "u4.npy": (np.array([0, 4294967295], dtype=np.uint32), None),
        "u8.npy": (np.array([0, 2**64 - 1], dtype=np.uint64), None),
        "bool.npy": (np.array([[True, False], [False, True]]), None),
        "scalar.npy": (np.array(2.5, dtype=np.float32), None),
        "empty.npy": (np.zeros((0, 3), dtype=np.float32), None),
        "rank4.npy": (rng.standard_normal((2, 1, 3, 2)).astype(np.float32), None),
        "rank4_fortran.npy": (np.asfortranarray(rng.standard_normal((2, 3, 2, 2))), None),
    }
    expected = {"npy": [], "safetensors": None, "encode": None}
    for name, (array, version) in arrays.items():
        save_npy(name, array, version)
        expected["npy"].append(expected_entry(name, array))

    # Not readable by cnnlab: the test checks the error names the dtype.
    save_npy("complex.npy", np.array([1 + 2j], dtype=np.complex64))

    # numpy.save's own bytes for a float32 array, to compare with NPY.encode.
    encode = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 3
    save_npy("encode_ref.npy", encode)
    expected["encode"] = expected_entry("encode_ref.npy", encode)

    try:
        from safetensors.numpy import save_file
    except ImportError:
        print("safetensors is not installed; skipping the .safetensors fixture", file=sys.stderr)
    else:
        tensors = {
            "conv.weight": rng.standard_normal((2, 1, 3, 3)).astype(np.float32),
            "conv.bias": np.array([0.25, -0.5], dtype=np.float32),
            "fc.weight": rng.standard_normal((3, 4)),
            "half": np.array([1.5, -0.25, 1024], dtype=np.float16),
            "steps": np.array([1, -2, 3], dtype=np.int64),
            "mask": np.array([True, False, True]),
            "pixels": np.array([[0, 128], [255, 7]], dtype=np.uint8),
        }
        save_file(tensors, os.path.join(OUT, "reference.safetensors"),
                  metadata={"format": "np", "epoch": "3"})
        expected["safetensors"] = {
            "file": "reference.safetensors",
            "metadata": {"format": "np", "epoch": "3"},
            "tensors": {k: expected_entry(k, v) for k, v in tensors.items()},
        }

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(arrays) + 2} .npy files and expected.json to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Recomputes with NumPy, independently of cnnlab's engine, the numbers ShippedLessonTests
checks the course against. Run from the repository root: python3 Tests/CNNLabLessonsTests/Fixtures/lesson_numbers.py"""
import numpy as np


def grid(path):
    rows = [line.split("#")[0].split() for line in open(path)]
    return np.array([[float(v) for v in row] for row in rows if row])


def correlate(image, kernel, scale=1.0):
    kh, kw = kernel.shape
    oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    return np.array([[(image[i:i + kh, j:j + kw] * kernel).sum() * scale for j in range(ow)] for i in range(oh)])


def max_pool_ceil(m, size=2):
    n = -(-m.shape[0] // size)
    return np.array([[m[size * i:size * i + size, size * j:size * j + size].max() for j in range(n)] for i in range(n)])


x = grid("assets/xo/x.grid")
x_extra = grid("assets/xo/x-extra.grid")
x_moved = grid("assets/xo/x-shifted.grid")
diag, cross, anti = (grid(f"assets/xo/{name}.grid") for name in ("diagonal", "x-centre", "anti-diagonal"))

# Lesson 2: output cell i of the flipped [-1, 1] over the step signal is f[i] - f[i+1].
f = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=float)
print("lesson 2 conv:", np.convolve(f, [-1, 1], mode="valid").tolist())

# Lesson 4: the extra-pixel X's maps against the slide's printed maps (which cut digits off).
slide = {
    "diag": [[0.77, -0.11, 0.11, 0.88, 0.55, -0.11, 0.88], [-0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11],
             [0.11, -0.11, 1.00, -0.33, 0.11, -0.11, 0.55], [0.11, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
             [0.55, -0.11, 0.11, -0.33, 1.00, -0.11, 0.11], [-0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11],
             [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77]],
    "cross": [[0.88, -0.55, 0.11, -0.11, 0.11, -0.55, 0.88], [-0.55, 0.55, -0.55, 0.88, -0.55, 0.55, -0.55],
              [0.11, -0.55, 0.55, -0.77, 0.55, -0.55, 0.11], [-0.11, 0.33, -0.77, 1.00, -0.77, 0.33, -0.11],
              [0.11, -0.55, 0.55, -0.77, 0.55, -0.55, 0.11], [-0.55, 0.55, -0.55, 0.88, -0.55, 0.55, -0.55],
              [0.38, -0.55, 0.11, -0.11, 0.11, -0.55, 0.88]],
    "anti": [[0.38, -0.11, 0.55, 0.38, 0.11, -0.11, 0.77], [-0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11],
             [0.55, -0.11, 0.11, -0.33, 1.00, -0.11, 0.11], [0.38, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
             [0.11, -0.11, 1.00, -0.33, 0.11, -0.11, 0.35], [-0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11],
             [0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33]],
}
for name, kernel in (("diag", diag), ("cross", cross), ("anti", anti)):
    true = correlate(x_extra, kernel, 1 / 9)
    wrong = np.abs(np.array(slide[name]) - np.trunc(true * 100) / 100) > 0.005
    print(f"lesson 4 extra-pixel {name} map: {int(wrong.sum())} cells differ from the slide")
print("lesson 4 emaps[0,5,5]:", correlate(x_extra, diag, 1 / 9)[5, 5], "= 7/9")
dmap = correlate(x, diag, 1 / 9)
print("lesson 4 fmap[4,1]:", dmap[4, 1], " maps[2,3,3]:", correlate(x, anti, 1 / 9)[3, 3],
      " (-1+1+1+1+1+1+1-1)/9 =", (-1 + 1 + 1 + 1 + 1 + 1 + 1 - 1) / 9)

# Lesson 5: the padded corner.
padded = correlate(np.pad(x, 1), diag, 1 / 9)
print("lesson 5 padded[0,0]:", padded[0, 0], "= 2/9")

# Lesson 6: cells of the diagonal map that ReLU keeps above 0.
print("lesson 6 positive diagonal cells:", int((dmap > 0).sum()))

# Lesson 7: dmap[0,5], and how many pooled cells change when the X moves one column.
moved = max_pool_ceil(correlate(x_moved, diag, 1 / 9))
print("lesson 7 dmap[0,5]:", dmap[0, 5], " pooled cells that change:", int((np.abs(moved - max_pool_ceil(dmap)) > 1e-9).sum()))
print("lesson 7 average-pooled dmap[0,0]:", dmap[0:2, 0:2].mean(), "= 7/18 =", 7 / 18)

# Lesson 9: the ReLU'd crossing map's top-left window, and its max (row[16]).
window = np.maximum(correlate(x, cross, 1 / 9), 0)[:2, :2]
print("lesson 9 window:", (window * 9).round().tolist(), "/ 9, max", window.max())

# Lesson 11: softmax-cross-entropy gradient p - t for scores [0.88, 0.49], t = [1, 0].
z = np.array([0.88, 0.49])
p = np.exp(z) / np.exp(z).sum()
print("lesson 11 p - t:", (p - np.array([1, 0])).tolist())

# Lesson 12: receptive fields of stacked valid 3x3 layers on a 7x7 picture (input - output + 1).
dot = np.zeros((7, 7))
dot[3, 3] = 1
first = correlate(dot, np.ones((3, 3)))
second = correlate(first, np.ones((3, 3)))
third = correlate(second, np.ones((3, 3)))
print("lesson 12 reached:", int((first > 0).sum()), " fields:", 7 - second.shape[1] + 1, 7 - third.shape[1] + 1)

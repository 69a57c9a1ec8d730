#!/usr/bin/env python3
"""Walks of SGD, momentum, RMSProp and Adam down lesson 15's bowl, computed independently of
cnnlab's engine, the golden numbers TrainingLessonTests checks `descend` against. Each walk is run twice,
by the update rules written out in NumPy (float32) and by PyTorch's torch.optim (when torch is
installed), and the two must agree. Run from the repository root:
python3 Tests/CNNLabLessonsTests/Fixtures/optimizer_paths.py"""
import numpy as np

A, B = 1.0, 8.0          # f(x, y) = (A x^2 + B y^2) / 2, lesson 15's bowl
START = (-4.0, 1.5)
STEPS = 30


def loss(p):
    return (A * p[0] ** 2 + B * p[1] ** 2) / 2


def grad(p):
    return np.array([A * p[0], B * p[1]], dtype=np.float32)


def numpy_walk(kind, lr, steps=STEPS):
    f32 = np.float32
    p = np.array(START, dtype=np.float32)
    m = np.zeros(2, np.float32)
    v = np.zeros(2, np.float32)
    lr = f32(lr)
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = grad(p)
        if kind == "sgd":
            p = p - lr * g
        elif kind == "momentum":          # PyTorch: the first velocity is the gradient itself
            m = g.copy() if t == 1 else f32(0.9) * m + g
            p = p - lr * m
        elif kind == "rmsprop":           # alpha 0.99, eps 1e-8
            v = f32(0.99) * v + f32(0.01) * g * g
            p = p - lr * g / (np.sqrt(v) + f32(1e-8))
        elif kind == "adam":              # betas (0.9, 0.999), eps 1e-8, bias-corrected
            m = f32(0.9) * m + f32(0.1) * g
            v = f32(0.999) * v + f32(0.001) * g * g
            m_hat = m / f32(1 - 0.9 ** t)
            v_hat = v / f32(1 - 0.999 ** t)
            p = p - lr * m_hat / (np.sqrt(v_hat) + f32(1e-8))
        path.append(p.copy())
    return np.array(path)


def torch_walk(kind, lr, steps=STEPS):
    import torch
    p = torch.tensor(START, dtype=torch.float32, requires_grad=True)
    opt = {
        "sgd": lambda: torch.optim.SGD([p], lr=lr),
        "momentum": lambda: torch.optim.SGD([p], lr=lr, momentum=0.9),
        "rmsprop": lambda: torch.optim.RMSprop([p], lr=lr),
        "adam": lambda: torch.optim.Adam([p], lr=lr),
    }[kind]()
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (A * p[0] ** 2 + B * p[1] ** 2)).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


try:
    import torch  # noqa: F401
    have_torch = True
except ImportError:
    have_torch = False

for kind in ("sgd", "momentum", "rmsprop", "adam"):
    path = numpy_walk(kind, 0.1)
    if have_torch:
        other = torch_walk(kind, 0.1)
        assert np.allclose(path, other, rtol=1e-5, atol=1e-6), (kind, path[:4], other[:4])
    print(f"{kind} at rate 0.1, steps 1-3 (x, y):",
          [(round(float(a), 6), round(float(b), 6)) for a, b in path[1:4]],
          f" loss after {STEPS}: {loss(path[-1]):.6g}")

# SGD on the steep axis multiplies y by 1 - rate*B each step: it diverges above 2/B.
print("2/max(A, B) =", 2 / max(A, B))
for lr in (0.24, 0.25, 0.26):
    path = numpy_walk("sgd", lr)
    print(f"sgd at rate {lr}: loss {loss(path[0]):.6g} -> {loss(path[-1]):.6g} after {STEPS} steps")
print("torch agrees" if have_torch else "torch not installed: NumPy rules only")

# PyTorch CPU reference for `adapt bench sinusoid`: the paper's sinusoid MAML configuration
# (MLP 1-40-40-1 ReLU, K=10 support + 10 query, 1 inner step alpha=0.01, meta-batch 25, Adam 1e-3),
# second order (create_graph=True) and first order. Three styles: a loop over tasks (as
# learn2learn / pytorch-maml do), all 25 tasks batched with bmm, and batched with the bias folded
# into the product (baddbmm). Median ms per meta-iteration.
import time, statistics, sys, math
import torch
torch.set_num_threads(1)
torch.manual_seed(0)

def tasks(n=25, k=10, q=10):
    A = torch.empty(n, 1, 1).uniform_(0.1, 5.0); ph = torch.empty(n, 1, 1).uniform_(0, math.pi)
    xs = torch.empty(n, k, 1).uniform_(-5, 5); xq = torch.empty(n, q, 1).uniform_(-5, 5)
    return xs, A * torch.sin(xs - ph), xq, A * torch.sin(xq - ph)

def init():
    ps = []
    for a, b in [(1, 40), (40, 40), (40, 1)]:
        ps += [(torch.randn(a, b) * 0.01).requires_grad_(), torch.zeros(b, requires_grad=True)]
    return ps

def fwd(p, x):
    h = torch.relu(x @ p[0] + p[1]); h = torch.relu(h @ p[2] + p[3]); return h @ p[4] + p[5]

def fwd_batched(p, x):  # p[i] has a leading task dimension
    h = torch.relu(torch.bmm(x, p[0]) + p[1].unsqueeze(1)); h = torch.relu(torch.bmm(h, p[2]) + p[3].unsqueeze(1))
    return torch.bmm(h, p[4]) + p[5].unsqueeze(1)

def fwd_fused(p, x):  # the same with the bias folded into the product (baddbmm), as Adapt's Tensor.affine
    h = torch.relu(torch.baddbmm(p[1].unsqueeze(1), x, p[0])); h = torch.relu(torch.baddbmm(p[3].unsqueeze(1), h, p[2]))
    return torch.baddbmm(p[5].unsqueeze(1), h, p[4])

def step_loop(params, opt, batch, second_order):
    xs, ys, xq, yq = batch
    opt.zero_grad()
    total = 0
    for i in range(xs.shape[0]):
        loss = ((fwd(params, xs[i]) - ys[i]) ** 2).mean()
        g = torch.autograd.grad(loss, params, create_graph=second_order)
        fast = [p - 0.01 * gi for p, gi in zip(params, g)]
        total = total + ((fwd(fast, xq[i]) - yq[i]) ** 2).mean()
    (total / xs.shape[0]).backward(); opt.step()

def step_batched(params, opt, batch, second_order, fwd_batched=fwd_batched):
    xs, ys, xq, yq = batch
    n = xs.shape[0]
    opt.zero_grad()
    tiled = [p.unsqueeze(0).expand(n, *p.shape) for p in params]
    loss = ((fwd_batched(tiled, xs) - ys) ** 2).mean(dim=(1, 2)).sum()  # sum of per-task means
    g = torch.autograd.grad(loss, tiled, create_graph=second_order)
    fast = [p - 0.01 * gi for p, gi in zip(tiled, g)]
    ((fwd_batched(fast, xq) - yq) ** 2).mean().backward(); opt.step()

def bench(step, second_order, reps):
    params = init(); opt = torch.optim.Adam(params, lr=1e-3)
    batches = [tasks() for _ in range(16)]
    for i in range(10): step(params, opt, batches[i % 16], second_order)
    times = []
    for i in range(reps):
        t = time.perf_counter(); step(params, opt, batches[i % 16], second_order); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3

# Usage: python3 scripts/pytorch-sinusoid-bench.py [REPETITIONS] [STYLES, e.g. batched,fused]
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
styles = sys.argv[2].split(",") if len(sys.argv) > 2 else ["loop", "batched", "fused"]  # e.g. "batched,fused"
step_fused = lambda *a: step_batched(*a, fwd_batched=fwd_fused)
for name, step in [(n, s) for n, s in [("loop", step_loop), ("batched", step_batched), ("fused", step_fused)] if n in styles]:
    for so in [True, False]:
        ms = bench(step, so, reps)
        print(f"{name:8s} {'maml' if so else 'fomaml':7s} {ms:7.3f} ms/iteration  {1000/ms:7.1f} it/s")

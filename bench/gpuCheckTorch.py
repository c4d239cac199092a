"""PyTorch-on-CUDA peer of bench/gpuCheck.ts (issue 15's target: mlnc's webgpu ResNet18 within 3x of PyTorch on CUDA).

ResNet18 of bench/torchPeer.py (the CPU peer of bench:train: CIFAR stem, [2, 2, 2, 2] basic blocks, widths 64..512, the
same PAL + lambda_H step with SGD momentum 0.9 and weight decay 5e-4, the loss read back every step), on the GPU.
argv: C H W batch steps. Prints one JSON object: {"imagesPerSecond", "device", "torch"}; with no CUDA, {"skipped": why}.
"""
import json
import os
import sys
import time

try:
    import torch
except ImportError:
    print(json.dumps({'skipped': 'this python cannot import torch'}))
    sys.exit(0)
if not torch.cuda.is_available():
    print(json.dumps({'skipped': f'torch {torch.__version__} sees no CUDA device'}))
    sys.exit(0)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from torchPeer import CLASSES, LAMBDA_H, Net
except ImportError as err:
    print(json.dumps({'skipped': f'bench/torchPeer.py (the network definition) is not importable: {err}'}))
    sys.exit(0)

c, h, w, batch, steps = (int(a) for a in sys.argv[1:6])
dev = torch.device('cuda')
gen = torch.Generator().manual_seed(1)
model = Net(c, 64, [64, 128, 256, 512], 2).train().to(dev)
x = torch.randn((batch, c, h, w), generator=gen).to(dev)
y = torch.zeros(batch, CLASSES)
for i in range(batch):
    y[i, i % CLASSES] = 1
y = y.to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)


def step():
    logits, feats = model(x)
    m = y.sum(1)
    loss = (m * torch.logsumexp(logits, 1) - (logits * y).sum(1)).mean() + LAMBDA_H * (feats * feats).sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()  # a read back per step, as mlnc's step does


for _ in range(3):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    step()
seconds = time.perf_counter() - t0
print(json.dumps({'imagesPerSecond': batch * steps / seconds, 'device': torch.cuda.get_device_name(0), 'torch': torch.__version__}))

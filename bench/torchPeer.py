"""PyTorch peer of `npm run bench:train` (bench/torchPeer.ts starts it; not used by mlnc itself).

The same networks and the same training step as mlnc's benchmark, in PyTorch on the CPU:
  reference  32x32x3, batch 64: 3x3 conv 16 - BN - ReLU, basic blocks of widths 16, 32 (stride 2), 64 (stride 2), 64,
             global average pooling, dense 10 (src/deep/models/referenceNet.ts);
  resnet18   56x56x1, batch 16: CIFAR stem (3x3 conv 64, no max-pool), stages [2, 2, 2, 2] of basic blocks with widths
             64, 128, 256, 512 (src/deep/models/resnet.ts), global average pooling, dense 10.
Convs carry no bias (BatchNorm follows), shortcuts are 1x1 conv + BN where the shape changes. One step: forward in
training mode, mean pick-all-label loss m*logsumexp(z) - sum_{k in S} z_k plus lambda_H * sum_i ||h_i||^2 over the
batch (src/deep/palLoss.ts), backward, SGD with momentum 0.9 and weight decay 5e-4, and the loss read back.

Protocol (one JSON object per line): argv[1] = threads. It prints {"ready": true, "torch": version, "threads": n}, then
answers each request {"net": "reference" | "resnet18", "steps": n} with {"seconds": wall seconds of n steps,
"trainableParams": the net's parameter count, which the caller checks against its own}; it
exits at end of input. It sleeps on stdin between requests, so it does not load the machine while mlnc is measured.
"""
import json
import sys
import time

import torch
from torch import nn

NETS = {
    # input (C, H, W), batch, stem width, block widths, blocks per width
    'reference': ((3, 32, 32), 64, 16, [16, 32, 64, 64], 1),
    'resnet18': ((1, 56, 56), 16, 64, [64, 128, 256, 512], 2),
}
CLASSES = 10
LAMBDA_H = 1e-4


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


class Net(nn.Module):
    def __init__(self, cin, stem, widths, blocks):
        super().__init__()
        layers = [nn.Conv2d(cin, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem), nn.ReLU()]
        width = stem
        for i, w in enumerate(widths):
            for b in range(blocks):
                stride = 2 if b == 0 and i > 0 and w != width else 1
                layers.append(Block(width, w, stride))
                width = w
        self.trunk = nn.Sequential(*layers)
        self.fc = nn.Linear(width, CLASSES)

    def forward(self, x):
        h = self.trunk(x).mean(dim=(2, 3))
        return self.fc(h), h


def make(net):
    shape, batch, stem, widths, blocks = NETS[net]
    gen = torch.Generator().manual_seed(1)
    model = Net(shape[0], stem, widths, blocks).train()
    x = torch.randn((batch, *shape), generator=gen)
    y = torch.zeros(batch, CLASSES)
    for i in range(batch):
        y[i, i % CLASSES] = 1
        if i % 2 == 1:
            y[i, (3 * i + 1) % CLASSES] = 1
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def step():
        logits, h = model(x)
        m = y.sum(1)
        loss = (m * torch.logsumexp(logits, 1) - (logits * y).sum(1)).mean() + LAMBDA_H * (h * h).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    return step, sum(p.numel() for p in model.parameters())


def main():
    torch.set_num_threads(int(sys.argv[1]))
    torch.set_num_interop_threads(1)
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    steps = {}
    for line in sys.stdin:
        req = json.loads(line)
        if req['net'] not in steps:
            steps[req['net']] = make(req['net'])
        step, params = steps[req['net']]
        t0 = time.perf_counter()
        for _ in range(int(req['steps'])):
            step()
        print(json.dumps({'seconds': time.perf_counter() - t0, 'trainableParams': params}), flush=True)


if __name__ == '__main__':
    main()

"""PyTorch side of bench/engine.ts: the identical ROI autoencoder (src/models/roi-autoencoder.ts),
timed for inference or a training step (MSE + Adam 1e-3, batch norm in training mode).

Run with Debian's /usr/bin/python3 (python3-torch). Usage:
  engine_torch.py infer|train SIZE BATCH REPS THREADS
Prints one JSON line {"times": [...seconds], "peakRssMB": ...}. Padding: PyTorch pads stride-2
convolutions symmetrically where TF pads (0, 1); shapes and FLOPs are identical.
"""
import json
import resource
import sys
import time

import torch
from torch import nn

F = (22, 44, 66, 88)


def conv_bn_relu(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
                         nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU())


def up_bn_relu(cin, cout):
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 3, 2, 1, output_padding=1, bias=False),
                         nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU())


class RoiAutoencoder(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.h16 = size // 16
        self.stem = conv_bn_relu(1, F[0], 1)
        self.down = nn.ModuleList()
        cin = F[0]
        for f in F:
            self.down.append(nn.Sequential(conv_bn_relu(cin, f, 2), conv_bn_relu(f, f, 1)))
            cin = f
        self.latent = nn.Linear(F[3], 128)
        self.seed = nn.Linear(128, self.h16 * self.h16 * 3)
        self.up = nn.ModuleList()
        self.upconv = nn.ModuleList()
        c = 3
        for level in (3, 2, 1, 0):
            skip_c = F[0] if level == 0 else F[level - 1]
            self.up.append(up_bn_relu(c, F[level]))
            self.upconv.append(conv_bn_relu(F[level] + skip_c, F[level], 1))
            c = F[level]
        self.out = nn.Conv2d(c, 1, 3, 1, 1)

    def forward(self, x):
        skips = []
        x = self.stem(x)
        for block in self.down:
            skips.append(x)
            x = block(x)
        z = self.latent(x.mean(dim=(2, 3)))
        # seed reshaped like Keras: [N, h, w, 3] then NCHW
        y = self.seed(z).view(-1, self.h16, self.h16, 3).permute(0, 3, 1, 2)
        for i, level in enumerate((3, 2, 1, 0)):
            y = self.up[i](y)
            y = self.upconv[i](torch.cat([y, skips[level]], dim=1))
        return torch.sigmoid(self.out(y))


def main():
    mode, size, batch, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = RoiAutoencoder(size)
    x = torch.rand(batch, 1, size, size)
    times = []
    if mode == 'infer':
        model.eval()
        with torch.no_grad():
            for r in range(reps + 1):
                t0 = time.perf_counter()
                model(x)
                if r > 0:
                    times.append(time.perf_counter() - t0)
    else:
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        for r in range(reps + 1):
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = torch.mean((model(x) - x) ** 2)
            loss.backward()
            opt.step()
            if r > 0:
                times.append(time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peakRssMB": peak}))


if __name__ == '__main__':
    main()

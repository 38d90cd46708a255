"""Fixtures that tie tpcvision's OASIS U-Net and loss to the public reference implementation
(jschuel/OASIS: OASIS/model.py UNetSmall, OASIS/losses.py SegRegLoss), for
tests/overlap/reference-crosscheck.test.ts.

The reference is imported from a checkout given on the command line; nothing of it is copied here.
Command (Debian's PyTorch, NOT the pyenv python on PATH):

    apt-get install -y python3-torch
    git clone https://github.com/jschuel/OASIS /tmp/oasis-ref        # or any checkout of it
    /usr/bin/python3 bench/oasis_reference.py /tmp/oasis-ref tests/overlap/fixtures/oasis-reference

What it does, seeded (torch.manual_seed(SEED)):
  1. builds UNetSmall(base=BASE) (its own Kaiming-normal init), evaluates it on a batch of N samples
     of H x W (inputs, targets and valid boxes made by formulas below, rounded to float32);
  2. evaluates SegRegLoss with the nominal weights (its defaults) and with every weight 1
     (tpcvision's 'unweighted' preset), and the nominal loss's gradient for a few weights;
  3. writes DIR/weights.json + DIR/weights.bin in tpcvision's tensor-manifest format
     (src/training/checkpoint.ts: float32 little-endian blob, entries {name, shape, offset, length}),
     each tensor renamed and transposed to tpcvision's layer names and layouts (NHWC, HWIO kernels),
     and DIR/cases.json (inputs, targets, valid masks, outputs, losses, gradients; NHWC order).

Layer correspondence (reference -> tpcvision, src/models/oasis-unet.ts):
  enc1 -> enc; enc{k+1}.pool -> down{k}_dw; enc{k+1}.block -> down{k}; bott -> bottleneck;
  up3, up2, up1 -> up1, up2, up3 (decoder order); UpX.conv1x1 -> up{j}_proj; head -> head;
  ConvBlock.net[0, 1, 3, 4] -> _conv1, _gn1, _conv2, _gn2.
  Conv2d weight [out, in, kh, kw] -> kernel [kh, kw, in, out]; depthwise [C, 1, k, k] -> [k, k, C, 1];
  GroupNorm weight, bias -> gamma, beta.
"""

import json
import os
import struct
import sys

import torch

SEED = 20261205
BASE = 8
N, H, W = 2, 24, 40
GRAD_WEIGHTS = ['enc_conv1/kernel', 'down1_dw/depthwise_kernel', 'down2_gn1/gamma', 'up3_conv2/kernel', 'head/kernel', 'head/bias']


def ours_name(name):
    """tpcvision's weight name for a reference state_dict key, or None for buffers it has no use for."""
    parts = name.split('.')
    leaf = parts[-1]
    if parts[0] == 'head':
        return 'head/' + ('kernel' if leaf == 'weight' else 'bias')
    stage = parts[0]
    if stage == 'enc1':
        prefix, rest = 'enc', parts[1:]
    elif stage in ('enc2', 'enc3', 'enc4'):
        k = int(stage[3]) - 1
        if parts[1] == 'pool':
            return f'down{k}_dw/' + ('depthwise_kernel' if leaf == 'weight' else 'bias')
        prefix, rest = f'down{k}', parts[2:]
    elif stage == 'bott':
        prefix, rest = 'bottleneck', parts[1:]
    elif stage in ('up3', 'up2', 'up1'):
        j = {'up3': 1, 'up2': 2, 'up1': 3}[stage]
        if parts[1] == 'conv1x1':
            return f'up{j}_proj/' + ('kernel' if leaf == 'weight' else 'bias')
        prefix, rest = f'up{j}', parts[2:]
    else:
        raise ValueError(f'unexpected reference weight {name}')
    # rest = ['net', index, leaf]
    index = int(rest[1])
    layer = {0: 'conv1', 1: 'gn1', 3: 'conv2', 4: 'gn2'}[index]
    if layer.startswith('conv'):
        return f'{prefix}_{layer}/' + ('kernel' if leaf == 'weight' else 'bias')
    return f'{prefix}_{layer}/' + ('gamma' if leaf == 'weight' else 'beta')


def ours_layout(name, t):
    """A reference tensor in tpcvision's layout."""
    if name.endswith('depthwise_kernel'):
        return t.permute(2, 3, 0, 1)  # [C, 1, k, k] -> [k, k, C, 1]
    if name.endswith('/kernel'):
        return t.permute(2, 3, 1, 0)  # [out, in, kh, kw] -> [kh, kw, in, out]
    return t


def f32(values):
    return [float(v) for v in values.detach().to(torch.float32).reshape(-1).tolist()]


def make_batch():
    """Inputs in [0, 1], ER and NR targets (exact zeros outside their tracks), valid boxes."""
    y = torch.arange(H, dtype=torch.float64).view(H, 1)
    x = torch.arange(W, dtype=torch.float64).view(1, W)
    inp = torch.zeros(N, 1, H, W, dtype=torch.float64)
    tgt = torch.zeros(N, 2, H, W, dtype=torch.float64)
    valid = torch.zeros(N, 1, H, W, dtype=torch.float64)
    boxes = [(3, 20, 4, 33), (0, 24, 9, 40)]  # y0, y1, x0, x1 (the second touches three borders)
    for n in range(N):
        cy, cx = 11.0 + 2 * n, 18.0 + 5 * n
        nr = 0.9 * torch.exp(-((y - cy) ** 2 / 8.0 + (x - cx) ** 2 / 14.0))  # bright blob
        er = 0.25 * torch.exp(-((y - cy - 3 + n) ** 2 / 2.0 + (x - cx + 6) ** 2 / 30.0))  # faint streak beside it
        nr = torch.where(nr > 0.02, nr, torch.zeros_like(nr))
        er = torch.where(er > 0.01, er, torch.zeros_like(er))
        noise = 0.03 * (torch.sin(0.7 * x * (n + 1) + 1.3 * y) * torch.cos(0.45 * y - 0.2 * x)) ** 2
        inp[n, 0] = torch.log10(1 + 9 * (nr + er + noise)) / torch.log10(torch.tensor(10.0 * 1.3))
        tgt[n, 0], tgt[n, 1] = er, nr
        y0, y1, x0, x1 = boxes[n]
        valid[n, 0, y0:y1, x0:x1] = 1
    return inp.float(), tgt.float(), valid.float()


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: oasis_reference.py OASIS_CHECKOUT OUT_DIR')
    checkout, out_dir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, checkout)
    from OASIS.model import UNetSmall  # the reference, imported from the checkout
    from OASIS.losses import SegRegLoss

    torch.manual_seed(SEED)
    net = UNetSmall(base=BASE).eval()
    inp, tgt, valid = make_batch()
    out = net(inp)
    nominal = SegRegLoss()  # its defaults are the paper's nominal weights
    unweighted = SegRegLoss(w_ch=(1.0, 1.0), w_regions=(1.0, 1.0, 1.0))
    ln = nominal(out, inp, tgt, valid)
    lu = unweighted(out, inp, tgt, valid)
    params = dict(net.named_parameters())
    grads = torch.autograd.grad(ln['loss'], list(params.values()))
    grad_by_ours = {ours_name(k): ours_layout(ours_name(k), g) for k, g in zip(params.keys(), grads)}

    # weights in tpcvision's manifest format, in the reference's module order
    entries, blob, offset = [], bytearray(), 0
    for key, t in net.state_dict().items():
        name = ours_name(key)
        v = ours_layout(name, t).contiguous().to(torch.float32)
        values = v.reshape(-1).tolist()
        entries.append({'name': name, 'shape': list(v.shape), 'offset': offset, 'length': len(values)})
        blob += struct.pack(f'<{len(values)}f', *values)
        offset += len(values)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, 'weights.bin'), 'wb') as f:
        f.write(blob)
    with open(os.path.join(out_dir, 'weights.json'), 'w') as f:
        json.dump({'source': 'jschuel/OASIS UNetSmall', 'seed': SEED, 'base': BASE, 'entries': entries}, f)

    cases = {
        'command': '/usr/bin/python3 bench/oasis_reference.py OASIS_CHECKOUT tests/overlap/fixtures/oasis-reference',
        'torch': torch.__version__,
        'seed': SEED, 'base': BASE, 'shape': [N, H, W],
        'input': f32(nhwc(inp)), 'target': f32(nhwc(tgt)), 'valid': f32(nhwc(valid)),
        'output': f32(nhwc(out)),
        'loss': {
            'nominal': {k: float(ln[k]) for k in ('loss', 'reg', 'tv')},
            'unweighted': {k: float(lu[k]) for k in ('loss', 'reg', 'tv')},
        },
        'grad': {name: {'shape': list(grad_by_ours[name].shape), 'values': f32(grad_by_ours[name])} for name in GRAD_WEIGHTS},
    }
    with open(os.path.join(out_dir, 'cases.json'), 'w') as f:
        json.dump(cases, f)
    print(f'wrote {out_dir}: {len(entries)} tensors ({offset} floats), nominal loss {cases["loss"]["nominal"]["loss"]:.6g}')


if __name__ == '__main__':
    main()

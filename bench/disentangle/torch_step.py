"""The quick-profile disentangler (same layers, same losses, same decode plan) in PyTorch eager on
CPU: training step time, for comparison with DJL (DisentanglerStepBenchmark). Usage:
/usr/bin/python3 bench/disentangle/torch_step.py [measured_steps]"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)

BASE, LEVELS, ID_CH, PATH, HIDDEN, FINDINGS = 16, 2, 8, 16, 64, 10
BATCH, PAIRS, SIZE, LR = 24, 4, 64, 2e-3
LEAK = 0.2


def conv(cin, cout, stride=1, k=3):
    c = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2)
    return c


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        trunk = [conv(1, BASE), nn.LeakyReLU(LEAK)]
        ch = BASE
        for level in range(1, LEVELS + 1):
            out = BASE << level
            trunk += [conv(ch, out, 2), nn.LeakyReLU(LEAK), conv(out, out), nn.LeakyReLU(LEAK)]
            ch = out
        self.trunk = nn.Sequential(*trunk)
        self.identity_head = conv(ch, ID_CH, k=1)
        self.path_branch = nn.Sequential(conv(ch, ch, 2), nn.LeakyReLU(LEAK), conv(ch, ch, 2), nn.LeakyReLU(LEAK))
        self.path_head = nn.Sequential(nn.Linear(ch * 16, HIDDEN), nn.LeakyReLU(LEAK), nn.Linear(HIDDEN, 2 * PATH))
        chans = [BASE << (LEVELS - i) for i in range(LEVELS + 1)]
        self.chans = chans
        self.stem = conv(ID_CH, chans[0])
        self.stem_film = nn.Linear(PATH, 2 * chans[0])
        self.ups = nn.ModuleList([conv(chans[i], chans[i + 1]) for i in range(LEVELS)])
        self.refines = nn.ModuleList([conv(chans[i + 1], chans[i + 1]) for i in range(LEVELS)])
        self.films = nn.ModuleList([nn.Linear(PATH, 2 * chans[i + 1]) for i in range(LEVELS)])
        self.to_image = conv(chans[-1], 1)
        self.finding_head = nn.Sequential(nn.Linear(PATH, HIDDEN), nn.LeakyReLU(LEAK), nn.Linear(HIDDEN, FINDINGS))
        self.probe = nn.Sequential(nn.Linear(ID_CH, HIDDEN), nn.LeakyReLU(LEAK), nn.Linear(HIDDEN, FINDINGS))

    def encode(self, x):
        f = self.trunk(x * 2 - 1)
        z_id = self.identity_head(f)
        g = F.adaptive_avg_pool2d(self.path_branch(f), 4)
        ml = self.path_head(g.flatten(1))
        return z_id, ml[:, :PATH], (ml[:, PATH:] - 4.6).clamp(-12, 6)

    @staticmethod
    def film(lin, h, z):
        gb = lin(z).view(h.shape[0], 2, h.shape[1], 1, 1)
        return h * (1 + gb[:, 0]) + gb[:, 1]

    def decode(self, z_id, z_path):
        h = self.film(self.stem_film, F.leaky_relu(self.stem(z_id), LEAK), z_path)
        for up, refine, film in zip(self.ups, self.refines, self.films):
            h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = self.film(film, F.leaky_relu(up(h), LEAK), z_path)
            h = F.leaky_relu(refine(h), LEAK)
        return torch.sigmoid(self.to_image(h))


class Reverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -g


def gaussian_window():
    g = torch.exp(-((torch.arange(11) - 5.0) ** 2) / (2 * 1.5 ** 2))
    w = torch.outer(g, g) / g.sum() ** 2
    return w.expand(5, 1, 11, 11).contiguous()


WINDOW = gaussian_window()


def ssim_per_image(x, y):
    local = F.conv2d(torch.cat([x, y, x * x, y * y, x * y], 1), WINDOW, groups=5)
    mx, my = local[:, 0], local[:, 1]
    vx, vy, cxy = local[:, 2] - mx * mx, local[:, 3] - my * my, local[:, 4] - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    m = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return m.flatten(1).mean(1)


def standardize(a):
    c = a - a.mean(0)
    return c / (c.pow(2).mean(0) + 1e-12).sqrt()


def plan():
    # 24 reconstructions, then 2 decodes per identity pair (0,1),(2,3).. and per pathology pair
    ids, paths, targets, weights = list(range(BATCH)), list(range(BATCH)), list(range(BATCH)), [1 / BATCH] * BATCH
    for p in range(PAIRS):
        a, b = 2 * p, 2 * p + 1
        ids += [b, a]; paths += [a, b]; targets += [a, b]; weights += [1 / (2 * PAIRS)] * 2
    for p in range(PAIRS):
        a, b = 2 * PAIRS + 2 * p, 2 * PAIRS + 2 * p + 1
        ids += [a, b]; paths += [b, a]; targets += [a, b]; weights += [1 / (2 * PAIRS)] * 2
    return torch.tensor(ids), torch.tensor(paths), torch.tensor(targets), torch.tensor(weights)


def main():
    measured = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    warmup = 10
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    ids, paths, targets, weights = plan()
    x = torch.rand(BATCH, 1, SIZE, SIZE)
    y = (torch.rand(BATCH, FINDINGS) < 0.2).float()
    t0 = None
    for step in range(warmup + measured):
        if step == warmup:
            t0 = time.perf_counter()
        eps = torch.randn(BATCH, PATH)
        z_id, mu, lv = net.encode(x)
        z_path = eps * torch.exp(0.5 * lv) + mu
        out = net.decode(z_id[ids], z_path[paths])
        tgt = x[targets]
        item = (out - tgt).abs().flatten(1).mean(1) + (1 - ssim_per_image(out, tgt))
        loss = (item * weights).sum()
        kl = 0.5 * (mu.pow(2) + lv.exp() - 1 - lv).sum(1).mean()
        pooled = z_id.flatten(2).mean(2)
        aux = F.binary_cross_entropy_with_logits(net.finding_head(z_path), y)
        adv = F.binary_cross_entropy_with_logits(net.probe(Reverse.apply(pooled)), y)
        dep = (standardize(pooled).t() @ standardize(mu) / BATCH).pow(2).sum()
        loss = loss + 1e-3 * kl + 0.1 * aux + 0.1 * adv + 0.05 * dep
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
        _ = loss.item()
    ms = (time.perf_counter() - t0) * 1000 / measured
    print(f"torch_step_ms {ms:.1f}  (torch {torch.__version__}, {torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()

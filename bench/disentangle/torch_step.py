"""The quick-profile disentangler (DisentanglerConfig.quick(): same layers and widths, same decode
plan, same loss terms, Adam) in PyTorch eager on CPU: training step time, for comparison with DJL
(DisentanglerStepBenchmark). Usage:
/usr/bin/python3 bench/disentangle/torch_step.py [measured_steps] [--legacy]
--legacy runs the pre-z_path architecture (shared trunk for z_path, pooled-z_id probe, no cycle)
that the 2026 rounds A-D in RESULTS.md measured."""
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


def start_profile():
    """The autograd profiler over the measured steps when --profile=FILE is given, else None."""
    if not PROFILE:
        return None
    prof = torch.autograd.profiler.profile(record_shapes=True)
    prof.__enter__()
    return prof


def finish_profile(prof):
    """Writes the Chrome trace to FILE and a per-shape table to FILE.by-shape.txt (the trace carries no shapes)."""
    if prof is None:
        return
    prof.__exit__(None, None, None)
    prof.export_chrome_trace(PROFILE)
    with open(PROFILE + ".by-shape.txt", "w") as table:
        table.write(prof.key_averages(group_by_input_shape=True).table(sort_by="cpu_time_total", row_limit=60))


def legacy_main(measured):
    warmup = WARMUP
    net = Net()
    print(f"torch_params {sum(p.numel() for p in net.parameters())} legacy")
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    ids, paths, targets, weights = plan()
    x = torch.rand(BATCH, 1, SIZE, SIZE)
    y = (torch.rand(BATCH, FINDINGS) < 0.2).float()
    t0 = None
    prof = None
    for step in range(warmup + measured):
        if step == warmup:
            t0 = time.perf_counter()
            prof = start_profile()
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
    finish_profile(prof)
    print(f"torch_step_ms {ms:.1f} legacy  (torch {torch.__version__}, {torch.get_num_threads()} threads)")



# ---- current quick() model --------------------------------------------------------------------
# weights: pixel 1, SSIM 1, KL 1e-2, identity swap 0.3, pathology swap 1, finding head 5,
# adversary 0.1 (GRL lambda 1: Reverse negates the gradient), dependence 0 (still computed, as in DJL), cycle BCE 1.5, cycle z_id 0.1
W_PIX, W_SSIM, W_KL, W_IDSWAP, W_PATHSWAP, W_AUX = 1.0, 1.0, 1e-2, 0.3, 1.0, 5.0
W_ADV, GRL_LAMBDA, W_DEP, CYCLES, W_CYC, W_CYC_ID = 0.1, 1.0, 0.0, 8, 1.5, 0.1
POOL_GRID = 4


def leaky():
    return nn.LeakyReLU(LEAK)


class QuickNet(nn.Module):
    """DisentanglerNet with pathologyEncoder and spatialProbe (FilmDecoder unchanged)."""

    def __init__(self):
        super().__init__()
        # encoder trunk -> z_id: conv(1,w) then per level a stride-2 conv and a conv
        trunk = [conv(1, BASE), leaky()]
        ch = BASE
        for level in range(1, LEVELS + 1):
            out = BASE << level
            trunk += [conv(ch, out, 2), leaky(), conv(out, out), leaky()]
            ch = out
        self.trunk = nn.Sequential(*trunk)
        self.identity_head = nn.Sequential(conv(ch, ID_CH, k=1))
        # z_path's own encoder on the per-image standardized image: widths w, w, 2w, 4w, 4w, 4 x stride 2
        w = BASE
        pe = [conv(1, w), leaky()]
        cin = w
        for filters in (w, 2 * w, 4 * w, 4 * w):
            pe += [conv(cin, filters, 2), leaky()]
            cin = filters
        self.path_encoder = nn.Sequential(*pe)
        self.path_head = nn.Sequential(nn.Linear(cin * POOL_GRID * POOL_GRID, HIDDEN), leaky(),
                                       nn.Linear(HIDDEN, 2 * PATH))
        chans = [BASE << (LEVELS - i) for i in range(LEVELS + 1)]
        self.stem = conv(ID_CH, chans[0])
        self.stem_film = nn.Linear(PATH, 2 * chans[0])
        self.ups = nn.ModuleList([conv(chans[i], chans[i + 1]) for i in range(LEVELS)])
        self.refines = nn.ModuleList([conv(chans[i + 1], chans[i + 1]) for i in range(LEVELS)])
        self.films = nn.ModuleList([nn.Linear(PATH, 2 * chans[i + 1]) for i in range(LEVELS)])
        self.to_image = conv(chans[-1], 1)
        self.finding_head = nn.Sequential(nn.Linear(PATH, HIDDEN), leaky(), nn.Linear(HIDDEN, FINDINGS))
        pc = max(8, HIDDEN // 2)
        self.probe_convs = nn.Sequential(conv(ID_CH, pc), leaky(), conv(pc, pc, 2), leaky())
        self.probe_out = nn.Linear(pc, FINDINGS)

    def encode(self, x, p):
        """p(tensor) maps each parameter: identity for training, detach for the frozen judge."""
        f = run_seq(self.trunk, x * 2 - 1, p)
        z_id = run_seq(self.identity_head, f, p)
        b = run_seq(self.path_encoder, standardize_per_image(x, 1e-6), p)
        n, c, h, w = b.shape
        g = POOL_GRID
        grid = b.reshape(n, c, g, h // g, g, w // g).mean(5).mean(3)
        ml = run_seq(self.path_head, grid.reshape(n, -1), p)
        return z_id, ml[:, :PATH], (ml[:, PATH:] - 4.6).clamp(-12, 6)

    def decode(self, z_id, z_path):
        h = Net.film(self.stem_film, F.leaky_relu(self.stem(z_id), LEAK), z_path)
        for up, refine, film in zip(self.ups, self.refines, self.films):
            h = F.interpolate(h, scale_factor=2, mode="nearest")  # FilmDecoder.upsampleNearest
            h = Net.film(film, F.leaky_relu(up(h), LEAK), z_path)
            h = F.leaky_relu(refine(h), LEAK)
        return torch.sigmoid(self.to_image(h))

    def probe(self, z_id):
        h = self.probe_convs(standardize_per_image(z_id, 1e-6))
        return self.probe_out(h.flatten(2).mean(2))


def run_seq(seq, h, p):
    for m in seq:
        if isinstance(m, nn.Conv2d):
            h = F.conv2d(h, p(m.weight), p(m.bias), m.stride, m.padding)
        elif isinstance(m, nn.Linear):
            h = F.linear(h, p(m.weight), p(m.bias))
        else:
            h = F.leaky_relu(h, LEAK)
    return h


def standardize_per_image(a, eps):
    flat = a.reshape(a.shape[0], -1)
    c = flat - flat.mean(1, keepdim=True)
    return (c / (c.pow(2).mean(1, keepdim=True) + eps).sqrt()).reshape(a.shape)


def quick_plan():
    """24 reconstructions, identity pairs (0,1)..(6,7), pathology pairs (8,9)..(14,15), 8 cycle swaps
    A = k, B = a study of another pair (DisentanglerTrainer.plan / cyclePairs)."""
    ids, paths, targets = list(range(BATCH)), list(range(BATCH)), list(range(BATCH))
    weights = [1 / BATCH] * BATCH
    for p in range(PAIRS):
        a, b = 2 * p, 2 * p + 1
        ids += [b, a]; paths += [a, b]; targets += [a, b]; weights += [W_IDSWAP / (2 * PAIRS)] * 2
    for p in range(PAIRS):
        a, b = 2 * PAIRS + 2 * p, 2 * PAIRS + 2 * p + 1
        ids += [a, b]; paths += [b, a]; targets += [a, b]; weights += [W_PATHSWAP / (2 * PAIRS)] * 2
    anatomies = list(range(CYCLES))
    sources = [(k + BATCH // 2) % BATCH for k in anatomies]
    ids += anatomies; paths += sources; targets += anatomies; weights += [0.0] * CYCLES
    cycle_positions = list(range(len(ids) - CYCLES, len(ids)))
    t = torch.tensor
    return t(ids), t(paths), t(targets), t(weights), t(cycle_positions), t(anatomies), t(sources)


def quick_main(measured):
    warmup = WARMUP
    net = QuickNet()
    print(f"torch_params {sum(p.numel() for p in net.parameters())}")
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    ids, paths, targets, weights, cyc_pos, anatomies, sources = quick_plan()
    items = len(ids)
    x = torch.rand(BATCH, 1, SIZE, SIZE)
    y = (torch.rand(BATCH, FINDINGS) < 0.2).float()
    same = lambda t: t
    frozen = lambda t: t.detach()
    t0 = None
    prof = None
    for step in range(warmup + measured):
        if step == warmup:
            t0 = time.perf_counter()
            prof = start_profile()
        eps = torch.randn(BATCH, PATH)
        z_id, mu, lv = net.encode(x, same)
        z_path = eps * torch.exp(0.5 * lv) + mu
        out = net.decode(z_id[ids], z_path[paths])
        tgt = x[targets]
        item = W_PIX * (out - tgt).abs().reshape(items, -1).mean(1) + W_SSIM * (1 - ssim_per_image(out, tgt))
        loss = (item * weights).sum()
        kl = 0.5 * (mu.pow(2) + lv.exp() - 1 - lv).sum(1).mean()
        loss = loss + W_KL * kl
        pooled = z_id.flatten(2).mean(2)
        aux = F.binary_cross_entropy_with_logits(net.finding_head(z_path), y)
        adv = F.binary_cross_entropy_with_logits(net.probe(Reverse.apply(z_id)), y)
        loss = loss + W_AUX * aux + W_ADV * adv
        finding, adversarial = aux.item(), adv.item()
        # cycle: re-encode the 8 cross swaps with detached weights; gradient reaches only the decoder
        swapped = out[cyc_pos]
        z_id2, mu2, _ = net.encode(swapped, frozen)
        id_term = (z_id2 - z_id[anatomies].detach()).pow(2).mean()
        loss = loss + W_CYC_ID * id_term
        cycle_identity = id_term.item()
        cyc = F.binary_cross_entropy_with_logits(run_seq(net.finding_head, mu2, frozen), y[sources])
        loss = loss + W_CYC * cyc
        cycle = cyc.item()
        dep = (standardize(pooled).t() @ standardize(mu) / BATCH).pow(2).sum()
        loss = loss + W_DEP * dep
        total = loss.item()
        per_item, kl_v, dep_v = item.tolist(), kl.item(), dep.item()
        opt.zero_grad(set_to_none=False)
        loss.backward()
        opt.step()
    ms = (time.perf_counter() - t0) * 1000 / measured
    finish_profile(prof)
    print(f"torch_step_ms {ms:.1f}  (torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{items} decodes, {CYCLES} frozen re-encodes, {measured} steps after {warmup} warm-up)")


# --profile=FILE: the autograd profiler over the measured steps, as a Chrome trace (compare with
# DisentanglerStepBenchmark's -Dcausalcxr.profile=FILE)
PROFILE = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--profile=")), None)
# --warmup=N: steps before timing starts (DisentanglerStepBenchmark's -Dcausalcxr.warmup)
WARMUP = int(next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--warmup=")), "10"))

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    steps = int(args[0]) if args else 40
    if "--legacy" in sys.argv:
        legacy_main(steps)
    else:
        quick_main(steps)

# Writes stand-in.pt, the TorchScript network TorchScriptFeatureExtractorTest loads: the mean of each
# channel, times 2 (no weights). Made once with Debian's python3-torch 1.13 (`/usr/bin/python3
# make-stand-in-torchscript.py`) and committed, so the test needs no Python.
import torch


class M(torch.nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3)) * 2.0


# tracing, since scripting needs the class's source file
torch.jit.trace(M(), torch.zeros(1, 3, 8, 8)).save("stand-in.pt")

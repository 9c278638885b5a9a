# sme2-executorch-profiling: a worked example of onboarding a model (content/09-onboard-your-model.md).
#
# A SAM-style image encoder, written for this toolkit: the architecture of the image encoders of Segment Anything
# (ViT-B/L/H) and EfficientSAM (ViT-T/S), scaled down so that it exports in about a minute and runs in milliseconds:
# a 16x16 patch embedding, a learned position embedding, pre-norm transformer blocks (LayerNorm, multi-head
# self-attention, LayerNorm, MLP with GELU), and the SAM neck (1x1 convolution, LayerNorm over channels, 3x3
# convolution, LayerNorm over channels). The default size matches EfficientSAM ViT-T's width (192, 3 heads) with 4
# blocks on a 256x256 image. Random weights (seed 0): the work per inference does not depend on trained values.
#
# Export it with:
#   ./jbang scripts/ExportModel.java --model-file configs/examples/sam_style_encoder.py --model-class SamStyleEncoder
import torch
from torch import nn


class LayerNorm2d(nn.Module):
    """LayerNorm over the channels of an NCHW tensor, as SAM's neck uses it."""

    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


def mean_last(x):
    """The mean over the last dimension, written as a mean of a 4D tensor over dims (2, 3) with keepdim: the only form
    of mean that ExecuTorch v1.3.1's XNNPACK partitioner delegates (as a global average pooling), with reshapes (which it
    delegates) rather than unsqueeze/squeeze (which it does not)."""
    return x.reshape(x.shape + (1,)).mean((2, 3), keepdim=True).reshape(x.shape[:-1] + (1,))


class DecomposedLayerNorm(nn.LayerNorm):
    """nn.LayerNorm written out as mean, subtract, multiply, mean, rsqrt and multiply: the same numbers, in operators that
    ExecuTorch v1.3.1's XNNPACK partitioner delegates (it leaves aten.native_layer_norm to a portable kernel)."""

    def forward(self, x):
        centered = x - mean_last(x)
        var = mean_last(centered * centered)
        return centered * torch.rsqrt(var + self.eps) * self.weight + self.bias


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = torch.softmax((q * self.scale) @ k.transpose(-2, -1), dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4, norm=nn.LayerNorm):
        super().__init__()
        self.norm1 = norm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = norm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * mlp_ratio), nn.GELU(), nn.Linear(dim * mlp_ratio, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class SamStyleEncoderNet(nn.Module):
    def __init__(self, img_size=256, patch=16, dim=192, depth=4, heads=3, out_chans=256, norm=nn.LayerNorm):
        super().__init__()
        self.grid = img_size // patch
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.randn(1, self.grid * self.grid, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, norm=norm) for _ in range(depth)])
        self.neck = nn.Sequential(nn.Conv2d(dim, out_chans, 1, bias=False), LayerNorm2d(out_chans),
                                  nn.Conv2d(out_chans, out_chans, 3, padding=1, bias=False), LayerNorm2d(out_chans))

    def forward(self, image):
        x = self.patch_embed(image)                      # 1 x dim x 16 x 16
        b, c, h, w = x.shape
        x = x.flatten(2).transpose(1, 2) + self.pos_embed  # 1 x 256 tokens x dim
        x = self.blocks(x)
        x = x.transpose(1, 2).reshape(b, c, h, w)
        return self.neck(x)                              # 1 x 256 x 16 x 16: the image embedding


class SamStyleEncoder:
    """What ExportModel's --model-file needs: get_eager_model() and get_example_inputs()."""

    norm = nn.LayerNorm

    def get_eager_model(self):
        torch.manual_seed(0)
        return SamStyleEncoderNet(norm=self.norm).eval()

    def get_example_inputs(self):
        torch.manual_seed(1)
        return (torch.randn(1, 3, 256, 256),)


class SamStyleEncoderXnn(SamStyleEncoder):
    """The same encoder and weights with its LayerNorms written out (DecomposedLayerNorm), so XNNPACK runs them."""

    norm = DecomposedLayerNorm

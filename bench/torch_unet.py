"""PyTorch eager baseline for `npm run bench`: a compact SD 1.5 UNet2DConditionModel written after
diffusers 0.21 (same module tree, so state_dict names match the hub; same math: GroupNorm, GEGLU,
scaled_dot_product_attention as diffusers' AttnProcessor2_0) with the w2w rank-1 LoRA (scale 27) on
to_q/to_v of attn1/attn2 taken from one flat vector. No diffusers here, so this file is the baseline.

  python torch_unet.py run --config C [--weights W.safetensors] --precision fp32|fp16 --task forward|grad|invert_k<K> [--device cpu|cuda]
  python torch_unet.py check --model DIR   (tiny fixture: compare with its reference.safetensors)

Prints one JSON line with timings (ms) and memory (MiB, from /proc/self/status).
"""
import argparse, json, math, os, struct, sys, time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LORA_SCALE = 27.0


class LoraLinear(nn.Linear):
    """nn.Linear whose output gains 27 · B (A x) when the model has a LoRA slice for it."""
    lora = None  # (A [1, in], B [out, 1]) views into the flat vector, set per call

    def forward(self, x):
        y = super().forward(x)
        if self.lora is not None:
            a, b = self.lora
            y = y + LORA_SCALE * F.linear(F.linear(x, a), b)
        return y


class Attention(nn.Module):
    def __init__(self, dim, kv_dim, heads):
        super().__init__()
        self.heads = heads
        self.to_q = LoraLinear(dim, dim, bias=False)
        self.to_k = nn.Linear(kv_dim, dim, bias=False)
        self.to_v = LoraLinear(kv_dim, dim, bias=False)
        self.to_out = nn.ModuleList([nn.Linear(dim, dim), nn.Dropout(0.0)])

    def forward(self, x, context=None):
        kv = x if context is None else context
        b, n, c = x.shape
        split = lambda t: t.view(b, -1, self.heads, c // self.heads).transpose(1, 2)
        o = F.scaled_dot_product_attention(split(self.to_q(x)), split(self.to_k(kv)), split(self.to_v(kv)))
        return self.to_out[0](o.transpose(1, 2).reshape(b, n, c))


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, 2 * inner)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, 4 * dim), nn.Dropout(0.0), nn.Linear(4 * dim, dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, cross, heads):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn1 = Attention(dim, dim, heads)
        self.attn2 = Attention(dim, cross, heads)
        self.ff = FeedForward(dim)

    def forward(self, x, text):
        x = x + self.attn1(self.norm1(x))
        x = x + self.attn2(self.norm2(x), text)
        return x + self.ff(self.norm3(x))


class Transformer2D(nn.Module):
    def __init__(self, cfg, dim, heads):
        super().__init__()
        self.linear = cfg.get('use_linear_projection', False)
        self.norm = nn.GroupNorm(cfg['norm_num_groups'], dim, eps=1e-6)
        proj = (lambda: nn.Linear(dim, dim)) if self.linear else (lambda: nn.Conv2d(dim, dim, 1))
        self.proj_in = proj()
        layers = cfg.get('transformer_layers_per_block', 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(dim, cfg['cross_attention_dim'], heads) for _ in range(layers)])
        self.proj_out = proj()

    def forward(self, x, text):
        b, c, hh, ww = x.shape
        tokens = lambda t: t.permute(0, 2, 3, 1).reshape(b, hh * ww, c)
        image = lambda t: t.reshape(b, hh, ww, c).permute(0, 3, 1, 2)
        h = self.norm(x)
        h = self.proj_in(tokens(h)) if self.linear else tokens(self.proj_in(h))
        for blk in self.transformer_blocks:
            h = blk(h, text)
        h = image(self.proj_out(h)) if self.linear else self.proj_out(image(h))
        return h + x


class Resnet(nn.Module):
    def __init__(self, cin, cout, temb, groups, eps):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class Block(nn.Module):
    """CrossAttnDownBlock2D / DownBlock2D / CrossAttnUpBlock2D / UpBlock2D: resnets (+ attentions), resampler."""
    def __init__(self, cfg, ins, cout, heads, attn, sampler):
        super().__init__()
        t, g, e = 4 * cfg['block_out_channels'][0], cfg['norm_num_groups'], cfg['norm_eps']
        self.resnets = nn.ModuleList([Resnet(cin, cout, t, g, e) for cin in ins])
        self.attentions = nn.ModuleList([Transformer2D(cfg, cout, heads) for _ in ins]) if attn else None
        self.sampler = sampler
        if sampler:
            wrap = nn.Module()
            down = sampler == 'down'
            wrap.conv = nn.Conv2d(cout, cout, 3, stride=2 if down else 1, padding=cfg['downsample_padding'] if down else 1)
            setattr(self, f'{sampler}samplers', nn.ModuleList([wrap]))

    def forward(self, h, temb, text, skips):
        outs = []
        for k, res in enumerate(self.resnets):
            if skips is not None:
                h = torch.cat([h, skips.pop()], dim=1)
            h = res(h, temb)
            if self.attentions is not None:
                h = self.attentions[k](h, text)
            outs.append(h)
        if self.sampler == 'down':
            h = self.downsamplers[0].conv(h)
            outs.append(h)
        elif self.sampler == 'up':
            h = self.upsamplers[0].conv(F.interpolate(h, scale_factor=2.0, mode='nearest'))
        return h, outs


class UNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, n, lpb = cfg['block_out_channels'], len(cfg['block_out_channels']), cfg['layers_per_block']
        hd = cfg['attention_head_dim']
        heads = [hd] * n if isinstance(hd, int) else hd  # diffusers: num_attention_heads = attention_head_dim
        t = 4 * ch[0]
        self.cfg = cfg
        self.conv_in = nn.Conv2d(cfg['in_channels'], ch[0], 3, padding=1)
        self.time_embedding = nn.Module()
        self.time_embedding.linear_1 = nn.Linear(ch[0], t)
        self.time_embedding.linear_2 = nn.Linear(t, t)
        self.down_blocks = nn.ModuleList()
        for i, kind in enumerate(cfg['down_block_types']):
            ins = [ch[max(i - 1, 0)]] + [ch[i]] * (lpb - 1)
            self.down_blocks.append(Block(cfg, ins, ch[i], heads[i], kind.startswith('CrossAttn'), 'down' if i < n - 1 else None))
        self.mid_block = nn.Module()
        self.mid_block.resnets = nn.ModuleList([Resnet(ch[-1], ch[-1], t, cfg['norm_num_groups'], cfg['norm_eps']) for _ in range(2)])
        self.mid_block.attentions = nn.ModuleList([Transformer2D(cfg, ch[-1], heads[-1])])
        rev, skips = ch[::-1], [ch[0]] + [c for i, c in enumerate(ch) for _ in range(lpb + (i < n - 1))]
        self.up_blocks = nn.ModuleList()
        prev = rev[0]
        for i, kind in enumerate(cfg['up_block_types']):
            ins = []
            for j in range(lpb + 1):
                ins.append((prev if j == 0 else rev[i]) + skips.pop())
            prev = rev[i]
            self.up_blocks.append(Block(cfg, ins, rev[i], heads[n - 1 - i], kind.startswith('CrossAttn'), 'up' if i < n - 1 else None))
        self.conv_norm_out = nn.GroupNorm(cfg['norm_num_groups'], ch[0], eps=cfg['norm_eps'])
        self.conv_out = nn.Conv2d(ch[0], cfg['out_channels'], 3, padding=1)
        self.lora_layers = sorted(
            (name, m) for name, m in self.named_modules() if isinstance(m, LoraLinear))

    def set_lora(self, flat):
        """Slices the flat w2w vector in sorted PEFT-key order (per module: A then B)."""
        keys = sorted((f'base_model.model.{name}.lora_{p}.weight', name, m, p)
                      for name, m in self.lora_layers for p in 'AB')
        off, parts = 0, {}
        for _, name, m, p in keys:
            shape = (1, m.in_features) if p == 'A' else (m.out_features, 1)
            size = shape[0] * shape[1]
            parts[(name, p)] = flat[off:off + size].view(shape)
            off += size
        if off != flat.numel():
            raise ValueError(f'lora vector has {flat.numel()} numbers, the UNet needs {off}')
        for name, m in self.lora_layers:
            m.lora = (parts[(name, 'A')], parts[(name, 'B')])

    def forward(self, sample, timestep, text):
        c0 = self.cfg['block_out_channels'][0]
        half = c0 // 2
        exponent = -math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - self.cfg['freq_shift'])
        args = timestep[:, None].float() * torch.exp(exponent)[None, :]
        emb = torch.cat([torch.cos(args), torch.sin(args)] if self.cfg['flip_sin_to_cos'] else [torch.sin(args), torch.cos(args)], dim=-1)
        emb = emb.to(sample.dtype)
        temb = self.time_embedding.linear_2(F.silu(self.time_embedding.linear_1(emb)))
        h = self.conv_in(sample)
        skips = [h]
        for blk in self.down_blocks:
            h, outs = blk(h, temb, text, None)
            skips += outs
        h = self.mid_block.resnets[0](h, temb)
        h = self.mid_block.attentions[0](h, text)
        h = self.mid_block.resnets[1](h, temb)
        for blk in self.up_blocks:
            h, _ = blk(h, temb, text, skips)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


def read_safetensors(path):
    with open(path, 'rb') as f:
        (n,) = struct.unpack('<Q', f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    kinds = {'F32': np.float32, 'F16': np.float16, 'I64': np.int64}
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=kinds[v['dtype']]).reshape(v['shape']).copy())
    return out


def memory():
    status = dict(line.split(':', 1) for line in open('/proc/self/status'))
    mib = lambda k: int(status[k].split()[0]) / 1024
    return {'rss': mib('VmRSS'), 'hwm': mib('VmHWM')}


def reset_peak():
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()


def lora_count(model):
    return sum(m.in_features + m.out_features for _, m in model.lora_layers)


def run(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = json.load(open(args.config))
    dtype = torch.float16 if args.precision == 'fp16' else torch.float32
    t0 = time.perf_counter()
    with torch.no_grad():
        model = UNet(cfg)  # nn default init (kaiming-uniform weights, ±1/√fan_in biases), seeded
        if args.weights:
            model.load_state_dict(read_safetensors(args.weights), strict=True)
    if args.task not in ('forward', 'grad') and not (args.task.startswith('invert_k') and args.task[8:].isdigit()):
        raise SystemExit(f'--task must be forward, grad or invert_k<K>, got {args.task}')
    dev = torch.device(args.device)
    model = model.to(dev, dtype).requires_grad_(False)
    build_ms = (time.perf_counter() - t0) * 1000
    batch = 2 if args.task == 'forward' else 1
    size = cfg['sample_size'] if args.size is None else args.size
    g = torch.Generator().manual_seed(args.seed + 1)
    x = torch.randn(batch, cfg['in_channels'], size, size, generator=g).to(dev, dtype)
    t = torch.tensor([981, 501][:batch], dtype=torch.int64).to(dev)
    text = torch.randn(batch, 77, cfg['cross_attention_dim'], generator=g).to(dev, dtype)
    lora = ((torch.rand(lora_count(model), generator=g) - 0.5) * 0.02).to(dev)
    target = torch.randn(batch, cfg['out_channels'], size, size, generator=g).to(dev)
    mask = (torch.rand(1, 1, size, size, generator=g) > 0.5).float().to(dev)
    # The official inversion step (w2w invert): θ = (V_k c) ⊙ std + mean in the graph, the loss backward to c.
    k = int(args.task[len('invert_k'):]) if args.task.startswith('invert_k') else 0
    if k:
        d = lora_count(model)
        v = (torch.randn(d, k, generator=g) / math.sqrt(d)).to(dev)
        std, mean = torch.full((d,), 0.01, device=dev), torch.zeros(d, device=dev)
        coef = (torch.randn(k, generator=g) * 0.1).to(dev)

    def step():
        if args.task == 'forward':
            with torch.no_grad():
                model.set_lora(lora.to(dtype))
                return model(x, t, text).float().sum().item()
        wrt = (coef if k else lora).clone().requires_grad_(True)
        model.set_lora(((v @ wrt) * std + mean if k else wrt).to(dtype))
        diff = model(x, t, text).float() * mask - target * mask
        loss = (diff * diff).mean()
        loss.backward()
        return wrt.grad.float().abs().sum().item()

    setup_peak = memory()['hwm']
    times, peaks, check = [], [], None
    for _ in range(args.runs + 1):  # the first run warms up
        reset_peak()
        s = time.perf_counter()
        check = step()
        times.append((time.perf_counter() - s) * 1000)
        peaks.append(memory()['hwm'])
    mem = memory()
    print(json.dumps({
        'build_ms': build_ms, 'first_ms': times[0], 'times_ms': times[1:], 'step_peak_mib': max(peaks[1:]), 'first_peak_mib': peaks[0],
        'setup_peak_mib': setup_peak, 'rss_after_mib': mem['rss'], 'finite': math.isfinite(check),
        'threads': torch.get_num_threads(), 'torch': torch.__version__, 'device': str(dev),
        'gpu_peak_mib': torch.cuda.max_memory_allocated() / 2**20 if dev.type == 'cuda' else None,
        'gpu': torch.cuda.get_device_name(dev) if dev.type == 'cuda' else None,
    }))


def check(args):
    """Reference check on the tiny fixture: eps (its finite half: the fixture's t=401 element is NaN) and the
    masked loss at space.theta (space.coef_loss; lora.flat itself is too ill-conditioned to compare)."""
    cfg = json.load(open(os.path.join(args.model, 'unet/config.json')))
    model = UNet(cfg)
    model.load_state_dict(read_safetensors(os.path.join(args.model, 'unet/diffusion_pytorch_model.safetensors')), strict=True)
    model.requires_grad_(False)
    ref = read_safetensors(os.path.join(args.model, 'reference.safetensors'))
    x, t, text = ref['unet.sample'], ref['unet.timestep'], ref['unet.encoder_hidden_states']
    with torch.no_grad():
        model.set_lora(torch.zeros(lora_count(model)))
        e, want = model(x, t, text), ref['unet.eps']
        keep = want.isfinite()
        eps = ((e - want)[keep].abs().max() / want[keep].abs().max()).item()
        model.set_lora(ref['space.theta'].reshape(-1))
        diff = model(x, t, text) * ref['lora.mask'] - ref['lora.target'] * ref['lora.mask']
        loss = (diff * diff).mean().item()
    want_loss = ref['space.coef_loss'].reshape(-1)[0].item()
    print(json.dumps({'unet.eps': eps, 'space.coef_loss': abs(loss - want_loss) / abs(want_loss)}))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('run')
    r.add_argument('--config', required=True)
    r.add_argument('--weights')
    r.add_argument('--precision', choices=['fp32', 'fp16'], default='fp32')
    r.add_argument('--task', required=True, help='forward, grad or invert_k<K>')
    r.add_argument('--device', default='cpu', help='cpu or cuda')
    r.add_argument('--size', type=int, help='latent side (default: sample_size)')
    r.add_argument('--runs', type=int, default=1)
    r.add_argument('--threads', type=int, default=2)
    r.add_argument('--seed', type=int, default=0)
    c = sub.add_parser('check')
    c.add_argument('--model', required=True)
    args = p.parse_args()
    (run if args.cmd == 'run' else check)(args)


if __name__ == '__main__':
    sys.exit(main())

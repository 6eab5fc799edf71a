#!/usr/bin/python3
"""PyTorch peer of the Java Perceiver IO: the same forward passes, written from golden/README.md's semantics of
Hugging Face transformers v4.27.1 in plain PyTorch (Debian's python3-torch 1.13 and numpy; no transformers).

    bench/torch_peer.py golden golden/*                 # every golden case: PASS/FAIL as `perceiver golden`
    bench/torch_peer.py bench --model flow [--weights DIR] [--repeat R] [--warmup W] [--json FILE]
    bench/torch_peer.py sgemm 256x1280x1280 8192x512x2048   # numpy (BLAS) matmul GFLOP/s at model shapes

`bench` builds a published architecture (golden/published-configs/) at full size and times forward passes on
paper-sized inputs, printing the same columns as `perceiver bench`. With --weights DIR it reads the weights, inputs
and outputs that `perceiver bench --save-weights DIR` wrote, runs on them and checks its outputs against Java's;
without, it draws random weights of the published shapes. Threads: set OMP_NUM_THREADS / OMP_WAIT_POLICY in the
environment before starting (bench/compare.sh does) or pass --threads N (torch.set_num_threads).

The code mirrors the reference implementation's structure, including where it materialises the full attention
matrix (the optical-flow decoder's 182,528 x 2,048 scores), so its time and memory are those of the reference.
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------------------------
# safetensors (8-byte little-endian header length, JSON header, raw little-endian C-order data)

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}


def read_safetensors(path):
    """{name: torch tensor}, float tensors as float32."""
    out = {}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            buf = bytearray(end - begin)  # read, not mapped: file pages would count as resident memory
            f.seek(8 + n + begin)
            f.readinto(buf)
            t = torch.from_numpy(np.frombuffer(buf, dtype=DTYPES[info["dtype"]]).reshape(info["shape"]))
            out[name] = t.float() if t.is_floating_point() else t
    return out


# ----------------------------------------------------------------------------------------------------------------
# configuration: HF PerceiverConfig defaults, plus the model class and (golden cases) the constructor notes

DEFAULTS = dict(num_latents=256, d_latents=1280, d_model=768, num_blocks=1, num_self_attends_per_block=26,
                num_self_attention_heads=8, num_cross_attention_heads=8, qk_channels=None, v_channels=None,
                vocab_size=262, max_position_embeddings=2048, image_size=56, train_size=[368, 496], num_frames=16,
                audio_samples_per_frame=1920, samples_per_patch=16, output_shape=[1, 16, 224, 224])


class Config(dict):
    __getattr__ = dict.__getitem__

    @staticmethod
    def of(raw, model_class):
        c = Config(DEFAULTS)
        c.update({k: v for k, v in raw.items() if v is not None or k not in DEFAULTS})
        c["model_class"] = model_class
        labels = raw.get("id2label")
        if isinstance(labels, str):  # published configs: "<1000 generic labels LABEL_0..LABEL_999>"
            c["num_labels"] = int(re.match(r"<(\d+) ", labels).group(1))
        else:
            c["num_labels"] = len(labels) if labels else raw.get("num_labels") or 2
        return c


def load_config(path):
    raw = json.load(open(path))
    if "state_dict" in raw:  # a published-configs entry
        c = Config.of(raw["config"], raw["model_class"])
        c["state_dict"] = raw["state_dict"]
        return c
    return Config.of(raw, raw.get("model_class") or (raw.get("architectures") or [None])[0])


# ----------------------------------------------------------------------------------------------------------------
# building blocks (golden/README.md points 1-9)

class Trace:
    """Named intermediates (when recording) and the times at which the forward pass reached each stage."""

    def __init__(self, record=False):
        self.record, self.tensors, self.marks = record, {}, {}
        self.prefix = ""

    def put(self, name, t):
        if self.record:
            self.tensors[self.prefix + name] = t

    def mark(self, stage):
        self.marks.setdefault(stage, time.perf_counter())


def linear(p, prefix, x):
    return F.linear(x, p[prefix + "weight"], p.get(prefix + "bias"))


def layer_norm(p, prefix, x):
    return F.layer_norm(x, (x.shape[-1],), p[prefix + "weight"], p[prefix + "bias"], 1e-5)


def attention_layer(p, prefix, x, kv, heads, residual, mask=None, trace=None, probs_name=None):
    """PerceiverLayer: pre-LN attention (separate LN on the key/value array), optional query residual, then
    out = h + MLP(LN(h)). kv None: self-attention."""
    s = prefix + "attention.self."
    xq = layer_norm(p, s + "layernorm1.", x)
    xkv = xq if kv is None else layer_norm(p, s + "layernorm2.", kv)
    q, k, v = linear(p, s + "query.", xq), linear(p, s + "key.", xkv), linear(p, s + "value.", xkv)
    b, n, m = q.shape[0], q.shape[1], k.shape[1]
    q = q.view(b, n, heads, -1).permute(0, 2, 1, 3)
    k = k.view(b, m, heads, -1).permute(0, 2, 1, 3)
    v = v.view(b, m, heads, -1).permute(0, 2, 1, 3)
    scores = torch.matmul(q, k.transpose(-1, -2))
    scores = scores / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    probs = torch.softmax(scores, dim=-1)
    if trace is not None and probs_name:
        trace.put(probs_name, probs)
    ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(b, n, -1)
    h = linear(p, prefix + "attention.output.dense.", ctx)
    if residual:
        h = h + x
    return h + linear(p, prefix + "mlp.dense2.", F.gelu(linear(p, prefix + "mlp.dense1.",
                                                                 layer_norm(p, prefix + "layernorm.", h))))


def encode(p, c, trunk, inputs, attention_mask, trace):
    """Latents cross-attend to the inputs, then the shared self-attention block num_blocks times."""
    z = p[trunk + "embeddings.latents"].expand(inputs.shape[0], -1, -1)
    mask = None
    if attention_mask is not None:  # (1 - mask) * finfo(float32).min, on the encoder cross-attention only
        mask = ((1 - attention_mask.float()) * torch.finfo(torch.float32).min)[:, None, None, :]
    z = attention_layer(p, trunk + "encoder.cross_attention.", z, inputs, c.num_cross_attention_heads,
                        c.get("use_query_residual", True), mask, trace, "cross_attentions.0")
    hidden = att = 0
    for _ in range(c.num_blocks):
        for i in range(c.num_self_attends_per_block):
            trace.put("hidden_states.%d" % hidden, z)
            if hidden == 0:
                trace.mark("encode")
            hidden += 1
            z = attention_layer(p, trunk + "encoder.self_attends.%d." % i, z, None, c.num_self_attention_heads, True,
                                None, trace, "attentions.%d" % att)
            att += 1
        trace.put("hidden_states.%d" % hidden, z)
        hidden += 1
    trace.put("last_hidden_state", z)
    trace.mark("process")
    return z


def decode(p, prefix, query, z, heads, residual, trace, final=True):
    """PerceiverBasicDecoder minus its query: cross-attention onto the latents, optional final layer."""
    trace.put("decoder.query", query)
    out = attention_layer(p, prefix + "decoding_cross_attention.", query, z, heads, residual, None, trace,
                          "cross_attentions.1")
    return linear(p, prefix + "final_layer.", out) if final else out


# ----------------------------------------------------------------------------------------------------------------
# position encodings and media preprocessing (points 16-22)

def linear_positions(index_dims):
    axes = [torch.linspace(-1.0, 1.0, steps=n, dtype=torch.float32) for n in index_dims]
    return torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1)


def fourier_features(pos, num_bands, max_resolution, concat_pos=True, sine_only=False):
    """pos [B, N, d] -> [B, N, C] (or [N, C] without concat_pos, as HF)."""
    bands = torch.stack([torch.linspace(1.0, res / 2, steps=num_bands) for res in max_resolution], dim=0)
    f = (pos[0, :, :][:, :, None] * bands[None, :, :]).reshape(pos.shape[1], -1)
    f = torch.sin(np.pi * f) if sine_only else torch.cat([torch.sin(np.pi * f), torch.cos(np.pi * f)], dim=-1)
    return torch.cat([pos, f.expand(pos.shape[0], -1, -1)], dim=-1) if concat_pos else f


def fourier_grid(index_dims, batch, num_bands, max_resolution, concat_pos=True, sine_only=False):
    pos = linear_positions(index_dims).reshape(1, -1, len(index_dims)).expand(batch, -1, -1)
    return fourier_features(pos, num_bands, max_resolution, concat_pos, sine_only)


def subsampled_positions(points, index_dims, batch):
    """Decoder query positions of flat indices: unravel, then -1 + 2*i/N per axis (not linspace)."""
    idx = [torch.from_numpy(x) for x in np.unravel_index(points.numpy(), index_dims)]
    pos = torch.stack(idx, dim=1)
    pos = -1 + 2 * pos / torch.tensor(index_dims)[None, :]
    return torch.broadcast_to(pos[None], [batch, pos.shape[0], pos.shape[-1]])


def space_to_depth(frames, temporal_block, spatial_block):
    """[B, T, C, H, W] -> [B, T/tb, H/sb, W/sb, tb*sb*sb*C], channel order (t, dy, dx, c)."""
    b, t, ch, h, w = frames.shape
    x = frames.view(b, t // temporal_block, temporal_block, ch, h // spatial_block, spatial_block,
                    w // spatial_block, spatial_block)
    x = x.permute(0, 1, 4, 6, 2, 5, 7, 3)
    return x.contiguous().view(b, t // temporal_block, h // spatial_block, w // spatial_block,
                               temporal_block * spatial_block ** 2 * ch)


def with_positions(features, positions, trace):
    """Channels-last features [B, ..., C] flattened to [B, M, C], position encoding concatenated after them."""
    x = features.reshape(features.shape[0], -1, features.shape[-1])
    trace.put("preprocessor.inputs_without_pos_channels", torch.tensor(x.shape[-1]))
    out = torch.cat([x, positions], dim=-1)
    trace.put("preprocessor.output", out)
    trace.mark("preprocess")
    return out


# ----------------------------------------------------------------------------------------------------------------
# model families: forward(p, c, inputs, trace) -> {output name: tensor}

T = "perceiver."


def text_trunk(p, c, inputs, trace):
    ids = inputs["inputs"]
    emb = p[T + "input_preprocessor.embeddings.weight"][ids]
    x = emb + p[T + "input_preprocessor.position_embeddings.weight"][:ids.shape[1]]
    trace.put("preprocessor.output", x)
    trace.put("preprocessor.inputs_without_pos", emb)
    trace.mark("preprocess")
    return encode(p, c, T, x, inputs.get("attention_mask"), trace)


def masked_lm(p, c, inputs, trace):
    z = text_trunk(p, c, inputs, trace)
    prefix = T + "decoder."
    query = p[prefix + "output_position_encodings.position_embeddings"].expand(z.shape[0], -1, -1)
    out = decode(p, prefix, query, z, 8, False, trace, final=False)  # HF: 8 heads, qk 256, no final layer
    trace.put("decoder.output", out)
    emb = p[T + "input_preprocessor.embeddings.weight"]
    logits = (torch.matmul(out.reshape(-1, out.shape[-1]), emb.t()) + p["embedding_decoder.bias"]).reshape(
        out.shape[0], out.shape[1], -1)
    return {"logits": logits}


def classify(p, c, z, trace, trunk=T):
    prefix = trunk + "decoder.decoder."
    query = p[prefix + "output_position_encodings.position_embeddings"].expand(z.shape[0], -1, -1)
    logits = decode(p, prefix, query, z, 1, True, trace)[:, 0, :]
    trace.put("decoder.output", logits)
    return {"logits": logits}


def text_classifier(p, c, inputs, trace):
    return classify(p, c, text_trunk(p, c, inputs, trace), trace)


def image_classifier(p, c, inputs, trace):
    x = inputs["inputs"]
    s = T + "input_preprocessor."
    if c.model_class.endswith("Learned"):
        feats = F.conv2d(x, p[s + "convnet_1x1.weight"], p[s + "convnet_1x1.bias"]).permute(0, 2, 3, 1)
        pos = linear(p, s + "positions_projection.", p[s + "position_embeddings.position_embeddings"])
        pos = pos.expand(x.shape[0], -1, -1)
    elif c.model_class.endswith("Fourier"):
        feats = x.permute(0, 2, 3, 1)
        pos = fourier_grid(feats.shape[1:3], x.shape[0], 64, (224, 224))
    else:  # conv stem: 7x7 stride 2 (zero padding 3), BatchNorm (running stats), ReLU, 3x3 stride 2 max-pool
        b = s + "convnet.batchnorm."
        y = F.conv2d(x, p[s + "convnet.conv.weight"], None, stride=2, padding=3)
        trace.put("preprocessor.convnet.conv.output", y)
        y = F.batch_norm(y, p[b + "running_mean"], p[b + "running_var"], p[b + "weight"], p[b + "bias"], False, 0.0, 1e-5)
        trace.put("preprocessor.convnet.batchnorm.output", y)
        y = F.max_pool2d(F.relu(y), 3, 2)
        trace.put("preprocessor.convnet.output", y)
        feats = y.permute(0, 2, 3, 1)
        pos = fourier_grid(feats.shape[1:3], x.shape[0], 64, (56, 56))
    z = encode(p, c, T, with_positions(feats, pos, trace), None, trace)
    return classify(p, c, z, trace)


def optical_flow(p, c, inputs, trace):
    x = inputs["inputs"]
    h, w = c.train_size
    patches = space_to_depth(x, 2, 1).squeeze(1)  # [B, H, W, 54], channel frame*27 + c
    trace.put("preprocessor.patches", patches)
    feats = linear(p, T + "input_preprocessor.conv_after_patches.", patches)
    queries = with_positions(feats, fourier_grid((h, w), x.shape[0], 64, (h, w)), trace)
    z = encode(p, c, T, queries, None, trace)
    out = decode(p, T + "decoder.decoder.", queries, z, 1, False, trace)  # the queries are the inputs themselves
    trace.put("decoder.basic_decoder.output", out)
    flow = (out / 100.0).reshape(x.shape[0], h, w, out.shape[-1])
    trace.put("decoder.output", flow)
    return {"logits": flow}


MODALITIES = ("audio", "image", "label")  # sorted: the order of concatenation


def multimodal_encode(p, c, inputs, trace):
    audio, video = inputs["inputs.audio"], inputs["inputs.image"]
    batch, spp = video.shape[0], c.samples_per_patch
    s = T + "input_preprocessor."
    n_audio = c.num_frames * c.audio_samples_per_frame
    a = audio.reshape(batch, -1, spp)
    v = space_to_depth(video, 1, 4)
    v_flat = v.reshape(batch, -1, v.shape[-1])
    lab = inputs["inputs.label"][:, None, :]
    features = {"audio": torch.cat([a, fourier_grid((a.shape[1],), batch, 192, (n_audio,))], dim=-1),
                "image": torch.cat([v_flat, fourier_grid(v.shape[1:4], batch, 32,
                                                         (c.num_frames, c.image_size, c.image_size))], dim=-1),
                "label": lab}
    without = {"audio": a, "image": v_flat, "label": lab}
    width = max(f.shape[-1] for f in features.values()) + 4
    parts = []
    for m in MODALITIES:
        f = features[m]
        pad = p[s + "padding." + m].expand(batch, f.shape[1], width - f.shape[-1])
        x = torch.cat([f, pad], dim=2)
        if m == "label":  # mask probability 1: the trainable mask token replaces the label
            x = p[s + "mask." + m].expand(batch, f.shape[1], width)
        parts.append(x)
        trace.put("preprocessor.inputs_without_pos." + m, without[m])
    x = torch.cat(parts, dim=1)
    trace.put("preprocessor.output", x)
    trace.put("preprocessor.modality_sizes", torch.tensor([t.shape[1] for t in parts]))
    trace.mark("preprocess")
    return encode(p, c, T, x, None, trace)


def multimodal_decode(p, c, z, audio_points, image_points, trace):
    batch, spp, (t, h, w) = z.shape[0], c.samples_per_patch, c.output_shape[1:4]
    n_audio = c.num_frames * c.audio_samples_per_frame
    d = T + "decoder."
    queries = {
        "audio": fourier_features(subsampled_positions(audio_points, (n_audio // spp,), batch), 192, (n_audio,)),
        "image": fourier_features(subsampled_positions(image_points, (t, h, w), batch), 32,
                                  (c.num_frames, c.image_size, c.image_size)),
        "label": p[d + "modalities.label.decoder.output_position_encodings.position_embeddings"].expand(batch, -1, -1)}
    width = 1024 + 2  # HF hard-codes the label query width; padded by 2
    padded = [torch.cat([queries[m], p[d + "padding." + m].expand(batch, queries[m].shape[1],
                                                                  width - queries[m].shape[-1])], dim=2)
              for m in MODALITIES]
    out = decode(p, d + "decoder.", torch.cat(padded, dim=1), z, 1, False, trace)
    trace.put("decoder.output", out)
    na, ni = queries["audio"].shape[1], queries["image"].shape[1]
    o = T + "output_postprocessor.modalities."
    return {"logits.audio": linear(p, o + "audio.classifier.", out[:, :na]).reshape(batch, -1),
            "logits.image": linear(p, o + "image.classifier.", out[:, na:na + ni]),
            "logits.label": linear(p, o + "label.classifier.", out[:, na + ni:])[:, 0, :]}


def multimodal(p, c, inputs, trace):
    z = multimodal_encode(p, c, inputs, trace)
    out = multimodal_decode(p, c, z, inputs["subsampled_output_points.audio"],
                            inputs["subsampled_output_points.image"], trace)
    for k, v in out.items():
        trace.put(k, v)
    return out


def bare_model(p, c, inputs, trace):
    """PerceiverModel without preprocessor; the decoder as recorded in the golden case's constructor notes."""
    x = inputs["inputs"]
    trace.mark("preprocess")
    z = encode(p, c, "", x, inputs.get("attention_mask"), trace)
    dec = c["constructor"]["decoder"]
    kw = dec["kwargs"]
    if dec["cls"] == "PerceiverClassificationDecoder":
        return classify(p, c, z, trace, trunk="")
    query = p["decoder.output_position_encodings.position_embeddings"].expand(x.shape[0], -1, -1)
    out = decode(p, "decoder.", query, z, kw.get("num_heads", 1), kw.get("use_query_residual", False), trace,
                 kw.get("final_project", True))
    trace.put("decoder.output", out)
    return {"logits": out}


FAMILIES = {"PerceiverForMaskedLM": masked_lm, "PerceiverForSequenceClassification": text_classifier,
            "PerceiverForImageClassificationLearned": image_classifier,
            "PerceiverForImageClassificationFourier": image_classifier,
            "PerceiverForImageClassificationConvProcessing": image_classifier,
            "PerceiverForOpticalFlow": optical_flow, "PerceiverForMultimodalAutoencoding": multimodal,
            "PerceiverModel": bare_model}


def forward(p, c, inputs, trace):
    with torch.no_grad():
        out = FAMILIES[c.model_class](p, c, inputs, trace)
        for k, v in out.items():
            trace.put(k, v)
        return out


# ----------------------------------------------------------------------------------------------------------------
# golden cases: compare every stored tensor we produce, |ours - golden| <= 1e-4 * max(1, max|golden|)

def fourier_case(config, io, trace):
    for i, c in enumerate(config["combos"]):
        dims, pre = c["index_dims"], "combo%d." % i
        args = (c["num_bands"], c["max_resolution"], c["concat_pos"], c["sine_only"])
        if pre + "subsampled_indices" in io:
            pos = subsampled_positions(io[pre + "subsampled_indices"], dims, c["batch_size"])
            trace.put(pre + "positions", pos)
            trace.put(pre + "encoding", fourier_features(pos.float(), *args))
        else:
            trace.put(pre + "linear_positions", linear_positions(dims))
            trace.put(pre + "freq_bands", torch.stack([torch.linspace(1.0, r / 2, steps=c["num_bands"])
                                                       for r in c["max_resolution"]]))
            pos = linear_positions(dims).reshape(1, -1, len(dims))
            trace.put(pre + "generate_fourier_features", fourier_features(pos, *args))
            trace.put(pre + "encoding", fourier_grid(dims, c["batch_size"], *args))


def is_input(name):
    base = re.sub(r"^[a-z]+\.(?=subsampled_output_points)", "", name)
    return (base == "inputs" or base.startswith("inputs.") or base == "attention_mask"
            or base.startswith("subsampled_output_points.") or base.endswith(".subsampled_indices"))


def run_golden(case_dir, tolerance=1e-4):
    config = json.load(open(os.path.join(case_dir, "config.json")))
    io = read_safetensors(os.path.join(case_dir, "io.safetensors"))
    prefixes = sorted({n[:n.index("subsampled_output_points.")] for n in io if n.find("subsampled_output_points.") > 0})
    results, compared = [], set()
    for prefix in prefixes or [""]:
        trace = Trace(record=True)
        if "functions" in config:
            fourier_case(config, io, trace)
        else:
            c = Config.of(config, config["model_class"])
            p = read_safetensors(os.path.join(case_dir, "weights.safetensors"))
            inputs = {n[len(prefix):] if n.startswith(prefix) else n: t for n, t in io.items()
                      if is_input(n) and ("subsampled_output_points." not in n or n.startswith(prefix))}
            forward(p, c, inputs, trace)
        for name, ours in trace.tensors.items():
            key = prefix + name if prefix + name in io else name
            if key not in io or key in compared:
                continue
            compared.add(key)
            g = io[key]
            if tuple(ours.shape) != tuple(g.shape):
                results.append((key, False, "shape %s != golden %s" % (tuple(ours.shape), tuple(g.shape))))
            elif not g.is_floating_point():
                same = torch.equal(ours.long(), g)
                results.append((key, same, "exact" if same else "integers differ"))
            else:
                err = (ours.double() - g.double()).abs().max().item() if g.numel() else 0.0
                rel = err / max(1.0, g.abs().max().item() if g.numel() else 0.0)
                zeros = key.endswith("cross_attentions.0") and bool(((g == 0) & (ours != 0)).any())
                results.append((key, rel <= tolerance and not zeros, "max|d| %.2e rel %.2e%s" % (
                    err, rel, " (masked probabilities not exactly 0)" if zeros else "")))
    missing = [n for n in io if n not in compared and not is_input(n) and not n.startswith("aux.")]
    return results, missing


def golden_main(args):
    failed = 0
    for d in args.dirs:
        if not os.path.isfile(os.path.join(d, "config.json")) or not os.path.isfile(os.path.join(d, "io.safetensors")):
            print("SKIP        %s: not a golden case folder" % os.path.basename(d.rstrip("/")))
            continue
        config = json.load(open(os.path.join(d, "config.json")))
        if "functions" not in config and config.get("model_class") not in FAMILIES:
            print("UNSUPPORTED %s: not a model forward pass (%s)" % (
                os.path.basename(d.rstrip("/")), config.get("model_class") or config.get("kind")))
            continue
        results, missing = run_golden(d, args.tolerance)
        ok = bool(results) and all(r[1] for r in results)
        failed += not ok
        worst = max(results, key=lambda r: (not r[1], float(re.findall(r"rel ([0-9.e+-]+)", r[2])[0])
                                            if "rel" in r[2] else 0.0)) if results else None
        line = "%-11s %s: %d tensors compared" % ("PASS" if ok else "FAIL", os.path.basename(d.rstrip("/")), len(results))
        if worst:
            line += ", worst %s %s" % (worst[0], worst[2])
        if missing:
            line += "; not compared: %s" % missing
        print(line)
        if args.verbose or not ok:
            for name, good, msg in results:
                print("    %-40s %s%s" % (name, msg, "" if good else "  FAIL"))
    return 1 if failed else 0


# ----------------------------------------------------------------------------------------------------------------
# full-size benchmark

def published(configs, selector):
    names = sorted(f[:-5] for f in os.listdir(configs) if f.endswith(".json"))
    hits = [n for n in names if n == selector] or [n for n in names if selector in n]
    if len(hits) != 1:
        sys.exit("error: --model '%s' matches %d of %s" % (selector, len(hits), names))
    return hits[0], load_config(os.path.join(configs, hits[0] + ".json"))


def random_weights(c, seed):
    """Random weights of the published shapes: N(0, 1/fan_in) for matrices, 0.1 N(0, 1) for vectors, positive
    BatchNorm variances (as the Java benchmark's, though not the same numbers)."""
    g = torch.Generator().manual_seed(seed)
    p = {}
    for e in c.state_dict:
        shape = e["shape"]
        if "int" in e["dtype"] or e["dtype"].startswith("I"):
            p[e["key"]] = torch.zeros(shape, dtype=torch.int64)
            continue
        std = 1 / math.sqrt(shape[-1]) if len(shape) >= 2 else 0.1
        t = torch.randn(shape, generator=g) * std
        p[e["key"]] = t.abs() + 0.5 if e["key"].endswith("running_var") else t
    return p


def paper_inputs(c, seed, image_size):
    """The paper-sized inputs of `perceiver bench` (random values; the Java side's are read with --weights)."""
    g = torch.Generator().manual_seed(seed)
    mc = c.model_class
    if mc in ("PerceiverForMaskedLM", "PerceiverForSequenceClassification"):
        n = c.max_position_embeddings
        return {"inputs": torch.randint(6, 262, (1, n), generator=g), "attention_mask": torch.ones(1, n, dtype=torch.int64)}
    if mc.startswith("PerceiverForImageClassification"):
        side = c.image_size if mc.endswith("Learned") else image_size or 224
        return {"inputs": torch.randn(1, 3, side, side, generator=g)}
    if mc == "PerceiverForOpticalFlow":
        return {"inputs": torch.randn(1, 2, 27, *c.train_size, generator=g)}
    if mc == "PerceiverForMultimodalAutoencoding":
        t, h, w = c.output_shape[1:4]
        return {"inputs.audio": torch.randn(1, c.num_frames * c.audio_samples_per_frame, 1, generator=g),
                "inputs.image": torch.randn(1, t, 3, h, w, generator=g), "inputs.label": torch.zeros(1, c.num_labels)}
    sys.exit("error: no paper-sized workload for " + mc)


def chunk_points(total, chunks, k):
    return torch.arange(total * k // chunks, total * (k + 1) // chunks, dtype=torch.int64)


def stage_times(start, marks, end):
    pre = marks.get("preprocess", start)
    enc = marks.get("encode", pre)
    proc = marks.get("process", enc)
    return {"preprocess": pre - start, "encode": enc - pre, "process": proc - enc, "decode": end - proc}


def peak_rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return -1


def bench_main(args):
    if args.threads:
        torch.set_num_threads(args.threads)
    name, c = published(args.configs, args.model)
    t0 = time.perf_counter()
    wdir = os.path.join(args.weights, name) if args.weights else None
    p = read_safetensors(os.path.join(wdir, "weights.safetensors")) if wdir else random_weights(c, args.seed)
    build = time.perf_counter() - t0
    inputs = paper_inputs(c, args.seed + 1, args.image_size)
    mm = c.model_class == "PerceiverForMultimodalAutoencoding"
    saved = read_safetensors(os.path.join(wdir, "inputs.safetensors")) if wdir else None
    if saved:
        inputs.update({k: v for k, v in saved.items() if not k.startswith("subsampled_output_points.")})
    print("%s: %s in %.1f s; torch %s, %d threads, OMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s, BLAS %s" % (
        name, "weights read" if wdir else "random weights", build, torch.__version__, torch.get_num_threads(),
        os.environ.get("OMP_NUM_THREADS", "-"), os.environ.get("OMP_WAIT_POLICY", "-"), blas_library()),
        file=sys.stderr, flush=True)
    t, h, w = c.output_shape[1:4]
    spp = c.samples_per_patch
    n_audio = c.num_frames * c.audio_samples_per_frame // spp
    chunks = min(args.chunks, n_audio, t * h * w)  # as the Java side: every chunk decodes some audio and video

    def chunk_inputs(k):
        return dict(inputs, **{"subsampled_output_points.image": chunk_points(t * h * w, chunks, k),
                               "subsampled_output_points.audio": chunk_points(n_audio, chunks, k)})

    def one_pass():
        trace = Trace()
        start = time.perf_counter()
        with torch.no_grad():
            if mm:  # encode once, decode every chunk
                z = multimodal_encode(p, c, inputs, trace)
                for k in range(chunks):
                    multimodal_decode(p, c, z, chunk_points(n_audio, chunks, k), chunk_points(t * h * w, chunks, k),
                                      Trace())
            else:
                forward(p, c, inputs, trace)
        return stage_times(start, trace.marks, time.perf_counter())

    for _ in range(args.warmup):
        forward(p, c, chunk_inputs(0) if mm else inputs, Trace())
    runs = []
    for i in range(args.repeat):
        runs.append(one_pass())
        print("%s: pass %d %.3f s" % (name, i + 1, sum(runs[-1].values())), file=sys.stderr, flush=True)
    runs.sort(key=lambda r: sum(r.values()))
    med = runs[(len(runs) - 1) // 2]
    result = {"model": name, "model_class": c.model_class, "threads": torch.get_num_threads(),
              "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
              "blas": blas_library(), "torch": torch.__version__, "weights": "java" if wdir else "random",
              "wall_s": sum(med.values()), "best_s": sum(runs[0].values()), "stage_s": med,
              "runs_s": [sum(r.values()) for r in runs], "build_s": build}
    if mm:
        reenc = []
        for i in range(args.reencode_samples):
            s = time.perf_counter()
            forward(p, c, chunk_inputs(i * chunks // max(1, args.reencode_samples)), Trace())
            reenc.append(time.perf_counter() - s)
        result["reencode"] = {"chunks": chunks, "chunk_forward_s": reenc, "projected_s": chunks * sum(reenc) / len(reenc)}
    check = None
    if args.check and wdir and os.path.isfile(os.path.join(wdir, "outputs.safetensors")):
        java = read_safetensors(os.path.join(wdir, "outputs.safetensors"))
        run = dict(inputs, **{k: v for k, v in saved.items() if k.startswith("subsampled_output_points.")})
        ours = forward(p, c, run, Trace())
        check = {k: (ours[k].double() - v.double()).abs().max().item() / max(1.0, v.abs().max().item())
                 for k, v in java.items()}
        del ours
        print("%s: outputs vs Java (max|d| / max(1, max|java|)): %s" % (
            name, ", ".join("%s %.1e" % kv for kv in check.items())), file=sys.stderr, flush=True)
    if check is not None:
        result["check_vs_java"] = check
    result["peak_rss_bytes"] = peak_rss()
    result["loadavg"] = " ".join(open("/proc/loadavg").read().split()[:3])
    s = result["wall_s"]
    print("%-26s %3d %9.3f s  peak RSS %.2f GB  pre %.1f%% enc %.1f%% proc %.1f%% dec %.1f%%" % (
        name, result["threads"], s, result["peak_rss_bytes"] / 1e9, *(100 * med[k] / s for k in med)))
    if mm:
        print("%-26s %3d %9.1f s  (projected: %d x %.3f s per-chunk forward)" % (
            "  re-encode per chunk", result["threads"], result["reencode"]["projected_s"], chunks,
            result["reencode"]["projected_s"] / chunks))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


def sgemm_main(args):
    """numpy float32 matmul (the BLAS this process loaded) at model shapes MxKxN: GFLOP/s, best of --repeat."""
    out = {"blas": blas_library(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "shapes": {}}
    rng = np.random.default_rng(0)
    for shape in args.shapes:
        m, k, n = (int(x) for x in shape.split("x"))
        a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
        a @ b
        best = min(timed(lambda: a @ b) for _ in range(args.repeat))
        out["shapes"][shape] = 2 * m * k * n / best / 1e9
        print("sgemm %-18s %7.1f GFLOP/s  (OMP_NUM_THREADS=%s, %s)" % (
            shape, out["shapes"][shape], out["omp_num_threads"], out["blas"].split(",")[0]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    return 0


def timed(fn):
    s = time.perf_counter()
    fn()
    return time.perf_counter() - s


def blas_library():
    """The BLAS shared library this process loaded (torch's and numpy's matmul)."""
    try:
        libs = {l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and ".so" in l}
        return ", ".join(sorted(os.path.realpath(x) for x in libs)) or "none"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("golden", help="run golden case folders, PASS/FAIL per case")
    g.add_argument("dirs", nargs="+")
    g.add_argument("-v", "--verbose", action="store_true")
    g.add_argument("--tolerance", type=float, default=1e-4)
    b = sub.add_parser("bench", help="time a published architecture at full size")
    here = os.path.dirname(os.path.abspath(__file__))
    b.add_argument("--model", required=True)
    b.add_argument("--configs", default=os.path.join(here, "..", "golden", "published-configs"))
    b.add_argument("--weights", help="folder written by `perceiver bench --save-weights`")
    b.add_argument("--check", action="store_true", help="with --weights: after timing, compare outputs with Java's")
    b.add_argument("--repeat", type=int, default=1)
    b.add_argument("--warmup", type=int, default=1)
    b.add_argument("--chunks", type=int, default=128)
    b.add_argument("--reencode-samples", type=int, default=1)
    b.add_argument("--image-size", type=int, default=0)
    b.add_argument("--threads", type=int, default=0)
    b.add_argument("--seed", type=int, default=42)
    b.add_argument("--json")
    m = sub.add_parser("sgemm", help="numpy matmul GFLOP/s at model shapes (the BLAS reference)")
    m.add_argument("shapes", nargs="+", help="MxKxN, e.g. 256x1280x1280")
    m.add_argument("--repeat", type=int, default=5)
    m.add_argument("--json")
    args = ap.parse_args()
    return {"golden": golden_main, "bench": bench_main, "sgemm": sgemm_main}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())

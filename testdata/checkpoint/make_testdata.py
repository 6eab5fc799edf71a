#!/usr/bin/python3
"""Writes the checkpoint test files under testdata/checkpoint/ (run from the repository root).

Needs real PyTorch (Debian: apt-get install python3-torch; run with /usr/bin/python3). Expected values are taken
from PyTorch itself and written with the tiny struct-based safetensors writer below (no safetensors package), so
the Java readers are checked against data that never passed through our own code.

Outputs (all small):
  state_dict.pt / state_dict.expected.safetensors   dtypes, non-contiguous views, shared storage, 0-dim tensors
  module.pt, module_p4.pt, module_zip64.pt / module.expected.safetensors
                                                    a real nn.Module state dict (OrderedDict with _metadata,
                                                    BUILD), pickle protocol 2 and 4, ZIP64 records
  parameter.pt / parameter.expected.safetensors     nn.Parameter values (_rebuild_parameter)
  evil_*.pt                                         hand-written malicious pickles in a valid torch zip layout
  bad_*.pt                                          malformed files (truncated zip, missing storage entry, ...)
  legacy.pt                                         the pre-1.6 bare-pickle format (refused with advice)
  golden-bin/<case>.bin                             torch.save of golden/<case>/weights.safetensors
"""
import collections
import json
import os
import struct
import sys
import zipfile

import torch

OUT = os.path.join("testdata", "checkpoint")
GOLDEN_CASES = ["basic-model", "mlm-bytes", "seq-classification"]

ST_DTYPES = {torch.float32: ("F32", "<f"), torch.float64: ("F64", "<d"), torch.int64: ("I64", "<q"),
             torch.int32: ("I32", "<i"), torch.int16: ("I16", "<h"), torch.int8: ("I8", "<b"),
             torch.uint8: ("U8", "<B"), torch.bool: ("BOOL", "<?")}
TORCH_DTYPES = {"F32": torch.float32, "I64": torch.int64}


def write_safetensors(path, tensors):
    """Minimal safetensors writer: struct-packed values, header padded so 8 + N is a multiple of 8."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        name_, fmt = ST_DTYPES[t.dtype]
        values = t.reshape(-1).tolist()
        blob = b"".join(struct.pack(fmt, v) for v in values)
        header[name] = {"dtype": name_, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    """Minimal safetensors reader for the golden files (F32 and I64 only)."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    tensors = collections.OrderedDict()
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        dtype = TORCH_DTYPES[e["dtype"]]
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(e["shape"]).clone()
    return tensors


def expected(tensors):
    """What the Java reader must return: float tensors as float32 (widened by torch), integers as int64."""
    out = collections.OrderedDict()
    for name, t in tensors.items():
        out[name] = t.contiguous().to(torch.float32 if t.is_floating_point() else torch.int64)
    return out


def state_dict():
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(4, 6, generator=g)
    matrix = torch.randn(3, 5, generator=g)
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 4, generator=g)
    sd["f64"] = torch.randn(2, generator=g, dtype=torch.float64)
    sd["f16"] = torch.randn(5, generator=g).to(torch.float16)
    sd["bf16"] = torch.randn(2, 3, generator=g).to(torch.bfloat16)
    sd["i64"] = torch.tensor([0, -1, 2 ** 40, -(2 ** 62), 7])
    sd["i32"] = torch.tensor([1, -2, 2 ** 30], dtype=torch.int32)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["transposed"] = matrix.t()              # non-contiguous: strides (1, 5)
    sd["shared.full"] = base                   # the three share one storage
    sd["shared.row"] = base[2]                 # storage offset 12
    sd["shared.column"] = base[:, 1]           # offset 1, stride 6
    sd["shared.strided"] = base[1:, ::2]       # offset 6, strides (6, 2)
    sd["scalar"] = torch.tensor(2.5)
    sd["scalar.int"] = torch.tensor(42)
    sd["empty"] = torch.zeros(0, 3)
    return sd


def module():
    torch.manual_seed(5)
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    m.train()
    m(torch.randn(6, 3))                       # running stats and num_batches_tracked become non-trivial
    return m.state_dict()


def torch_zip(path, pickle_bytes, records=()):
    """A zip in PyTorch's own layout (aligned stored records, <archive>/version) around a hand-made pickle."""
    w = torch._C.PyTorchFileWriter(path)
    w.write_record("data.pkl", pickle_bytes, len(pickle_bytes))
    for name, data in records:
        w.write_record(name, data, len(data))
    w.write_end_of_file()
    del w


def unicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def evil_files():
    # GLOBAL os.system + REDUCE: would run a shell command in pickle.load
    torch_zip(os.path.join(OUT, "evil_global.pt"),
              b"\x80\x02cos\nsystem\n" + unicode("echo pwned") + b"\x85R.")
    # protocol 4 STACK_GLOBAL builtins.eval inside an otherwise normal state dict
    torch_zip(os.path.join(OUT, "evil_stack_global.pt"),
              b"\x80\x04}(" + unicode("w") + b"\x8c\x08builtins\x8c\x04eval\x93" + unicode("1+1") + b"\x85Ru.")
    # an allowed name used the wrong way: REDUCE of a storage class (would instantiate it)
    torch_zip(os.path.join(OUT, "evil_reduce_storage.pt"),
              b"\x80\x02}(" + unicode("w") + b"ctorch\nFloatStorage\nK\x04\x85Ru.")
    # a tensor rebuilt through a disallowed function
    torch_zip(os.path.join(OUT, "evil_rebuild.pt"),
              b"\x80\x02}(" + unicode("w") + b"ctorch._utils\n_rebuild_qtensor\n)Ru.")


def tensor_pickle(name, size, stride, numel, offset=0):
    """A one-tensor state dict pickle: {name: _rebuild_tensor_v2(storage '0' of numel floats, offset, size, stride)}."""
    ints = lambda xs: b"(" + b"".join(b"J" + struct.pack("<i", x) for x in xs) + b"t"
    pid = b"(" + unicode("storage") + b"ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") \
        + b"J" + struct.pack("<i", numel) + b"t"
    return (b"\x80\x02ccollections\nOrderedDict\n)R(" + unicode(name) + b"ctorch._utils\n_rebuild_tensor_v2\n("
            + pid + b"QJ" + struct.pack("<i", offset) + ints(size) + ints(stride)
            + b"\x89ccollections\nOrderedDict\n)RtRu.")


def bad_files():
    with open(os.path.join(OUT, "state_dict.pt"), "rb") as f:
        good = f.read()
    with open(os.path.join(OUT, "bad_truncated.pt"), "wb") as f:
        f.write(good[:len(good) // 2])
    floats = struct.pack("<4f", 1, 2, 3, 4)
    # the pickle names storage '0' but the zip has no bad_missing_data/data/0 entry
    torch_zip(os.path.join(OUT, "bad_missing_data.pt"), tensor_pickle("w", [4], [1], 4))
    # a view reaching past its storage: 3 x 2 with strides (2, 1) needs 6 elements, the storage has 4
    torch_zip(os.path.join(OUT, "bad_view.pt"), tensor_pickle("w", [3, 2], [2, 1], 4), [("data/0", floats)])
    # the storage entry is shorter than numel says
    torch_zip(os.path.join(OUT, "bad_storage_size.pt"), tensor_pickle("w", [4], [1], 5), [("data/0", floats)])
    # the pickle stops in the middle
    p = tensor_pickle("w", [4], [1], 4)
    torch_zip(os.path.join(OUT, "bad_pickle_truncated.pt"), p[:len(p) - 9], [("data/0", floats)])
    # a hand-made valid one-tensor file at a storage offset, as a positive control of the hand-made layout
    torch_zip(os.path.join(OUT, "handmade_offset.pt"), tensor_pickle("w", [2], [1], 4, offset=2),
              [("data/0", floats)])


def zip64_variant(src, dst):
    """The same archive with ZIP64 records: every central directory entry takes its local header offset from a
    ZIP64 extra field, and the end record points to a ZIP64 end record (as PyTorch writes for files over 4 GB)."""
    with open(src, "rb") as f:
        data = f.read()
    eocd = data.rindex(b"PK\x05\x06")
    count, dir_size, dir_offset = struct.unpack("<HII", data[eocd + 10:eocd + 20])
    directory, p = b"", dir_offset
    for _ in range(count):
        n, e, c = struct.unpack("<HHH", data[p + 28:p + 34])
        head = bytearray(data[p:p + 46])
        local = struct.unpack("<I", head[42:46])[0]
        head[42:46] = struct.pack("<I", 0xFFFFFFFF)
        head[30:32] = struct.pack("<H", e + 12)
        extra = data[p + 46 + n:p + 46 + n + e] + struct.pack("<HHQ", 1, 8, local)
        directory += bytes(head) + data[p + 46:p + 46 + n] + extra + data[p + 46 + n + e:p + 46 + n + e + c]
        p += 46 + n + e + c
    z64 = dir_offset + len(directory)
    record = struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, count, count, len(directory), dir_offset)
    locator = struct.pack("<IIQI", 0x07064b50, 0, z64, 1)
    end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(dst, "wb") as f:
        f.write(data[:dir_offset] + directory + record + locator + end)
    with zipfile.ZipFile(dst) as z:                 # Python's zip reader agrees (torch's miniz reader does not
        assert z.testzip() is None and len(z.infolist()) == count    # take hand-patched ZIP64 records)


def main():
    os.makedirs(os.path.join(OUT, "golden-bin"), exist_ok=True)
    sd = state_dict()
    torch.save(sd, os.path.join(OUT, "state_dict.pt"))
    write_safetensors(os.path.join(OUT, "state_dict.expected.safetensors"), expected(sd))

    md = module()
    torch.save(md, os.path.join(OUT, "module.pt"))
    torch.save(md, os.path.join(OUT, "module_p4.pt"), pickle_protocol=4)
    zip64_variant(os.path.join(OUT, "module.pt"), os.path.join(OUT, "module_zip64.pt"))
    write_safetensors(os.path.join(OUT, "module.expected.safetensors"), expected(md))

    params = collections.OrderedDict(weight=torch.nn.Parameter(torch.arange(6.0).reshape(2, 3)))
    torch.save(params, os.path.join(OUT, "parameter.pt"))
    write_safetensors(os.path.join(OUT, "parameter.expected.safetensors"),
                      expected({k: v.detach() for k, v in params.items()}))

    evil_files()
    bad_files()
    torch.save(collections.OrderedDict(w=torch.ones(2)), os.path.join(OUT, "legacy.pt"),
               _use_new_zipfile_serialization=False)

    for case in GOLDEN_CASES:
        weights = read_safetensors(os.path.join("golden", case, "weights.safetensors"))
        torch.save(weights, os.path.join(OUT, "golden-bin", case + ".bin"))

    for name in sorted(os.listdir(OUT)):
        if name.endswith(".pt"):
            path = os.path.join(OUT, name)
            entries = [i.filename for i in zipfile.ZipFile(path).infolist()] if zipfile.is_zipfile(path) else "-"
            print(f"{name}: {os.path.getsize(path)} bytes, {entries}", file=sys.stderr)


if __name__ == "__main__":
    main()

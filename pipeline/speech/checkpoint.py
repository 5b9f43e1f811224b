"""The bundled CTranslate2 model as an openai-whisper checkpoint, so both engines run the very
same weights offline.

CTranslate2 writes `model.bin` as a header, then each variable as (name, shape, dtype, bytes),
then aliases (ctranslate2/specs/model_spec.py, `_serialize`). Its Whisper spec fuses the query,
key and value projections of self-attention into one matrix, and the key and value ones of
cross-attention; openai-whisper keeps them apart and has no key bias (the fused bias is zero there).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import MissingToolError
from ..files import temp_path

# The DataType enum of CTranslate2 (include/ctranslate2/types.h), in order.
DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 `model.bin`, aliases resolved, as numpy arrays."""

    def number(f: BinaryIO, fmt: str) -> int:
        return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

    def string(f: BinaryIO) -> str:
        return f.read(number(f, "H"))[:-1].decode("utf-8")

    variables: dict[str, np.ndarray] = {}
    with path.open("rb") as f:
        number(f, "I")  # binary version
        spec = string(f)
        if spec != "WhisperSpec":
            raise MissingToolError(f"{path}: a {spec} model, not Whisper")
        number(f, "I")  # spec revision
        for _ in range(number(f, "I")):
            name = string(f)
            shape = tuple(number(f, "I") for _ in range(number(f, "B")))
            dtype = DTYPES[number(f, "B")]
            size = number(f, "I")
            if name.endswith("weight_scale") or dtype == "bfloat16":
                raise MissingToolError(f"{path}: a quantized model ({name}); convert a float16 or float32 one")
            variables[name] = np.frombuffer(f.read(size), dtype=dtype).reshape(shape)
        for _ in range(number(f, "I")):
            alias, target = string(f), string(f)
            variables[alias] = variables[target]
    return variables


def _alignment_heads(heads: list[list[int]], layers: int, per_layer: int) -> str:
    """openai-whisper's encoding of the heads used for word timings: a gzip'd, base85'd bool mask."""
    mask = np.zeros((layers, per_layer), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes())).decode("ascii")


def to_openai(variables: dict[str, np.ndarray]) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """openai-whisper's `dims` and `model_state_dict` (as numpy) from CTranslate2 variables."""
    state: dict[str, np.ndarray] = {}

    def layer_norm(ct2: str, ours: str) -> None:
        state[f"{ours}.weight"] = variables[f"{ct2}/gamma"]
        state[f"{ours}.bias"] = variables[f"{ct2}/beta"]

    def linear(ct2: str, ours: str) -> None:
        state[f"{ours}.weight"] = variables[f"{ct2}/weight"]
        state[f"{ours}.bias"] = variables[f"{ct2}/bias"]

    def split(ct2: str, ours: list[str]) -> None:
        """A fused projection cut back into its parts; the key ("...key") has no bias."""
        weights = np.split(variables[f"{ct2}/weight"], len(ours))
        biases = np.split(variables[f"{ct2}/bias"], len(ours))
        for name, weight, bias in zip(ours, weights, biases):
            state[f"{name}.weight"] = weight
            if not name.endswith(".key"):
                state[f"{name}.bias"] = bias

    def count(prefix: str) -> int:
        return len({m.group(1) for k in variables if (m := re.match(rf"{prefix}/layer_(\d+)/", k))})

    encoder_layers, decoder_layers = count("encoder"), count("decoder")
    for name in ("conv1", "conv2"):
        linear(f"encoder/{name}", f"encoder.{name}")
    state["encoder.positional_embedding"] = variables["encoder/position_encodings/encodings"]

    def block(ct2: str, ours: str) -> None:
        """Self-attention and feed-forward, which encoder and decoder layers share."""
        layer_norm(f"{ct2}/self_attention/layer_norm", f"{ours}.attn_ln")
        split(f"{ct2}/self_attention/linear_0", [f"{ours}.attn.{p}" for p in ("query", "key", "value")])
        linear(f"{ct2}/self_attention/linear_1", f"{ours}.attn.out")
        layer_norm(f"{ct2}/ffn/layer_norm", f"{ours}.mlp_ln")
        linear(f"{ct2}/ffn/linear_0", f"{ours}.mlp.0")
        linear(f"{ct2}/ffn/linear_1", f"{ours}.mlp.2")

    for i in range(encoder_layers):
        block(f"encoder/layer_{i}", f"encoder.blocks.{i}")
    layer_norm("encoder/layer_norm", "encoder.ln_post")

    state["decoder.token_embedding.weight"] = variables["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = variables["decoder/position_encodings/encodings"]
    for i in range(decoder_layers):
        ct2, ours = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        block(ct2, ours)
        layer_norm(f"{ct2}/attention/layer_norm", f"{ours}.cross_attn_ln")
        linear(f"{ct2}/attention/linear_0", f"{ours}.cross_attn.query")
        split(f"{ct2}/attention/linear_1", [f"{ours}.cross_attn.{p}" for p in ("key", "value")])
        linear(f"{ct2}/attention/linear_2", f"{ours}.cross_attn.out")
    layer_norm("decoder/layer_norm", "decoder.ln")

    conv1 = variables["encoder/conv1/weight"]
    dims = {
        "n_mels": conv1.shape[1],
        "n_audio_ctx": variables["encoder/position_encodings/encodings"].shape[0],
        "n_audio_state": conv1.shape[0],
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": encoder_layers,
        "n_vocab": variables["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": variables["decoder/position_encodings/encodings"].shape[0],
        "n_text_state": variables["decoder/embeddings/weight"].shape[1],
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": decoder_layers,
    }
    return dims, state


def convert(ct2_folder: Path, checkpoint: Path) -> Path:
    """Write `checkpoint` (a torch file `whisper.load_model` opens) from a CTranslate2 Whisper folder."""
    import torch

    dims, state = to_openai(read_ct2(ct2_folder / "model.bin"))
    config = json.loads((ct2_folder / "config.json").read_text(encoding="utf-8"))
    tensors = {k: torch.from_numpy(np.array(v)) for k, v in state.items()}
    heads = _alignment_heads(config.get("alignment_heads") or [], dims["n_text_layer"], dims["n_text_head"])
    partial = temp_path(checkpoint)
    try:
        torch.save({"dims": dims, "model_state_dict": tensors, "alignment_heads": heads}, partial)
        os.replace(partial, checkpoint)
    finally:
        partial.unlink(missing_ok=True)
    return checkpoint

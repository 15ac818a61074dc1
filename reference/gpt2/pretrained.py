"""Loading HuggingFace GPT-2 checkpoints into ``GPT2Model``.

Two differences separate a HuggingFace checkpoint from our state dict:
1. names: HF prefixes everything with ``transformer.``, and its embeddings sit directly on the
   model (``transformer.wte``) where ours live in ``embeddings.wte``;
2. layout: HF's ``Conv1D`` stores weights as (in, out), ``nn.Linear`` as (out, in), so the four
   projection weights of every block (``attn.c_attn``, ``attn.c_proj``, ``mlp.c_fc``,
   ``mlp.c_proj``) are transposed.
Older checkpoints also carry the attention mask as a buffer (``attn.bias``, ``attn.masked_bias``);
it is derived from ``n_positions``, so it is dropped.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import torch

from .config import GPT2Config, feedforward_width

# Suffixes start with a dot so that ".attn.bias" cannot match "h.0.attn.c_attn.bias".
CONV1D_WEIGHTS = (".attn.c_attn.weight", ".attn.c_proj.weight", ".mlp.c_fc.weight", ".mlp.c_proj.weight")
MASK_BUFFERS = (".attn.bias", ".attn.masked_bias")
# The tensors of one block, under the names HF and we share.
BLOCK_TENSORS = tuple(f"{module}.{kind}" for module in
                      ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj")
                      for kind in ("weight", "bias"))


def config_from_hf(hf_config: dict) -> GPT2Config:
    """Our config from a HuggingFace ``config.json`` dictionary."""
    n_inner = hf_config.get("n_inner")
    if n_inner is not None and n_inner != feedforward_width(hf_config["n_embd"]):
        raise ValueError(f"checkpoint has n_inner={n_inner}; this GPT-2 always uses 4 * n_embd")
    activation = hf_config.get("activation_function", "gelu_new")
    if activation != "gelu_new":
        raise ValueError(f"checkpoint uses activation {activation!r}; this GPT-2 uses 'gelu_new'")
    # Our field names are HF's config.json keys, so the dataclass itself lists what to read.
    fields = (f.name for f in dataclasses.fields(GPT2Config))
    return GPT2Config(**{k: hf_config[k] for k in fields if k in hf_config})


def build_weight_mapping(n_layer: int) -> dict[str, tuple[str, bool]]:
    """HF checkpoint key -> (our state-dict key, whether the tensor is transposed on the way).

    The keys are the tensors ``GPT2LMHeadModel.save_pretrained`` writes: ``transformer.wte`` and
    ``transformer.wpe``, 12 per block, ``transformer.ln_f``; 4 + 12 * n_layer in all. The head
    ``lm_head.weight`` is not among them: it is the token embedding (tied). Exactly the four
    Conv1D weights of each block are transposed; biases are 1-D and never are.
    """
    mapping = {"transformer.wte.weight": ("embeddings.wte.weight", False),
               "transformer.wpe.weight": ("embeddings.wpe.weight", False)}
    for i in range(n_layer):
        for name in BLOCK_TENSORS:
            ours = f"h.{i}.{name}"
            mapping[f"transformer.{ours}"] = (ours, ("." + ours).endswith(CONV1D_WEIGHTS))
    mapping["transformer.ln_f.weight"] = ("ln_f.weight", False)
    mapping["transformer.ln_f.bias"] = ("ln_f.bias", False)
    return mapping


def _is_mask_buffer(key: str) -> bool:
    return key.endswith(MASK_BUFFERS)


def convert_hf_state_dict(hf_state: dict[str, torch.Tensor], n_layer: int,
                          expected_shapes: dict[str, tuple[int, ...]] | None = None) -> dict[str, torch.Tensor]:
    """Map a HuggingFace GPT-2 state dict (``GPT2LMHeadModel`` or ``GPT2Model``) to ours.

    Keys may carry the ``transformer.`` prefix or not; the mask buffers and a stored copy of the
    tied head are skipped. A missing or unexpected key, or (given ``expected_shapes``, our key ->
    shape) a tensor of the wrong shape, raises a ``ValueError`` that names the key.
    """
    mapping = build_weight_mapping(n_layer)
    layers = {int(k.split(".")[1]) for k in (key.removeprefix("transformer.") for key in hf_state)
              if k.startswith("h.") and k.split(".")[1].isdigit()}
    if layers and layers != set(range(n_layer)):
        raise ValueError(f"checkpoint has blocks {sorted(layers)[:3]}..., config says n_layer={n_layer}")
    ours: dict[str, torch.Tensor] = {}
    for key, tensor in hf_state.items():
        hf_key = "transformer." + key.removeprefix("transformer.")
        if _is_mask_buffer(hf_key) or key == "lm_head.weight":
            continue  # derived mask buffers; the tied head is the token embedding
        if hf_key not in mapping:
            raise ValueError(f"unexpected key {key!r} in the checkpoint: GPT-2 has no tensor of that name")
        name, transpose = mapping[hf_key]
        if transpose:
            tensor = tensor.t()
        if expected_shapes is not None and tuple(tensor.shape) != tuple(expected_shapes[name]):
            raise ValueError(
                f"checkpoint tensor {key!r} has shape {tuple(hf_state[key].shape)}; {name!r} needs "
                f"{tuple(expected_shapes[name])}" + (" after the Conv1D transpose" if transpose else ""))
        ours[name] = tensor.contiguous()
    for hf_key, (name, _) in mapping.items():
        if name not in ours:
            raise ValueError(f"checkpoint has no tensor {hf_key!r} (for {name!r}): is it a complete GPT-2?")
    ours["lm_head.weight"] = ours["embeddings.wte.weight"]
    return ours


def _read_state_dict(directory: Path) -> dict[str, torch.Tensor]:
    safetensors_file = directory / "model.safetensors"
    if safetensors_file.exists():
        from safetensors.torch import load_file
        return load_file(str(safetensors_file))
    bin_file = directory / "pytorch_model.bin"
    if bin_file.exists():
        return torch.load(bin_file, map_location="cpu", weights_only=True)
    raise FileNotFoundError(f"no model.safetensors or pytorch_model.bin in {directory}")


def hub_reachable(timeout: float = 2.0) -> bool:
    """Whether huggingface.co answers within ``timeout`` seconds (a quick check before a download)."""
    import socket
    try:
        socket.create_connection(("huggingface.co", 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def download_checkpoint(repo_id: str) -> Path:
    """The local directory of a hub checkpoint (``config.json`` and its weights), downloaded once
    and cached by ``huggingface_hub``; an ``OSError`` that says what to do when that fails."""
    try:
        from huggingface_hub import snapshot_download
        directory = Path(snapshot_download(repo_id, allow_patterns=["config.json", "model.safetensors"]))
        if not (directory / "model.safetensors").exists():  # an older repository: weights as .bin
            directory = Path(snapshot_download(repo_id, allow_patterns=["config.json", "pytorch_model.bin"]))
        return directory
    except Exception as err:  # offline, unknown name, hub down: say what to do instead
        raise OSError(
            f"could not fetch {repo_id!r} from the HuggingFace hub ({type(err).__name__}: {err}). "
            "Downloading needs the network once; offline, pass a local directory saved with "
            "transformers' save_pretrained().") from err


def load_hf_checkpoint(name_or_path: str | os.PathLike) -> tuple[GPT2Config, dict[str, torch.Tensor]]:
    """(config, HF state dict) from a local directory, or else from the hub."""
    directory = Path(name_or_path)
    if not directory.is_dir():
        directory = download_checkpoint(str(name_or_path))
    hf_config = json.loads((directory / "config.json").read_text())
    return config_from_hf(hf_config), _read_state_dict(directory)

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


def convert_hf_state_dict(hf_state: dict[str, torch.Tensor], n_layer: int) -> dict[str, torch.Tensor]:
    """Map a HuggingFace GPT-2 state dict (``GPT2LMHeadModel`` or ``GPT2Model``) to ours."""
    ours: dict[str, torch.Tensor] = {}
    for key, tensor in hf_state.items():
        name = key.removeprefix("transformer.")
        if name.endswith(MASK_BUFFERS) or name == "lm_head.weight":
            continue  # derived mask buffers; the tied head is the token embedding
        if name.startswith(("wte.", "wpe.")):
            name = "embeddings." + name
        if name.endswith(CONV1D_WEIGHTS):
            tensor = tensor.t()
        ours[name] = tensor.contiguous()
    if "embeddings.wte.weight" not in ours:
        raise KeyError("checkpoint has no token embedding 'transformer.wte.weight': is it GPT-2?")
    ours["lm_head.weight"] = ours["embeddings.wte.weight"]
    layers = {int(k.split(".")[1]) for k in ours if k.startswith("h.")}
    if layers != set(range(n_layer)):
        raise ValueError(f"checkpoint has blocks {sorted(layers)[:3]}..., config says n_layer={n_layer}")
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


def _download(repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download
        return Path(snapshot_download(
            repo_id, allow_patterns=["config.json", "model.safetensors", "pytorch_model.bin"]))
    except Exception as err:  # offline, unknown name, hub down: say what to do instead
        raise OSError(
            f"could not fetch {repo_id!r} from the HuggingFace hub ({type(err).__name__}: {err}). "
            "Downloading needs the network once; offline, pass a local directory saved with "
            "transformers' save_pretrained().") from err


def load_hf_checkpoint(name_or_path: str | os.PathLike) -> tuple[GPT2Config, dict[str, torch.Tensor]]:
    """(config, HF state dict) from a local directory, or else from the hub."""
    directory = Path(name_or_path)
    if not directory.is_dir():
        directory = _download(str(name_or_path))
    hf_config = json.loads((directory / "config.json").read_text())
    return config_from_hf(hf_config), _read_state_dict(directory)

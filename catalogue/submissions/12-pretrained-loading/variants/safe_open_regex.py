# cell: p12-gpt2-model
import re as regex
from safetensors import safe_open


class GPT2Model(GPT2ModelBase):
    @staticmethod
    def _build_weight_mapping(n_layer):
        mapping = {}
        for hf_key in ["wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias"]:
            ours = hf_key if hf_key.startswith("ln_f") else "embeddings." + hf_key
            mapping["transformer." + hf_key] = (ours, False)
        for i in range(n_layer):
            for layer in ["ln_1", "ln_2", "attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"]:
                mapping[f"transformer.h.{i}.{layer}.weight"] = (f"h.{i}.{layer}.weight", not layer.startswith("ln"))
                mapping[f"transformer.h.{i}.{layer}.bias"] = (f"h.{i}.{layer}.bias", False)
        return mapping

    @classmethod
    def from_pretrained(cls, name_or_path):
        folder = Path(name_or_path) if Path(name_or_path).is_dir() else download_checkpoint(str(name_or_path))
        settings = json.loads((folder / "config.json").read_text())
        wanted = ["vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "layer_norm_epsilon"]
        config = gpt2.GPT2Config(**{k: settings[k] for k in wanted if k in settings})
        if (folder / "model.safetensors").exists():
            with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
                tensors = {k: f.get_tensor(k) for k in f.keys()}
        else:
            tensors = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
        model = cls(config)
        expected = model.state_dict()
        mapping = cls._build_weight_mapping(config.n_layer)
        state = {}
        for key, tensor in tensors.items():
            if key == "lm_head.weight" or regex.search(r"(^|\.)attn\.(bias|masked_bias)$", key):
                continue
            hf_key = regex.sub(r"^(transformer\.)?", "transformer.", key)
            if hf_key not in mapping:
                raise KeyError(f"checkpoint key {key} has no place in GPT-2")
            name, flip = mapping[hf_key]
            tensor = tensor.transpose(0, 1).contiguous() if flip else tensor
            if tuple(tensor.shape) != tuple(expected[name].shape):
                raise ValueError(f"checkpoint key {key}: shape {tuple(tensor.shape)} != {tuple(expected[name].shape)}")
            state[name] = tensor
        absent = [k for k, (name, _) in mapping.items() if name not in state]
        if absent:
            raise KeyError(f"checkpoint misses {absent}")
        state["lm_head.weight"] = state["embeddings.wte.weight"]
        result = model.load_state_dict(state, strict=True)
        model.train(False)
        return model

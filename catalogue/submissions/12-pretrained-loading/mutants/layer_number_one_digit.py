# cell: p12-gpt2-model
# expect: two-digit number
import re


class GPT2Model(GPT2ModelBase):
    @staticmethod
    def _build_weight_mapping(n_layer):
        conv1d = ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")
        mapping = {"transformer.wte.weight": ("embeddings.wte.weight", False),
                   "transformer.wpe.weight": ("embeddings.wpe.weight", False)}
        for i in range(n_layer):
            for module in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
                for kind in ("weight", "bias"):
                    ours = f"h.{i}.{module}.{kind}"
                    mapping[f"transformer.{ours}"] = (ours, module in conv1d and kind == "weight")
        mapping["transformer.ln_f.weight"] = ("ln_f.weight", False)
        mapping["transformer.ln_f.bias"] = ("ln_f.bias", False)
        return mapping

    @staticmethod
    def _our_name(key):
        """Checkpoint key -> our parameter name, read off the key itself."""
        key = key.removeprefix("transformer.")
        if key in ("wte.weight", "wpe.weight"):
            return "embeddings." + key
        block = re.match(r"h\.(\d)", key)  # the block number
        if block:
            return f"h.{block.group(1)}.{key.split('.', 2)[2]}"
        return key

    @classmethod
    def from_pretrained(cls, name_or_path):
        directory = Path(name_or_path)
        if not directory.is_dir():
            directory = download_checkpoint(str(name_or_path))
        hf_config = json.loads((directory / "config.json").read_text())
        config = gpt2.GPT2Config(
            vocab_size=hf_config["vocab_size"], n_positions=hf_config["n_positions"],
            n_embd=hf_config["n_embd"], n_layer=hf_config["n_layer"], n_head=hf_config["n_head"])
        if (directory / "model.safetensors").exists():
            hf_state = load_file(str(directory / "model.safetensors"))
        else:
            hf_state = torch.load(directory / "pytorch_model.bin", map_location="cpu", weights_only=True)

        model = cls(config)
        sd = model.state_dict()
        hf_state = {k: v for k, v in hf_state.items()
                    if k != "lm_head.weight" and not k.endswith((".attn.bias", ".attn.masked_bias"))}
        if len(hf_state) != len(cls._build_weight_mapping(config.n_layer)):
            raise KeyError(f"the checkpoint has {len(hf_state)} tensors, GPT-2 with {config.n_layer} layers has "
                           f"{len(cls._build_weight_mapping(config.n_layer))}")
        with torch.no_grad():
            for key, tensor in hf_state.items():
                name = cls._our_name(key)
                if name not in sd:
                    raise KeyError(f"unexpected key {key!r} in the checkpoint")
                if name.endswith(("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")):
                    tensor = tensor.t()
                if tensor.shape != sd[name].shape:
                    raise ValueError(f"{key!r} has shape {tuple(tensor.shape)}, {name} needs {tuple(sd[name].shape)}")
                sd[name].copy_(tensor)
        return model.eval()

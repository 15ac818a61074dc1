# cell: p12-gpt2-model
# expect: untied and holds other numbers
# expect: assign=True
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
        mapping = cls._build_weight_mapping(config.n_layer)
        shapes = {name: param.shape for name, param in model.state_dict().items()}
        state = {}
        for key, tensor in hf_state.items():
            if key == "lm_head.weight" or key.endswith((".attn.bias", ".attn.masked_bias")):
                continue
            hf_key = key if key.startswith("transformer.") else "transformer." + key
            if hf_key not in mapping:
                raise KeyError(f"unexpected key {key!r} in the checkpoint")
            name, transpose = mapping[hf_key]
            if transpose:
                tensor = tensor.t()
            if tensor.shape != shapes[name]:
                raise ValueError(f"{key!r} has shape {tuple(tensor.shape)}, {name} needs {tuple(shapes[name])}")
            state[name] = tensor
        missing = [hf_key for hf_key, (name, _) in mapping.items() if name not in state]
        if missing:
            raise KeyError(f"the checkpoint has no tensor {missing[0]!r}")
        model.load_state_dict(state, strict=False, assign=True)  # no copy: use the loaded tensors
        return model.eval()

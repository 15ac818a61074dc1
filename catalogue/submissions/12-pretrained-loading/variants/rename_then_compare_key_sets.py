# cell: p12-gpt2-model
class GPT2Model(GPT2ModelBase):
    @staticmethod
    def _build_weight_mapping(n_layer):
        def block(i):
            for name in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"):
                yield f"h.{i}.{name}.weight", name not in ("ln_1", "ln_2")
                yield f"h.{i}.{name}.bias", False
        pairs = [("wte.weight", "embeddings.wte.weight", False), ("wpe.weight", "embeddings.wpe.weight", False)]
        pairs += [(ours, ours, t) for i in range(n_layer) for ours, t in block(i)]
        pairs += [("ln_f.weight", "ln_f.weight", False), ("ln_f.bias", "ln_f.bias", False)]
        return {"transformer." + hf: (ours, t) for hf, ours, t in pairs}

    @classmethod
    def from_pretrained(cls, name_or_path):
        directory = Path(name_or_path)
        if not (directory / "config.json").exists():
            directory = download_checkpoint(str(name_or_path))
        c = json.loads((directory / "config.json").read_text())
        model = cls(gpt2.GPT2Config(vocab_size=c["vocab_size"], n_positions=c["n_positions"], n_embd=c["n_embd"],
                                    n_layer=c["n_layer"], n_head=c["n_head"]))
        files = {"model.safetensors": lambda p: load_file(str(p)),
                 "pytorch_model.bin": lambda p: torch.load(p, map_location="cpu", weights_only=True)}
        name = next((n for n in files if (directory / n).exists()), None)
        if name is None:
            raise FileNotFoundError(f"no weights in {directory}")
        raw = files[name](directory / name)
        raw = {k.removeprefix("transformer."): v for k, v in raw.items()
               if k != "lm_head.weight" and not k.endswith((".attn.bias", ".attn.masked_bias"))}
        mapping = {k.removeprefix("transformer."): v for k, v in cls._build_weight_mapping(model.config.n_layer).items()}
        unexpected = sorted(set(raw) - set(mapping))
        missing = sorted(set(mapping) - set(raw))
        if unexpected or missing:
            raise KeyError(f"unexpected keys: {unexpected}; missing keys: {missing}")
        own = model.state_dict()
        state = {}
        for key, tensor in raw.items():
            ours, transpose = mapping[key]
            tensor = tensor.mT if transpose else tensor
            if tensor.shape != own[ours].shape:
                raise ValueError(f"size mismatch for {key}: {list(tensor.shape)} vs {list(own[ours].shape)}")
            state[ours] = tensor
        state["lm_head.weight"] = state["embeddings.wte.weight"]
        model.load_state_dict(state)
        return model.eval()

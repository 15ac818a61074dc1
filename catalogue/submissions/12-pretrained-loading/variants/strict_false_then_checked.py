# cell: p12-gpt2-model
class GPT2Model(GPT2ModelBase):
    @staticmethod
    def _build_weight_mapping(n_layer):
        mapping = {}
        for name in ("wte", "wpe"):
            mapping[f"transformer.{name}.weight"] = (f"embeddings.{name}.weight", False)
        for i in range(n_layer):
            for sub, transposed in (("ln_1", False), ("attn.c_attn", True), ("attn.c_proj", True),
                                    ("ln_2", False), ("mlp.c_fc", True), ("mlp.c_proj", True)):
                mapping[f"transformer.h.{i}.{sub}.weight"] = (f"h.{i}.{sub}.weight", transposed)
                mapping[f"transformer.h.{i}.{sub}.bias"] = (f"h.{i}.{sub}.bias", False)
        for kind in ("weight", "bias"):
            mapping[f"transformer.ln_f.{kind}"] = (f"ln_f.{kind}", False)
        return mapping

    @classmethod
    def from_pretrained(cls, name_or_path):
        folder = Path(name_or_path) if Path(name_or_path).is_dir() else download_checkpoint(str(name_or_path))
        cfg = json.loads((folder / "config.json").read_text())
        model = cls(gpt2.GPT2Config(vocab_size=cfg["vocab_size"], n_positions=cfg["n_positions"], n_embd=cfg["n_embd"],
                                    n_layer=cfg["n_layer"], n_head=cfg["n_head"]))
        safetensors_path = folder / "model.safetensors"
        if safetensors_path.exists():
            checkpoint = load_file(str(safetensors_path))
        else:
            checkpoint = torch.load(folder / "pytorch_model.bin", map_location="cpu", weights_only=True)
        mapping = cls._build_weight_mapping(model.config.n_layer)
        state = {}
        for key, value in checkpoint.items():
            if key == "lm_head.weight" or key.split(".")[-2:] in (["attn", "bias"], ["attn", "masked_bias"]):
                continue
            full_key = key if key.startswith("transformer.") else f"transformer.{key}"
            ours, transposed = mapping.get(full_key, (full_key.removeprefix("transformer."), False))
            state[ours] = value.t() if transposed else value
        # strict=False returns what did not match instead of raising; each list is checked here.
        # (A shape mismatch still raises, naming the parameter.)
        result = model.load_state_dict(state, strict=False)
        missing = [k for k in result.missing_keys if k != "lm_head.weight"]
        if missing:
            raise KeyError(f"checkpoint lacks {missing}")
        if result.unexpected_keys:
            raise KeyError(f"checkpoint has tensors GPT-2 does not: {result.unexpected_keys}")
        return model.eval()

# cell: p12-gpt2-model
class GPT2Model(GPT2ModelBase):
    CONV1D = {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"}
    BLOCK = ["ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"]

    @staticmethod
    def _build_weight_mapping(n_layer):
        m = {"transformer.wte.weight": ("embeddings.wte.weight", False),
             "transformer.wpe.weight": ("embeddings.wpe.weight", False),
             "lm_head.weight": ("lm_head.weight", False)}
        for i in range(n_layer):
            for sub in GPT2Model.BLOCK:
                m[f"transformer.h.{i}.{sub}.weight"] = (f"h.{i}.{sub}.weight", sub in GPT2Model.CONV1D)
                m[f"transformer.h.{i}.{sub}.bias"] = (f"h.{i}.{sub}.bias", False)
        m.update({"transformer.ln_f.weight": ("ln_f.weight", False), "transformer.ln_f.bias": ("ln_f.bias", False)})
        return m

    @classmethod
    def from_pretrained(cls, name_or_path):
        root = Path(name_or_path)
        if not root.is_dir():
            root = download_checkpoint(str(name_or_path))
        hf = json.loads((root / "config.json").read_text())
        config = gpt2.GPT2Config(vocab_size=hf["vocab_size"], n_positions=hf["n_positions"], n_embd=hf["n_embd"],
                                 n_layer=hf["n_layer"], n_head=hf["n_head"],
                                 layer_norm_epsilon=hf.get("layer_norm_epsilon", 1e-5))
        weights = root / "model.safetensors"
        raw = load_file(str(weights)) if weights.exists() else torch.load(root / "pytorch_model.bin", weights_only=True)
        mapping = cls._build_weight_mapping(config.n_layer)
        model = cls(config)
        params = dict(model.named_parameters())
        loaded = set()
        for key, value in raw.items():
            full = key if key.startswith(("transformer.", "lm_head.")) else f"transformer.{key}"
            if re.search(r"\.attn\.(masked_)?bias$", full):
                continue
            if full not in mapping:
                raise ValueError(f"unexpected tensor {key} in the checkpoint")
            name, transpose = mapping[full]
            if name == "lm_head.weight":
                continue  # tied to the token embedding, loaded under its own name
            value = value.T if transpose else value
            if value.shape != params[name].shape:
                raise ValueError(f"{key}: checkpoint shape {tuple(value.shape)}, model shape {tuple(params[name].shape)}")
            with torch.no_grad():
                params[name].copy_(value)
            loaded.add(name)
        for full, (name, _) in mapping.items():
            if name != "lm_head.weight" and name not in loaded:
                raise ValueError(f"checkpoint lacks {full}")
        return model.eval()

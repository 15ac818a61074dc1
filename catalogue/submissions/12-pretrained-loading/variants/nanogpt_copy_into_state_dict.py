# cell: p12-gpt2-model
import os

class GPT2Model(GPT2ModelBase):
    @staticmethod
    def _build_weight_mapping(n_layer):
        transposed = ["attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight"]
        names = ["embeddings.wte.weight", "embeddings.wpe.weight"]
        names += [f"h.{i}.{part}" for i in range(n_layer) for part in (
            "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
            "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
            "mlp.c_proj.weight", "mlp.c_proj.bias")]
        names += ["ln_f.weight", "ln_f.bias"]
        return {"transformer." + n.removeprefix("embeddings."): (n, any(n.endswith(t) for t in transposed))
                for n in names}

    @classmethod
    def from_pretrained(cls, name_or_path):
        path = str(name_or_path)
        directory = Path(path) if os.path.isdir(path) else download_checkpoint(path)
        with open(directory / "config.json") as f:
            cfg = json.load(f)
        config = gpt2.GPT2Config(**{k: cfg[k] for k in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head")})
        model = cls(config)
        sd = model.state_dict()
        st = directory / "model.safetensors"
        sd_hf = load_file(str(st)) if st.exists() else torch.load(directory / "pytorch_model.bin", map_location="cpu", weights_only=True)
        sd_hf = {("transformer." + k if not k.startswith(("transformer.", "lm_head.")) else k): v for k, v in sd_hf.items()}
        sd_hf = {k: v for k, v in sd_hf.items() if not k.endswith((".attn.bias", ".attn.masked_bias")) and k != "lm_head.weight"}
        mapping = cls._build_weight_mapping(config.n_layer)
        unexpected = [k for k in sd_hf if k not in mapping]
        assert not unexpected, f"unexpected keys in checkpoint: {unexpected}"
        for k, (name, transpose) in mapping.items():
            assert k in sd_hf, f"missing key in checkpoint: {k}"
            src = sd_hf[k].t() if transpose else sd_hf[k]
            assert src.shape == sd[name].shape, f"shape mismatch for {k}: {tuple(src.shape)} vs {tuple(sd[name].shape)}"
            with torch.no_grad():
                sd[name].copy_(src)
        model.eval()
        return model

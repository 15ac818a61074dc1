# cell: p12-gpt2-model
import dataclasses
import re


class GPT2Model(GPT2ModelBase):
    CONV1D = re.compile(r"\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$")
    BLOCK = re.compile(r"^transformer\.h\.(\d+)\.(.+)$")

    @staticmethod
    def _build_weight_mapping(n_layer):
        parts = ["ln_1", "attn.c_attn", "attn.c_proj", "ln_2", "mlp.c_fc", "mlp.c_proj"]
        keys = ["transformer.wte.weight", "transformer.wpe.weight"]
        keys += [f"transformer.h.{i}.{part}.{kind}" for i in range(n_layer) for part in parts
                 for kind in ("weight", "bias")]
        keys += ["transformer.ln_f.weight", "transformer.ln_f.bias"]
        mapping = {}
        for key in keys:
            block = GPT2Model.BLOCK.match(key)
            if block:
                ours = f"h.{int(block.group(1))}.{block.group(2)}"
            elif key.startswith(("transformer.wte", "transformer.wpe")):
                ours = "embeddings." + key.removeprefix("transformer.")
            else:
                ours = key.removeprefix("transformer.")
            mapping[key] = (ours, GPT2Model.CONV1D.search(key) is not None)
        return mapping

    @classmethod
    def from_pretrained(cls, name_or_path):
        where = Path(name_or_path)
        if not where.is_dir():
            where = download_checkpoint(str(name_or_path))
        raw = json.loads((where / "config.json").read_text())
        fields = {f.name for f in dataclasses.fields(gpt2.GPT2Config)}
        config = gpt2.GPT2Config(**{k: v for k, v in raw.items() if k in fields})
        weights = where / "model.safetensors"
        tensors = (load_file(str(weights)) if weights.exists()
                   else torch.load(where / "pytorch_model.bin", map_location="cpu", weights_only=True))
        tensors = {k if k.startswith("transformer.") or k == "lm_head.weight" else "transformer." + k: v
                   for k, v in tensors.items()}
        model = cls(config)
        mapping = cls._build_weight_mapping(config.n_layer)
        for key in tensors:
            if key != "lm_head.weight" and key not in mapping and not re.search(r"\.attn\.(masked_)?bias$", key):
                raise KeyError(f"{key} is not a GPT-2 tensor")
        with torch.no_grad():
            for key, (name, transpose) in mapping.items():
                if key not in tensors:
                    raise KeyError(f"{key} is missing from the checkpoint")
                value = tensors[key].T if transpose else tensors[key]
                param = model.get_parameter(name)
                if value.shape != param.shape:
                    raise ValueError(f"{key}: checkpoint shape {tuple(value.shape)}, model shape {tuple(param.shape)}")
                param.copy_(value)
        return model.eval()

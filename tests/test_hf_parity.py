"""``gpt2.GPT2Model.from_pretrained`` against HuggingFace ``transformers`` GPT-2.

The hub is unreachable here, so every checkpoint is made locally: a randomly initialised
``transformers.GPT2LMHeadModel`` (fixed seed) saved with ``save_pretrained`` and loaded back
with ``gpt2.GPT2Model.from_pretrained(directory)``. Biases and LayerNorm parameters are
randomised too (HF initialises them to 0 and 1), so a mixed-up or untransposed tensor cannot
hide behind a constant. Run with ``pytest -s`` to see the measured logit differences.
"""
from __future__ import annotations

import dataclasses
import gc
import json
import os
import shutil

import pytest
import torch
import transformers

from gpt2 import GPT2Config, GPT2Model
from gpt2.pretrained import config_from_hf

ATOL = 1e-4  # max |logit difference| allowed in fp32


@pytest.fixture(autouse=True, scope="module")
def _quiet_transformers():
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    yield
    transformers.utils.logging.enable_progress_bar()
    transformers.logging.set_verbosity(verbosity)


@pytest.fixture
def ckpt_dir(tmp_path):
    """A fresh checkpoint directory, deleted afterwards (full-size checkpoints are large)."""
    directory = tmp_path / "checkpoint"
    directory.mkdir()
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
    gc.collect()


def make_hf_model(seed: int = 0, model_cls=transformers.GPT2LMHeadModel, **config) -> transformers.PreTrainedModel:
    """A random HF GPT-2 in eval mode, fp32, with non-trivial biases and LayerNorm parameters."""
    torch.manual_seed(seed)
    hf = model_cls(transformers.GPT2Config(**config)).float().eval()
    with torch.no_grad():
        for param in hf.parameters():
            if param.dim() == 1:  # biases (zeros at init) and LayerNorm weights/biases (ones/zeros)
                param.add_(0.1 * torch.randn_like(param))
    return hf


def random_ids(vocab_size: int, batch: int = 2, seq_len: int = 32, seed: int = 1234) -> torch.Tensor:
    return torch.randint(0, vocab_size, (batch, seq_len), generator=torch.Generator().manual_seed(seed))


def assert_same_logits(hf, ours: GPT2Model, label: str, seq_len: int = 32) -> float:
    ids = random_ids(ours.config.vocab_size, seq_len=seq_len)
    with torch.no_grad():
        expected = hf(ids).logits
        actual = ours(ids)
    assert actual.dtype == torch.float32 and expected.dtype == torch.float32
    assert actual.shape == expected.shape == (2, seq_len, ours.config.vocab_size)
    diff = (actual - expected).abs().max().item()
    print(f"\n[hf-parity] {label}: max |logit diff| = {diff:.3g} "
          f"(logit std {expected.std().item():.3g}, tolerance {ATOL:g})")
    assert expected.std().item() > 1e-2, "logits nearly constant: the comparison would prove little"
    assert diff <= ATOL, f"{label}: logits differ from transformers by {diff:.3g} > {ATOL:g}"
    return diff


# --- the four sizes, at full width --------------------------------------------------------------

@pytest.mark.parametrize("preset", [
    pytest.param(GPT2Config.gpt2_small, id="small"),
    pytest.param(GPT2Config.gpt2_medium, id="medium"),
    pytest.param(GPT2Config.gpt2_large, id="large", marks=pytest.mark.slow),
    pytest.param(GPT2Config.gpt2_xl, id="xl", marks=pytest.mark.slow),
])
def test_preset_width_two_layers_matches_transformers(preset, ckpt_dir, request):
    width = preset()
    hf = make_hf_model(vocab_size=50257, n_positions=1024, n_embd=width.n_embd,
                       n_head=width.n_head, n_layer=2)
    hf.save_pretrained(ckpt_dir)
    ours = GPT2Model.from_pretrained(ckpt_dir)
    assert ours.config == preset(n_layer=2)
    assert not ours.training
    assert ours.lm_head.weight is ours.embeddings.wte.weight
    assert_same_logits(hf, ours, f"{request.node.callspec.id} (n_embd={width.n_embd}, "
                                 f"n_head={width.n_head}, n_layer=2)")


@pytest.mark.slow
def test_full_depth_gpt2_small_matches_transformers(ckpt_dir):
    hf = make_hf_model(vocab_size=50257, n_positions=1024, n_embd=768, n_head=12, n_layer=12)
    hf.save_pretrained(ckpt_dir)
    ours = GPT2Model.from_pretrained(ckpt_dir)
    assert ours.config == GPT2Config.gpt2_small()
    assert ours.num_parameters() == 124_439_808
    assert_same_logits(hf, ours, "small, full depth (12 layers)")


# --- checkpoint formats -------------------------------------------------------------------------

SMALL = dict(vocab_size=1000, n_positions=1024, n_embd=64, n_head=4, n_layer=2)


def test_safetensors_checkpoint_loads(ckpt_dir):
    hf = make_hf_model(**SMALL)
    hf.save_pretrained(ckpt_dir)  # safetensors is the default format
    assert (ckpt_dir / "model.safetensors").exists()
    assert not (ckpt_dir / "pytorch_model.bin").exists()
    ours = GPT2Model.from_pretrained(ckpt_dir)
    assert ours.config == GPT2Config(**SMALL)
    assert_same_logits(hf, ours, "safetensors checkpoint")


@pytest.mark.parametrize("bias_dtype", [torch.bool, torch.uint8, torch.float32],
                         ids=["bool", "uint8", "float32"])
def test_old_checkpoint_with_mask_buffers_loads(ckpt_dir, bias_dtype):
    hf = make_hf_model(**SMALL)
    n_pos = SMALL["n_positions"]
    state = dict(hf.state_dict())
    for i in range(SMALL["n_layer"]):
        causal = torch.tril(torch.ones(n_pos, n_pos)).to(bias_dtype)
        state[f"transformer.h.{i}.attn.bias"] = causal.view(1, 1, n_pos, n_pos)
        state[f"transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    hf.config.save_pretrained(ckpt_dir)
    torch.save(state, ckpt_dir / "pytorch_model.bin")
    assert not (ckpt_dir / "model.safetensors").exists()
    ours = GPT2Model.from_pretrained(ckpt_dir)
    assert not any(k.endswith(("attn.bias", "masked_bias")) and "c_attn" not in k
                   for k in ours.state_dict())
    assert_same_logits(hf, ours, f"old pytorch_model.bin with attn.bias ({bias_dtype}) and masked_bias")


def test_pytorch_model_bin_without_lm_head_loads(ckpt_dir):
    hf = make_hf_model(**SMALL)
    state = {k: v for k, v in hf.state_dict().items() if k != "lm_head.weight"}
    hf.config.save_pretrained(ckpt_dir)
    torch.save(state, ckpt_dir / "pytorch_model.bin")
    ours = GPT2Model.from_pretrained(ckpt_dir)
    assert ours.lm_head.weight is ours.embeddings.wte.weight
    assert_same_logits(hf, ours, "pytorch_model.bin without lm_head.weight")


def test_base_gpt2model_checkpoint_loads(ckpt_dir):
    """A checkpoint of HF's headless ``GPT2Model`` (keys without ``transformer.``) loads too."""
    base = make_hf_model(model_cls=transformers.GPT2Model, **SMALL)
    base.save_pretrained(ckpt_dir)
    ours = GPT2Model.from_pretrained(ckpt_dir)
    ids = random_ids(SMALL["vocab_size"])
    with torch.no_grad():
        expected = base(ids).last_hidden_state @ base.wte.weight.T
        diff = (ours(ids) - expected).abs().max().item()
    print(f"\n[hf-parity] headless GPT2Model checkpoint: max |logit diff| = {diff:.3g}")
    assert diff <= ATOL


def test_config_fields_are_transformers_config_keys():
    # config_from_hf reads exactly the dataclass fields, so each must be a key of HF's config.json.
    hf_keys = transformers.GPT2Config().to_dict()
    missing = [f.name for f in dataclasses.fields(GPT2Config) if f.name not in hf_keys]
    assert not missing, f"GPT2Config fields unknown to transformers: {missing}"
    assert config_from_hf(hf_keys) == GPT2Config.gpt2_small()


def test_config_n_inner_other_than_four_times_width_is_rejected(ckpt_dir):
    hf = make_hf_model(n_inner=3 * SMALL["n_embd"], **SMALL)
    hf.save_pretrained(ckpt_dir)
    with pytest.raises(ValueError, match="n_inner=192"):
        GPT2Model.from_pretrained(ckpt_dir)


def test_config_explicit_n_inner_of_four_times_width_is_accepted(ckpt_dir):
    hf = make_hf_model(n_inner=4 * SMALL["n_embd"], **SMALL)
    hf.save_pretrained(ckpt_dir)
    assert_same_logits(hf, GPT2Model.from_pretrained(ckpt_dir), "explicit n_inner = 4 * n_embd")


def test_config_other_activation_is_rejected(ckpt_dir):
    hf = make_hf_model(activation_function="relu", **SMALL)
    hf.save_pretrained(ckpt_dir)
    with pytest.raises(ValueError, match="gelu_new"):
        GPT2Model.from_pretrained(ckpt_dir)


def test_layer_count_mismatch_is_rejected(ckpt_dir):
    hf = make_hf_model(**SMALL)
    hf.save_pretrained(ckpt_dir)
    config = json.loads((ckpt_dir / "config.json").read_text())
    config["n_layer"] = 3
    (ckpt_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="n_layer=3"):
        GPT2Model.from_pretrained(ckpt_dir)


def test_directory_without_weights_raises(ckpt_dir):
    transformers.GPT2Config(**SMALL).save_pretrained(ckpt_dir)
    with pytest.raises(FileNotFoundError, match="model.safetensors or pytorch_model.bin"):
        GPT2Model.from_pretrained(ckpt_dir)


def test_unknown_hub_name_offline_raises_oserror(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no cached snapshot can answer
    monkeypatch.chdir(tmp_path)  # so the name cannot be a local directory
    name = "no-such-user/no-such-gpt2-checkpoint"
    with pytest.raises(OSError, match="save_pretrained") as info:
        GPT2Model.from_pretrained(name)
    assert name in str(info.value)


# --- generation -------------------------------------------------------------------------------

def test_greedy_generation_matches_transformers(ckpt_dir):
    config = dict(vocab_size=1000, n_positions=64, n_embd=64, n_head=4, n_layer=2)
    hf = make_hf_model(**config)
    hf.save_pretrained(ckpt_dir)
    ours = GPT2Model.from_pretrained(ckpt_dir)
    prompt = random_ids(config["vocab_size"], batch=2, seq_len=8, seed=7)
    expected = hf.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                           max_new_tokens=20, pad_token_id=hf.config.eos_token_id)
    actual = ours.generate(prompt, 20)
    with torch.no_grad():  # how close to a tie the greedy choices came (for diagnosing a failure)
        top2 = ours(actual[:, :-1])[:, prompt.shape[1] - 1:].topk(2, dim=-1).values
    margin = (top2[..., 0] - top2[..., 1]).min().item()
    print(f"\n[hf-parity] greedy generation: 20 tokens x 2, smallest top-1/top-2 logit margin {margin:.3g}")
    assert actual.shape == expected.shape == (2, 28)
    assert torch.equal(actual, expected), f"ours:\n{actual}\ntransformers:\n{expected}"


# --- the key map and the errors that name a key (problem 12) -------------------------------------

def test_weight_mapping_covers_exactly_the_saved_tensors():
    hf = make_hf_model(**SMALL)
    saved = {k for k in hf.state_dict() if k != "lm_head.weight"}  # save_pretrained drops the tied head
    mapping = GPT2Model._build_weight_mapping(SMALL["n_layer"])
    assert set(mapping) == saved
    ours = set(GPT2Model(GPT2Config(**SMALL)).state_dict()) - {"lm_head.weight"}
    assert {name for name, _ in mapping.values()} == ours
    transposed = {k for k, (_, t) in mapping.items() if t}
    assert transposed == {f"transformer.h.{i}.{m}.weight" for i in range(SMALL["n_layer"])
                          for m in ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")}


@pytest.mark.parametrize("edit,named", [
    (lambda s: s.pop("transformer.h.1.mlp.c_fc.weight"), "transformer.h.1.mlp.c_fc.weight"),
    (lambda s: s.update({"transformer.h.0.crossattention.q_attn.weight": torch.zeros(64, 64)}),
     "transformer.h.0.crossattention.q_attn.weight"),
    (lambda s: s.update({"transformer.wpe.weight": s["transformer.wpe.weight"][:1000].clone()}),
     "transformer.wpe.weight"),
    (lambda s: s.update({"transformer.h.0.mlp.c_fc.weight": s["transformer.h.0.mlp.c_fc.weight"].t().clone()}),
     "transformer.h.0.mlp.c_fc.weight"),
], ids=["missing", "unexpected", "truncated-positions", "already-transposed"])
def test_bad_checkpoint_error_names_the_key(ckpt_dir, edit, named):
    hf = make_hf_model(**SMALL)
    state = {k: v.clone() for k, v in hf.state_dict().items() if k != "lm_head.weight"}
    edit(state)
    hf.config.save_pretrained(ckpt_dir)
    torch.save(state, ckpt_dir / "pytorch_model.bin")
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        GPT2Model.from_pretrained(ckpt_dir)


# --- the shared checkpoint problem 12's hidden test loads GPT-2 small in full from ------------------

@pytest.mark.slow
def test_shared_gpt2_checkpoint_is_small_in_full_and_holds_transformers_logits():
    from gpt2.testing import check_loaded_weights, check_logits, shared_checkpoint

    shared = shared_checkpoint("gpt2")
    assert config_from_hf(vars(shared.config)) == GPT2Config.gpt2_small()
    hf = transformers.GPT2LMHeadModel.from_pretrained(shared.path).float().eval()
    with torch.no_grad():
        recomputed = hf(shared.input_ids).logits
    assert shared.input_ids.shape == (2, 32) and recomputed.std() > 1e-2
    assert (recomputed - shared.logits).abs().max() <= 1e-5, "the stored logits are not GPT2LMHeadModel's"
    ours = GPT2Model.from_pretrained(shared.path)
    assert ours.num_parameters() == 124_439_808
    check_loaded_weights(ours, shared)
    assert check_logits(ours, shared, shared.input_ids) <= ATOL
    with pytest.raises(ValueError, match="input_ids"):
        shared(shared.input_ids[:, :5])


@pytest.fixture
def tiny_shared(monkeypatch, tmp_path):
    """A 2-layer entry in SHARED_CHECKPOINTS and a private cache: the mechanics, in milliseconds."""
    from gpt2 import testing

    monkeypatch.setitem(testing.SHARED_CHECKPOINTS, "tiny",
                        dict(n_layer=2, n_embd=16, n_head=2, vocab_size=50257, n_positions=8, seed=3))
    monkeypatch.setenv(testing.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "checkpoints" / f"tiny-random-v{testing.SHARED_CHECKPOINT_FORMAT}"


def test_a_shared_checkpoint_is_written_once_then_read(tiny_shared):
    from gpt2.testing import check_loaded_weights, check_logits, shared_checkpoint

    first = shared_checkpoint("tiny")
    assert first.path == tiny_shared
    stamps = {f.name: f.stat().st_mtime_ns for f in tiny_shared.iterdir()}
    assert set(stamps) == {"config.json", "model.safetensors", "expected.safetensors"}
    again = shared_checkpoint("tiny")
    assert {f.name: f.stat().st_mtime_ns for f in tiny_shared.iterdir()} == stamps
    assert torch.equal(again.logits, first.logits)
    ours = GPT2Model.from_pretrained(tiny_shared)
    check_loaded_weights(ours, again)
    check_logits(ours, again, again.input_ids)


def test_a_half_written_shared_checkpoint_is_replaced(tiny_shared):
    from gpt2.testing import shared_checkpoint

    tiny_shared.mkdir(parents=True)
    (tiny_shared / "model.safetensors").write_bytes(b"cut short")  # a writer died before expected.safetensors
    shared = shared_checkpoint("tiny")
    assert (shared.path / "expected.safetensors").exists()
    assert GPT2Model.from_pretrained(shared.path).config.n_layer == 2
    assert [p.name for p in tiny_shared.parent.iterdir() if not p.name.endswith(".lock")] == [tiny_shared.name]


def test_a_cache_that_cannot_be_written_falls_back_to_the_temporary_directory_then_to_a_private_copy(
        tiny_shared, monkeypatch, tmp_path):
    import tempfile

    from gpt2 import testing

    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")  # as a read-only home or sandbox does, any write under it fails with an OSError
    monkeypatch.setenv(testing.CACHE_ENV, str(blocked))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(testing, "_PRIVATE_COPIES", {})
    temporary = tmp_path / "tmp" / f"learn-gpt2-{os.getuid()}" / "checkpoints" / tiny_shared.name
    assert testing.shared_checkpoint("tiny").path == temporary
    assert testing.shared_checkpoint("tiny").path == temporary  # found, not written again

    shutil.rmtree(temporary.parent.parent)
    temporary.parent.parent.write_text("")  # the temporary directory cannot be written either
    private = testing.shared_checkpoint("tiny")
    assert private.path.name == "tiny" and (private.path / "expected.safetensors").exists()
    assert testing.shared_checkpoint("tiny").path == private.path  # once per process


def test_a_temporary_cache_folder_of_another_user_is_never_used(tiny_shared, monkeypatch, tmp_path):
    import tempfile

    from gpt2 import testing

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(os, "getuid", lambda: os.geteuid() + 1)  # the folder below is then someone else's
    planted = tmp_path / f"learn-gpt2-{os.getuid()}"
    planted.mkdir()
    assert testing._cache_roots() == [testing.cache_dir()]


def test_processes_asking_at_once_share_one_written_checkpoint(tiny_shared):
    import subprocess
    import sys

    code = ("import sys; from gpt2 import testing; testing.SHARED_CHECKPOINTS['tiny'] = dict(n_layer=2, n_embd=16, "
            "n_head=2, vocab_size=50257, n_positions=8, seed=3); print(testing.shared_checkpoint('tiny').path)")
    env = {**os.environ, "LEARN_GPT2_CACHE": str(tiny_shared.parent.parent)}
    runs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(3)]
    paths = {run.communicate(timeout=120)[0].strip() for run in runs}
    assert all(run.returncode == 0 for run in runs)
    assert paths == {str(tiny_shared)}
    assert sorted(p.name for p in tiny_shared.parent.iterdir()) == sorted([tiny_shared.name, f".{tiny_shared.name}.lock"])

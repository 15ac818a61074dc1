"""Helpers the notebooks' test cells call: compare a learner's module with the reference.

Every check raises ``AssertionError`` with a message meant for the learner: what was expected,
what was seen, and, when the evidence fits a known mistake, which mistake.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Mapping

import torch
import torch.nn as nn

Mistakes = Mapping[str, Callable[..., object]]


def _flatten(x) -> list[torch.Tensor]:
    return list(x) if isinstance(x, (tuple, list)) else [x]


def max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a.detach().double() - b.detach().double()).abs().max().item() if a.numel() else 0.0


def matches(actual, expected, atol: float = 1e-5, rtol: float = 1e-5) -> bool:
    """Same structure, shapes and values (within tolerance)."""
    actual, expected = _flatten(actual), _flatten(expected)
    return len(actual) == len(expected) and all(
        torch.is_tensor(a) and a.shape == e.shape
        and torch.allclose(a.detach().double(), e.detach().double(), atol=atol, rtol=rtol, equal_nan=True)
        for a, e in zip(actual, expected))


def assert_close(actual, expected, what: str = "output", atol: float = 1e-5, rtol: float = 1e-5,
                 hint: str = "") -> None:
    """Assert that ``actual`` equals ``expected`` within tolerance, explaining any difference."""
    if not torch.is_tensor(actual):
        raise AssertionError(f"{what} should be a torch.Tensor, got {type(actual).__name__}. {hint}".strip())
    if actual.shape != expected.shape:
        raise AssertionError(
            f"{what} should have shape {tuple(expected.shape)}, got {tuple(actual.shape)}. {hint}".strip())
    if not matches(actual, expected, atol, rtol):
        diff = (actual.detach().double() - expected.detach().double()).abs()
        diff = torch.nan_to_num(diff, nan=float("inf"))
        worst = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape))
        raise AssertionError(
            f"{what} differs from the reference: max |difference| = {diff.max().item():.3g} at index "
            f"{worst} (expected {expected[worst].item():.6g}, got {actual[worst].item():.6g}; "
            f"tolerance atol={atol:g}). {hint}".strip())


def copy_weights(source: nn.Module, target: nn.Module) -> None:
    """Load ``source``'s parameters and persistent buffers into ``target`` by name.

    The names are the attribute names of the skeleton; extra entries in ``target`` are allowed.
    """
    source_state, target_state = source.state_dict(), target.state_dict()
    missing = [name for name in source_state if name not in target_state]
    if missing:
        raise AssertionError(
            f"your module has no parameter named {missing[0]!r}. Keep the attribute names of the "
            f"skeleton so that the tests can load weights into it; expected parameters: "
            f"{sorted(source_state)}, found: {sorted(target_state)}")
    for name, tensor in source_state.items():
        if target_state[name].shape != tensor.shape:
            raise AssertionError(
                f"parameter {name!r} has shape {tuple(target_state[name].shape)}, expected "
                f"{tuple(tensor.shape)}: check the sizes you pass when you create it")
    target.load_state_dict(source_state, strict=False)


def check_against_reference(
    student_cls: type[nn.Module],
    reference_cls: type[nn.Module],
    init: Iterable = (),
    inputs: Iterable = (),
    *,
    init_kwargs: Mapping | None = None,
    forward_kwargs: Mapping | None = None,
    likely_mistakes: Mistakes | None = None,
    output_names: Iterable[str] = ("output",),
    atol: float = 1e-5,
    rtol: float = 1e-5,
    seed: int = 0,
) -> None:
    """Build both modules with the same arguments and weights, run both in eval mode on the same
    inputs, and assert the outputs match.

    ``likely_mistakes`` maps a description of a mistake to ``f(reference_module, *inputs)``, which
    returns what a module with that mistake would output; when the learner's output matches one,
    the failure message names it. The learner's forward must not change its inputs in place.
    """
    init, inputs = tuple(init), tuple(inputs)
    init_kwargs, forward_kwargs = dict(init_kwargs or {}), dict(forward_kwargs or {})
    torch.manual_seed(seed)
    reference = reference_cls(*init, **init_kwargs).eval()
    student = student_cls(*init, **init_kwargs)
    copy_weights(reference, student)
    student.eval()
    with torch.no_grad():
        expected = reference(*inputs, **forward_kwargs)
        originals = [x.clone() if torch.is_tensor(x) else x for x in inputs]
        actual = student(*inputs, **forward_kwargs)
        for before, after in zip(originals, inputs):
            if torch.is_tensor(before) and not torch.equal(before, after):
                raise AssertionError(
                    "your forward changed its input tensor in place; compute new tensors instead "
                    "(e.g. x = x + y, not x += y)")
        if matches(actual, expected, atol, rtol):
            return
        for mistake, fake in (likely_mistakes or {}).items():
            try:
                mistaken = fake(reference, *inputs)
            except Exception:  # this mistake cannot even run on these inputs, so it does not fit
                continue
            if matches(actual, mistaken, atol, rtol):
                raise AssertionError(f"output differs from the reference; it matches a known mistake: {mistake}")
    actual_parts, expected_parts = _flatten(actual), _flatten(expected)
    names = list(output_names)
    if len(actual_parts) != len(expected_parts):
        raise AssertionError(
            f"forward should return {len(expected_parts)} value(s) ({', '.join(names)}), "
            f"got {len(actual_parts)}")
    for i, (a, e) in enumerate(zip(actual_parts, expected_parts)):
        assert_close(a, e, names[i] if i < len(names) else f"output {i}", atol, rtol)


# --- device placement --------------------------------------------------------------------------
# A classic bug, `torch.arange(T)` inside forward, works on the CPU and breaks on a GPU:
# "Expected all tensors to be on the same device". To catch it on a CPU-only machine, tensors
# made by a factory call without `device=` are marked as "host-made"; marks spread through
# operations, `.to(...)`/`.cuda()` removes them, and an operation that mixes a marked tensor
# with an unmarked tensor (an input or a weight), neither of them 0-dim, is exactly what a GPU
# would reject.
_FACTORIES = {torch.arange, torch.zeros, torch.ones, torch.empty, torch.full, torch.tensor,
              torch.linspace, torch.eye, torch.rand, torch.randn, torch.randint, torch.as_tensor}
_MOVES = {torch.Tensor.to, torch.Tensor.cuda, torch.Tensor.type_as, torch.Tensor.new_tensor}


class _HostTensorTracker(torch.overrides.TorchFunctionMode):
    def __init__(self):
        super().__init__()
        self.marked_ids: set[int] = set()
        self.keep_alive: list[torch.Tensor] = []  # so that no id is reused while tracking
        self.violations: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if func in _FACTORIES:
            if kwargs.get("device") is None:
                self._mark(out)
            return out
        if func in _MOVES:  # moved to a chosen device; `.to` may return the very same tensor
            for t in _tensors_in(out):
                self.marked_ids.discard(id(t))
            return out
        tensors = [t for t in _tensors_in((args, kwargs))]
        if any(id(t) in self.marked_ids for t in tensors):
            # A 0-dim CPU tensor may meet CUDA tensors (PyTorch treats it as a scalar).
            host_made = any(id(t) in self.marked_ids and t.dim() > 0 for t in tensors)
            on_device = any(id(t) not in self.marked_ids and t.dim() > 0 for t in tensors)
            if host_made and on_device:
                self.violations.append(getattr(func, "__name__", str(func)))
            elif not on_device:  # only host-made tensors went in, so a host-made one comes out
                self._mark(out)
        return out

    def _mark(self, out) -> None:
        for t in _tensors_in(out):
            self.marked_ids.add(id(t))
            self.keep_alive.append(t)


def _tensors_in(obj):
    if torch.is_tensor(obj):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _tensors_in(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _tensors_in(item)


def assert_follows_input_device(module: nn.Module, *inputs, what: str = "forward") -> None:
    """Fail if ``module(*inputs)`` combines a tensor created without ``device=`` with the
    inputs or weights, which works on the CPU but fails on a GPU."""
    tracker = _HostTensorTracker()
    with torch.no_grad(), tracker:
        module(*inputs)
    if tracker.violations:
        raise AssertionError(
            f"your {what} creates a tensor without device= (e.g. torch.arange(T)) and combines it "
            f"with tensors that may live on a GPU (in {tracker.violations[0]}). That fails on CUDA "
            "or MPS: create it on the input's device, e.g. torch.arange(T, device=input_ids.device)")


# --- constructing a learner's module, and random initialisation --------------------------------
def build_module(cls, *args, seed: int | None = None, hints: Mapping[str, str] | None = None, **kwargs):
    """``cls(*args, **kwargs)``, after ``torch.manual_seed(seed)`` when a seed is given.

    A crash becomes an ``AssertionError`` that says what was built, with the hint of every key of
    ``hints`` that the error's text contains; ``NotImplementedError`` passes through, so that an
    unanswered cell says so.
    """
    if seed is not None:
        torch.manual_seed(seed)
    try:
        return cls(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as err:
        def short(value) -> str:  # a long repr (a whole config) would bury the error
            text = repr(value)
            return text if len(text) <= 60 else f"{type(value).__name__}(...)"

        call = ", ".join([short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()])
        text = f"{type(err).__name__}: {str(err).rstrip('.')}"
        extra = " ".join(hint for key, hint in (hints or {}).items() if key in text)
        raise AssertionError(f"{getattr(cls, '__name__', cls)}({call}) raised {text}"
                             + (f". {extra}" if extra else "")) from None


# Weights drawn at random are judged as a sample: a correct initialisation passes whatever it
# draws, because every tolerance comes from the sample size n. For n values of N(mean, std²):
# the sample mean has standard error std/√n; the sample std has relative standard error
# ≈ 1/√(2n); the fraction of values more than 2 std from the mean (4.55%) has the binomial
# standard error √(p(1-p)/n). Each may be off by ``sigmas`` standard errors (5: a false alarm
# about once in 3 million checks).
NORMAL_BEYOND_2_STD = 0.04550026  # P(|Z| > 2) for a standard normal Z


def assert_normal_sample(values: torch.Tensor, std: float, what: str = "weights", *, mean: float = 0.0,
                         likely_mistakes: Mapping[str, tuple[float, float]] | None = None,
                         sigmas: float = 5.0, hint: str = "") -> None:
    """Assert that ``values`` look like independent draws from N(mean, std²).

    ``likely_mistakes`` maps a description of a mistake to the (mean, std) it would give; when
    the sample fits one of them, the message names it. Otherwise the message says what differs
    (mean, std, or the shape of the distribution: a uniform or a truncated one).
    """
    x = values.detach().double().flatten()
    n = x.numel()
    if n < 200:
        raise ValueError(f"{n} values are too few to judge a distribution; use at least 200")
    if not torch.isfinite(x).all():
        bad = (~torch.isfinite(x)).sum().item()
        raise AssertionError(f"{what}: {bad} of {n} values are NaN or infinite. {hint}".strip())
    m, s = x.mean().item(), x.std().item()
    tail = ((x - mean).abs() > 2 * std).double().mean().item()
    mean_tol = sigmas * std / n ** 0.5
    rel_std_tol = sigmas / (2 * (n - 1)) ** 0.5
    tail_tol = sigmas * (NORMAL_BEYOND_2_STD * (1 - NORMAL_BEYOND_2_STD) / n) ** 0.5
    mean_ok, std_ok = abs(m - mean) <= mean_tol, abs(s / std - 1) <= rel_std_tol
    if mean_ok and std_ok and abs(tail - NORMAL_BEYOND_2_STD) <= tail_tol:
        return
    seen = (f"{what}: {n} values with mean {m:.3g} and std {s:.3g}; expected N({mean:g}, {std:.4g}²), "
            f"i.e. std {std:.4g} ± {rel_std_tol:.1%} and mean {mean:g} ± {mean_tol:.2g} for this many values")
    if s == 0:
        raise AssertionError(f"{what}: all {n} values equal {m:.4g}; expected random draws from "
                             f"N({mean:g}, {std:.4g}²). {hint}".strip())
    fitting = [mistake for mistake, (m_bad, s_bad) in (likely_mistakes or {}).items()
               if abs(m - m_bad) <= sigmas * s_bad / n ** 0.5 and abs(s / s_bad - 1) <= rel_std_tol
               and not (abs(m_bad - mean) <= mean_tol and abs(s_bad / std - 1) <= rel_std_tol)]
    fitting = [m.rstrip(".") + ("" if m.endswith(("?", "!")) else ".") for m in fitting]
    if len(fitting) == 1:
        raise AssertionError(f"{seen}. That fits a known mistake: {fitting[0]} {hint}".strip())
    if fitting:  # too few values to tell these apart (a mean of 0.02 when the std is 1, say)
        raise AssertionError(f"{seen}. That fits one of these known mistakes: {' Or: '.join(fitting)} {hint}".strip())
    peak = (x - m).abs().max().item()
    if peak <= 1.8 * s:  # a uniform distribution ends at √3 std; a normal sample this big goes past 3 std
        raise AssertionError(
            f"{seen}. Every value lies within {peak / s:.2f} std of the mean: that is a uniform distribution "
            f"(nn.init.uniform_, torch.rand), not a normal one (nn.init.normal_, torch.randn). {hint}".strip())
    if n >= 1000 and peak <= 2.6 * s:  # a normal sample of 1000 or more reaches 2.6 std nearly always
        raise AssertionError(
            f"{seen}. No value lies beyond {peak / s:.2f} std of the mean, where a normal sample this big reaches "
            "3 std or more: the tails are cut off, as by nn.init.trunc_normal_(w, std=std, a=-2 * std, b=2 * std). "
            f"GPT-2 draws from the whole normal distribution. {hint}".strip())
    if not std_ok:
        raise AssertionError(f"{seen}: the std is {s / std:.3g} times the expected one. {hint}".strip())
    if not mean_ok:
        raise AssertionError(f"{seen}: the mean is off by {(m - mean) / (std / n ** 0.5):.1f} standard errors. "
                             f"{hint}".strip())
    raise AssertionError(
        f"{seen}; {tail:.2%} of the values lie beyond 2 std of {mean:g}, where a normal distribution has "
        f"{NORMAL_BEYOND_2_STD:.2%} (± {tail_tol:.2%} for this many values): the shape is not normal. {hint}".strip())


# --- pretrained checkpoints (problem 12) -------------------------------------------------------
# Checkpoints made offline with ``transformers``: a random GPT2LMHeadModel whose biases and
# LayerNorm parameters are randomised too (HF starts them at 0 and 1, where a swapped or
# untransposed tensor could hide), written in the layouts real checkpoints come in.

def random_hf_gpt2(seed: int = 0, **config):
    """A random ``transformers.GPT2LMHeadModel`` in eval mode, fp32, no tensor left constant.

    Weights are uniform with GPT-2's std 0.02; biases and LayerNorm parameters are randomised
    too. Built on the meta device and filled once: HF's own initialisation would draw every
    number twice, and at GPT-2's widths that is most of a test's time.
    """
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    config.setdefault("bos_token_id", 0)  # GPT-2's 50256 lies outside a small test vocabulary
    config.setdefault("eos_token_id", 0)
    with torch.device("meta"):
        hf = transformers.GPT2LMHeadModel(transformers.GPT2Config(**config))
    hf.to_empty(device="cpu")
    generator = torch.Generator().manual_seed(seed)
    bound = 0.02 * 3 ** 0.5  # uniform on [-bound, bound] has std 0.02
    with torch.no_grad():
        for name, param in hf.named_parameters():
            if param.dim() > 1:
                param.uniform_(-bound, bound, generator=generator)
            else:  # LayerNorm weights around 1, the rest (biases) around 0
                base = 1.0 if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")) else 0.0
                param.uniform_(base - 0.2, base + 0.2, generator=generator)
    hf.tie_weights()
    return hf.float().eval()


def write_hf_checkpoint(directory, hf_model, *, fmt: str = "safetensors", prefix: bool = True,
                        head: bool = False, mask_buffers=None, edit=None):
    """Write ``hf_model`` to ``directory`` as a checkpoint: ``config.json`` and its weights.

    fmt: ``"safetensors"`` (model.safetensors) or ``"bin"`` (pytorch_model.bin, torch.save).
    prefix: keys as ``GPT2LMHeadModel`` saves them (``transformer.h.0...``), or without it as the
    hub's own ``gpt2`` files (saved from the headless model: ``h.0...``, ``wte.weight``).
    head: also store ``lm_head.weight`` (old .bin files did). mask_buffers: a dtype to add the
    attention mask buffers ``attn.bias`` (1, 1, P, P) and ``attn.masked_bias`` of old checkpoints.
    edit: a function that changes the state dict (keys with the prefix) before it is written.
    """
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    hf_model.config.save_pretrained(directory)
    state = {k: v.detach().clone() for k, v in hf_model.state_dict().items() if head or k != "lm_head.weight"}
    if mask_buffers is not None:
        n_pos = hf_model.config.n_positions
        causal = torch.tril(torch.ones(n_pos, n_pos)).to(mask_buffers).view(1, 1, n_pos, n_pos)
        for i in range(hf_model.config.n_layer):
            state[f"transformer.h.{i}.attn.bias"] = causal.clone()
            state[f"transformer.h.{i}.attn.masked_bias"] = torch.tensor(-1e4)
    if edit is not None:
        edit(state)
    if not prefix:
        state = {k.removeprefix("transformer."): v for k, v in state.items()}
    if fmt == "safetensors":
        from safetensors.torch import save_file
        save_file({k: v.contiguous() for k, v in state.items()}, str(directory / "model.safetensors"))
    elif fmt == "bin":
        cached = {cls: "__slotnames__" in vars(cls) for cls in (torch.Tensor, nn.Parameter)}
        torch.save(state, directory / "pytorch_model.bin")
        for cls, had in cached.items():  # pickling caches copyreg's __slotnames__ on the class: undo it,
            if not had and "__slotnames__" in vars(cls):  # so the grading guard sees torch.Tensor unchanged
                delattr(cls, "__slotnames__")
    else:
        raise ValueError(f"fmt is 'safetensors' or 'bin', not {fmt!r}")
    return directory


# GPT-2 small in full is 124M parameters: writing it costs seconds and 500 MB, too much for every
# graded notebook. It is written once per machine (the grader writes it before the first kernel
# starts) and every notebook reads the same files, which the grading sandbox shows read-only.
SHARED_CHECKPOINTS = {
    "gpt2": dict(n_layer=12, n_embd=768, n_head=12, vocab_size=50257, n_positions=1024, seed=21),
}
SHARED_CHECKPOINT_FORMAT = 1  # part of the directory name: change it when what is written changes
CACHE_ENV = "LEARN_GPT2_CACHE"


def cache_dir():
    """Where learn-gpt2 keeps what it builds once per machine: ``$LEARN_GPT2_CACHE``, else
    ``$XDG_CACHE_HOME/learn-gpt2``, else ``~/.cache/learn-gpt2``."""
    import os
    from pathlib import Path

    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "learn-gpt2"


class SharedCheckpoint:
    """A GPT-2 checkpoint written by ``transformers`` once per machine and shared by the tests that use it.

    It stands in for the ``GPT2LMHeadModel`` it was written from in ``check_loaded_config``,
    ``check_loaded_weights`` and ``check_logits``: ``.config`` (config.json's fields),
    ``.state_dict()`` (the stored tensors), and, called on ``.input_ids``, the logits
    ``GPT2LMHeadModel`` computed for them when the checkpoint was written.
    """

    def __init__(self, path):
        import json
        from pathlib import Path
        from types import SimpleNamespace

        from safetensors.torch import load_file

        self.path = Path(path)
        self.config = SimpleNamespace(**json.loads((self.path / "config.json").read_text()))
        expected = load_file(str(self.path / "expected.safetensors"))
        self.input_ids, self.logits = expected["input_ids"], expected["logits"]

    def state_dict(self) -> dict[str, torch.Tensor]:
        from safetensors.torch import load_file

        return load_file(str(self.path / "model.safetensors"))

    def __call__(self, input_ids: torch.Tensor):
        from types import SimpleNamespace

        if not torch.equal(input_ids, self.input_ids):
            raise ValueError("a shared checkpoint holds GPT2LMHeadModel's logits for its own .input_ids only")
        return SimpleNamespace(logits=self.logits.clone())


def shared_checkpoint(name: str) -> SharedCheckpoint:
    """The shared checkpoint ``name`` (a key of ``SHARED_CHECKPOINTS``), written first if need be.

    It lives in ``cache_dir()`` or, where that cannot be written (a read-only home), in a folder of
    this user's in the temporary directory; a complete one in either is used. Where neither can be
    written (a grading sandbox whose grader did not write it beforehand) each process writes a
    private copy.
    """
    folders = [root / "checkpoints" / f"{name}-random-v{SHARED_CHECKPOINT_FORMAT}" for root in _cache_roots()]
    for directory in folders:
        if (directory / "expected.safetensors").exists():  # written last: the checkpoint is complete
            return SharedCheckpoint(directory)
    for directory in folders:
        try:
            return SharedCheckpoint(write_shared_checkpoint(name, directory))
        except OSError:
            continue
    return SharedCheckpoint(_private_shared_checkpoint(name))


def _cache_roots() -> list:
    """``cache_dir()``, then this user's folder in the temporary directory unless another user owns it
    (whoever could write there could hand the grader a checkpoint of their choosing)."""
    import os
    import tempfile
    from pathlib import Path

    temporary = Path(tempfile.gettempdir()) / f"learn-gpt2-{os.getuid()}"
    try:
        ours = temporary.lstat().st_uid == os.getuid() and not temporary.is_symlink()
    except OSError:  # not there yet: it would be ours
        ours = True
    return [cache_dir()] + ([temporary] if ours else [])


def _private_shared_checkpoint(name: str):
    import tempfile
    from pathlib import Path

    if name not in _PRIVATE_COPIES:
        _PRIVATE_COPIES[name] = write_shared_checkpoint(name, Path(tempfile.mkdtemp()) / name)
    return _PRIVATE_COPIES[name]


_PRIVATE_COPIES: dict = {}


def write_shared_checkpoint(name: str, directory):
    """Write shared checkpoint ``name`` to ``directory`` unless a complete one is there; return it.

    Safe when several processes ask at once (a file lock), and never leaves a half-written
    checkpoint where a reader would find it (written beside it, then renamed into place).
    """
    import fcntl
    import shutil
    import tempfile
    from pathlib import Path

    from safetensors.torch import save_file

    directory = Path(directory)
    if (directory / "expected.safetensors").exists():  # written last: the checkpoint is complete
        return directory
    spec = dict(SHARED_CHECKPOINTS[name])
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f".{directory.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (directory / "expected.safetensors").exists():  # another process wrote it meanwhile
            return directory
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
        try:
            seed = spec.pop("seed")
            hf = random_hf_gpt2(seed=seed, bos_token_id=50256, eos_token_id=50256, **spec)
            write_hf_checkpoint(staging, hf)
            input_ids = torch.randint(0, spec["vocab_size"], (2, min(32, spec["n_positions"])),
                                      generator=torch.Generator().manual_seed(seed))
            with torch.no_grad():
                logits = hf(input_ids).logits
            save_file({"input_ids": input_ids, "logits": logits.contiguous()}, str(staging / "expected.safetensors"))
            shutil.rmtree(directory, ignore_errors=True)  # an incomplete one, from a process that died
            staging.rename(directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return directory


def _conv1d_hint(name: str) -> str:
    return (f"{name} is a Conv1D weight in the checkpoint, stored (in, out); nn.Linear stores (out, in): "
            "transpose it (tensor.t()) when you copy it")


def _diagnose_weight(name, got, expected, hf_key, hf_tensor, transpose, others) -> str:
    """Why the loaded tensor ``got`` is not ``expected`` (the checkpoint's, transposed as needed)."""
    if tuple(got.shape) != tuple(expected.shape):
        if transpose and tuple(got.shape) == tuple(hf_tensor.shape):
            return f"it has the checkpoint's shape {tuple(hf_tensor.shape)}, untransposed. {_conv1d_hint(name)}"
        if name.endswith("wpe.weight") and got.dim() == 2 and got.shape[0] < expected.shape[0]:
            return (f"the position table has {got.shape[0]} rows, the checkpoint's has {expected.shape[0]}: load "
                    "the whole table, with n_positions read from config.json (do not crop it)")
        return f"it has shape {tuple(got.shape)}, the checkpoint's {hf_key} gives {tuple(expected.shape)}"
    if got.dtype != expected.dtype:
        return f"it is {got.dtype}, the checkpoint's is {expected.dtype}: keep fp32"
    if transpose and torch.equal(got, hf_tensor):
        return f"it equals the checkpoint's tensor untransposed. {_conv1d_hint(name)}"
    if transpose and torch.equal(got, hf_tensor.reshape(expected.shape)):
        return ("it holds the checkpoint's numbers reshaped (view/reshape), not transposed: a reshape keeps the "
                "memory order, a transpose swaps rows and columns. Use tensor.t()")
    if not transpose and got.dim() == 2 and got.shape[0] == got.shape[1] and torch.equal(got, expected.t()):
        return "it is transposed, but only the four Conv1D weights of each block need the transpose"
    if name.endswith("attn.c_attn.weight") or name.endswith("attn.c_attn.bias"):
        import itertools
        parts = expected.chunk(3, dim=0)
        for order in itertools.permutations(range(3)):
            if order != (0, 1, 2) and torch.equal(got, torch.cat([parts[i] for i in order])):
                names = "".join("qkv"[i] for i in order)
                return (f"its query/key/value blocks come in the order {names}: the checkpoint's c_attn holds "
                        "q, k, v in that order, and so must ours (transpose the whole weight, do not reorder it)")
    for other_name, other in others.items():
        if other_name != name and tuple(other.shape) == tuple(got.shape) and torch.equal(got, other):
            hint = ""
            if {name.split(".")[-2], other_name.split(".")[-2]} == {"ln_1", "ln_2"}:
                hint = " ln_1 (before attention) and ln_2 (before the MLP) are swapped."
            layers = [re.match(r"h\.(\d+)\.", n) for n in (name, other_name)]
            if all(layers) and layers[0].group(1) != layers[1].group(1) and \
                    layers[1].group(1).startswith(layers[0].group(1)):
                hint = (f" Block {layers[1].group(1)} has a two-digit number: is the layer index read as one "
                        "character, or matched with a pattern such as r'h\\.(\\d)\\.'? Split the key at '.' instead.")
            return f"it holds the tensor that belongs in {other_name}: the key map sends it to the wrong place.{hint}"
    return ("it matches no tensor of the checkpoint: it was not loaded. Look for a key that was renamed wrongly and "
            "then skipped (load_state_dict(strict=False) skips silently), or a filter that drops it")


def check_loaded_weights(model: nn.Module, hf_model, where: str = "") -> None:
    """Every tensor of ``model`` (ours) equals the checkpoint's tensor it comes from, and the head is tied.

    ``hf_model`` is the ``transformers.GPT2LMHeadModel`` the checkpoint was written from.
    """
    from .pretrained import build_weight_mapping

    where = f" ({where})" if where else ""
    hf_state = hf_model.state_dict()
    mapping = build_weight_mapping(hf_model.config.n_layer)
    expected = {name: (hf_state[k].t() if t else hf_state[k]) for k, (name, t) in mapping.items()}
    ours = model.state_dict()
    absent = [name for name in expected if name not in ours]
    if absent:
        raise AssertionError(f"the loaded model has no tensor {absent[0]!r}{where}: from_pretrained should return "
                             "cls(config) with the checkpoint's weights in it")
    for hf_key, (name, transpose) in mapping.items():
        got = ours[name].detach()
        if tuple(got.shape) == tuple(expected[name].shape) and got.dtype == expected[name].dtype \
                and torch.equal(got, expected[name]):
            continue
        why = _diagnose_weight(name, got, expected[name], hf_key, hf_state[hf_key], transpose, expected)
        raise AssertionError(f"{name} differs from the checkpoint's {hf_key}"
                             f"{' (transposed)' if transpose else ''}{where}: {why}")
    head, wte = getattr(model, "lm_head", None), model.embeddings.wte
    if head is None or head.weight is not wte.weight:
        loaded = head is not None and torch.equal(head.weight.detach(), wte.weight.detach())
        raise AssertionError(
            f"lm_head.weight is no longer the token embedding's Parameter{where}"
            + (": the values are right but the tie is lost (a copy, or load_state_dict(..., assign=True) "
               "replaced one of the two)." if loaded else
               ": the head is untied and holds other numbers, so it was not loaded.")
            + " Keep model.lm_head.weight is model.embeddings.wte.weight: load the token embedding once.")


def check_loaded_config(model: nn.Module, hf_model, where: str = "") -> None:
    """``model.config`` has the sizes of the checkpoint's config.json."""
    where = f" ({where})" if where else ""
    config = getattr(model, "config", None)
    if config is None:
        raise AssertionError(f"the loaded model has no .config{where}: build it as cls(config)")
    for field in ("vocab_size", "n_positions", "n_embd", "n_layer", "n_head"):
        want, got = getattr(hf_model.config, field), getattr(config, field, None)
        if got != want:
            raise AssertionError(f"model.config.{field} is {got!r}, the checkpoint's config.json says {want!r}"
                                 f"{where}: read {field} from config.json" + (
                                     " (not the default 12)" if field == "n_head" and got == 12 else ""))


def check_logits(model: nn.Module, hf_model, input_ids: torch.Tensor, where: str = "", atol: float = 1e-4) -> float:
    """max |logits - HF's logits| <= atol in eval mode; on failure, say which tensor or setting is off."""
    where_ = f" ({where})" if where else ""
    model.eval()
    with torch.no_grad():
        expected = hf_model(input_ids).logits
        actual = model(input_ids)
    if not torch.is_tensor(actual) or actual.shape != expected.shape:
        raise AssertionError(f"the loaded model's output should be logits of shape {tuple(expected.shape)}{where_}, "
                             f"got {getattr(actual, 'shape', type(actual).__name__)}")
    diff = max_abs_diff(actual, expected)
    if diff <= atol:
        return diff
    check_loaded_config(model, hf_model, where)
    check_loaded_weights(model, hf_model, where)
    raise AssertionError(f"logits differ from GPT2LMHeadModel's by up to {diff:.3g} > {atol:g}{where_}, although "
                         "every weight and the config match: is the model in eval mode, and its forward unchanged?")


# --- documented errors (problem 09 first) --------------------------------------------------------
def attempt(what: str, make: Callable[[], object]):
    """Return ``make()``, which runs learner code; a crash becomes an AssertionError that says what was
    tried (``what``). NotImplementedError passes through, so an unanswered cell says so."""
    try:
        return make()
    except NotImplementedError:
        raise
    except Exception as err:
        raise AssertionError(f"{what} raised {type(err).__name__}: {err}") from None


def _shows_value(value, message: str) -> bool:
    forms = {repr(value), str(value)}
    if isinstance(value, float):
        forms |= {f"{value:g}", f"{value:.1f}", f"{value:.2f}", f"{value:e}"}
    return any(form in message for form in forms)


def assert_raises_value_error(what: str, build: Callable[[], object], names: Iterable[str] = (),
                              values: Iterable = (), why: str = "") -> None:
    """Assert that ``build()`` raises ValueError with a message that names every field in ``names`` and
    shows every value in ``values`` (as repr, str, or a rounded float). ``what`` is the call as the
    learner would write it, ``why`` the reason it is invalid. An ``assert`` (AssertionError) or another
    exception in its place fails with a message saying so."""
    try:
        build()
    except NotImplementedError:
        raise
    except ValueError as err:
        message = str(err)
    except AssertionError as err:
        raise AssertionError(
            f"{what} raised AssertionError ({err}) where a ValueError is promised: validate with "
            "`if ...: raise ValueError(...)`, not with assert (Python skips asserts under -O, and callers "
            "catch ValueError).") from None
    except Exception as err:
        raise AssertionError(
            f"{what} raised {type(err).__name__} ({err}) instead of a ValueError. {why} Check this case "
            "yourself and raise ValueError with a message that names the field and shows the value.") from None
    else:
        raise AssertionError(f"{what} was accepted, but it should raise ValueError: {why}")
    for name in names:
        if name not in message:
            raise AssertionError(
                f"{what} raised ValueError({message!r}): right exception, but the message does not name the "
                f"field {name!r}. Say which field is wrong and show its value, e.g. "
                f"f\"{name} must be ..., got {{{name}!r}}\".")
    for value in values:
        if not _shows_value(value, message):
            raise AssertionError(
                f"{what} raised ValueError({message!r}): right exception, but the message does not show the "
                f"value {value!r}. Include it, e.g. f\"..., got {{value!r}}\", so that whoever reads it sees "
                "what they passed.")


# --- claims the notebooks' text makes about their activities ------------------------------------
CHECK_CLAIMS = "LEARN_GPT2_CHECK_CLAIMS"  # set by the course's own runs of the solution notebooks


def check_claim(holds: bool, claim: str, seen: str = "") -> None:
    """Check a statement the notebook's text makes about an activity's result.

    In the course's runs of the solution notebooks (the test suite, ``make bench-notebooks``) a
    claim that does not hold fails the run, so the text and the numbers cannot drift apart. In a
    learner's run it prints a note instead: their code, seed or settings may give other numbers.
    """
    import os

    if holds:
        print(f"✓ as the text says: {claim}")
        return
    message = f"the text says: {claim}; this run shows: {seen or 'otherwise'}"
    if os.environ.get(CHECK_CLAIMS) == "1":
        raise AssertionError(f"The notebook's text is out of date: {message}")
    print(f"Note: {message} (your own code, seed or settings may give other numbers).")


def with_hf_weights(hf, model_class=None):
    """``model_class`` (the reference ``GPT2Model`` by default) built from a HuggingFace
    ``GPT2LMHeadModel``'s config and loaded with its weights, in the same train/eval mode."""
    from .model import GPT2Model
    from .pretrained import config_from_hf, convert_hf_state_dict

    config = config_from_hf(hf.config.to_dict())
    model = (model_class or GPT2Model)(config)
    model.load_state_dict(convert_hf_state_dict(hf.state_dict(), config.n_layer))
    return model.train(hf.training)

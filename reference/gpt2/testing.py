"""Helpers the notebooks' test cells call: compare a learner's module with the reference.

Every check raises ``AssertionError`` with a message meant for the learner: what was expected,
what was seen, and, when the evidence fits a known mistake, which mistake.
"""
from __future__ import annotations

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

"""Your own GPT-2: a learner's parts, saved when they pass, used by later problems' activities.

Every problem whose component GPT-2 is built from (``MINE``) has, after its tests, a locked cell
``save_mine("NN-slug")``. It takes the answer cells as the kernel last ran them, runs the
problem's visible tests on them in a fresh namespace and, only when all pass, writes them to the
learner's workspace: ``my-gpt2/NN-slug.py`` beside the problem folders (readable, their code).

Later problems start their activities with a switch, ``USE_MINE = False``. Set to True, it calls
``use_mine(globals())``: every saved part is checked again (a saved file edited since, or one
that no longer passes, is noticed and the reference is used instead), then the passing ones
replace the reference's classes in ``gpt2`` (and inside ``gpt2.model``, so the reference
``GPT2Model`` is built from them too) and in the notebook's names; a table says whose code runs.
Grading never sees any of this: these cells are activities, which grading skips, and hidden
tests always use the reference.

``your_gpt2(model_class)`` closes problems 10 and 12: how many of GPT-2's parts in a model of
that class are the learner's, and its largest logit difference from HuggingFace's
``GPT2LMHeadModel`` on the same weights.
"""
from __future__ import annotations

import contextlib
import datetime
import io
import os
from pathlib import Path

from . import notebooks
from .course import REPO

# problem -> the components it builds that GPT-2 is made of (02's SimpleAttention is not).
MINE = {
    "01-embeddings": ["Embeddings"],
    "03-scaled-dot-product": ["ScaledDotProductAttention"],
    "04-multi-head-attention": ["MultiHeadAttention"],
    "05-causal-masking": ["CausalMultiHeadAttention"],
    "06-feedforward-network": ["NewGELU", "FeedForward"],
    "07-layer-norm-residuals": ["LayerNorm"],
    "08-transformer-block": ["TransformerBlock"],
    "10-full-model": ["GPT2Model"],
    "11-weight-initialization": ["GPT2Model"],
    "12-pretrained-loading": ["GPT2Model"],
}
PARTS = list(dict.fromkeys(name for names in MINE.values() for name in names))  # GPT-2's parts
WORKSPACE_ENV = "LEARN_GPT2_MINE"  # where saved parts go; default: my-gpt2/ beside the problem folder

YOUR_PARTS_TITLE = "## Your parts"
SAVE_TEXT = """The cell below saves your code for later problems once your visible tests pass (it runs
them again on a fresh copy of your answers, and saves nothing otherwise). The activities of every
later problem can then run on *your* parts instead of the reference's."""
SWITCH_TEXT = """The switch below runs this notebook's activities on your own parts from earlier problems
instead of the reference's: set `USE_MINE = True` and run it. Each part saved by its problem is
checked again, and used only if it still passes; a table says, part by part, whose code runs.
Grading is not affected: hidden tests always use the reference for earlier problems."""
SWITCH_CODE = """USE_MINE = False  # True: the activities below run on your own earlier parts, where saved and still passing
if USE_MINE:
    from coursetools.mine import use_mine
    use_mine(globals())"""


def save_code(assignment: str) -> str:
    return f'from coursetools.mine import save_mine\n\nsave_mine("{assignment}")'


def workspace() -> Path:
    """The folder of saved parts: $LEARN_GPT2_MINE, or my-gpt2/ beside this problem's folder."""
    return Path(os.environ.get(WORKSPACE_ENV) or Path.cwd().parent / "my-gpt2")


def saved_path(assignment: str, folder: Path | None = None) -> Path:
    return (folder or workspace()) / f"{assignment}.py"


# --- checking a problem's answers against its visible tests -------------------------------------
def _run(source: str, namespace: dict) -> None:
    """Run one cell's source as IPython would (magics included) in ``namespace``."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        source = TransformerManager().transform_cell(source)
    except ImportError:
        pass
    exec(compile(source, f"<{namespace['__name__']}>", "exec"), namespace)


def check(assignment: str, answers: str) -> tuple[dict | None, str]:
    """Run ``assignment``'s setup cell, ``answers`` and its visible tests in a fresh namespace.

    Returns (the namespace, "") when every visible test passes, else (None, what failed).
    """
    release = notebooks.read(REPO.release(assignment))
    namespace = {"__name__": f"my_gpt2_{assignment[:2]}"}  # the module name of the learner's classes
    setup = next(c for c in release.cells if c.cell_type == "code" and notebooks.is_locked(c))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        for label, source in [("the setup cell", setup.source), ("your answers", answers)] + [
                (f"test {gid}", c.source) for gid, c in notebooks.test_cells(release).items()]:
            try:
                _run(source, namespace)
            except Exception as err:  # a failing test or a crash: this copy does not pass
                return None, f"{label}: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:300]
    return namespace, ""


def answers_from_history(assignment: str, ran: list[str]) -> tuple[str, list[str]]:
    """The answer cells of ``assignment`` as the kernel last ran them (from IPython's ``In``),
    joined; and the answer cells never run."""
    release = notebooks.read(REPO.release(assignment))
    found, missing = [], []
    for gid, cell in notebooks.answer_cells(release).items():
        names = notebooks.defined_names(cell.source)
        runs = [code for code in ran if names and names <= _safe_names(code)]
        (found.append(runs[-1].strip()) if runs else missing.append(gid))
    return "\n\n\n".join(found), missing


def _safe_names(code: str) -> set[str]:
    try:
        return notebooks.defined_names(code)
    except SyntaxError:
        return set()


def save(assignment: str, ran: list[str], folder: Path | None = None) -> tuple[Path | None, str]:
    """Save ``assignment``'s answers as last run (``ran``: the kernel's inputs, oldest first) if
    its visible tests pass on them. Returns (the saved file, "") or (None, why not)."""
    answers, missing = answers_from_history(assignment, ran)
    if missing:
        return None, f"run your answer cells first ({', '.join(missing)} not run in this kernel)"
    namespace, failed = check(assignment, answers)
    if namespace is None:
        return None, f"your visible tests do not pass yet ({failed})"
    path = saved_path(assignment, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().isoformat(timespec="seconds")
    path.write_text(f'"""Your {", ".join(MINE[assignment])} from problem {assignment}, saved {stamp} '
                    f'when its visible tests passed."""\n\n{answers}\n')
    return path, ""


def save_mine(assignment: str) -> Path | None:
    """The locked cell after a problem's tests: save the answers the kernel ran, if they pass."""
    from IPython import get_ipython

    from gpt2.testing import CHECK_CLAIMS

    shell = get_ipython()
    path, why_not = save(assignment, list(shell.user_ns.get("In", [])) if shell else [])
    if path is None:
        if os.environ.get(CHECK_CLAIMS):  # the course's own run of its solution: that must save
            raise AssertionError(f"the solution of {assignment} was not saved: {why_not}")
        print(f"Nothing saved: {why_not}. Then run this cell again.")
        return None
    print(f"Saved your {', '.join(MINE[assignment])} to {path.parent.name}/{path.name}: later problems "
          "can run their activities on it (USE_MINE = True).")
    return path


# --- using them --------------------------------------------------------------------------------
_REFERENCE: dict[str, object] = {}  # the reference classes use_mine replaced, to put them back


def use_reference() -> None:
    """Undo ``use_mine``: the reference's classes again, in ``gpt2`` and inside ``gpt2.model``."""
    import gpt2
    import gpt2.model

    for name, cls in _REFERENCE.items():
        setattr(gpt2, name, cls)
        if hasattr(gpt2.model, name):
            setattr(gpt2.model, name, cls)


def _tolerant(cls):
    """``cls`` taking (and dropping) arguments its ``__init__`` lacks: the reference model passes
    some that a learner's skeleton never had (``attn_dropout``, ``n_inner``). Whether the result
    is still GPT-2 is checked end to end (``_logit_gap``), so a dropped argument that mattered is
    noticed."""
    import inspect

    if not isinstance(cls, type):
        return cls
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return cls

    positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params.values()) - 1
    if any(p.kind is p.VAR_POSITIONAL for p in params.values()):
        positional = None

    def __init__(self, *args, **kwargs):
        cls.__init__(self, *args[:positional], **{k: v for k, v in kwargs.items() if k in params})

    return type(cls.__name__, (cls,), {"__init__": __init__, "__module__": cls.__module__,
                                       "__qualname__": cls.__qualname__, "__doc__": cls.__doc__})


SIZES = dict(vocab_size=96, n_positions=32, n_embd=48, n_layer=2, n_head=4)  # small, every width differs


def _logit_gap(model_class, sizes: dict):
    """(model, max |Δlogits|) of ``model_class(GPT2Config(**sizes))`` loaded with the weights of a
    random HuggingFace ``GPT2LMHeadModel``, against that model, in eval mode."""
    import torch

    from gpt2.testing import random_hf_gpt2, with_hf_weights

    hf = random_hf_gpt2(seed=0, **sizes)
    model = with_hf_weights(hf, model_class)
    ids = torch.randint(0, sizes["vocab_size"], (2, sizes["n_positions"]), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return model, (model(ids) - hf(ids).logits).abs().max().item()


def _builds_gpt2() -> str:
    """"" when ``gpt2.GPT2Model``, built from the parts in ``gpt2`` now, is GPT-2; else why not."""
    import gpt2

    try:
        _, gap = _logit_gap(gpt2.GPT2Model, SIZES)
    except Exception as err:
        return f"{type(err).__name__}: {err}"[:200]
    return "" if gap <= 1e-4 else f"its logits differ from HuggingFace's by {gap:.1e}"


def _patch(name: str, cls) -> None:
    import gpt2
    import gpt2.model

    setattr(gpt2, name, cls)
    if hasattr(gpt2.model, name):
        setattr(gpt2.model, name, cls)


def use_mine(namespace: dict | None = None, folder: Path | None = None) -> dict[str, str]:
    """Check every saved part again, then let the passing ones replace the reference's (in ``gpt2``,
    inside ``gpt2.model`` and, given a notebook's ``namespace``, its names bound to reference
    classes), each only if GPT-2 built with it still equals HuggingFace's. Returns and prints,
    part by part, whose code runs and why."""
    import gpt2

    print("Checking your saved parts (their visible tests, then GPT-2 built with each) ...", flush=True)
    use_reference()  # each part is checked against the reference's earlier parts
    reference = {name: getattr(gpt2, name) for name in PARTS}
    _REFERENCE.update(reference)
    passing, whose = {}, {name: "reference (nothing saved)" for name in PARTS}
    for assignment, names in MINE.items():
        path = saved_path(assignment, folder)
        if not path.exists():
            continue
        _, failed = check(assignment, path.read_text())
        if failed:
            for name in names:
                whose[name] = f"reference: your saved {path.name} no longer passes ({failed})"
        else:
            passing[assignment] = path.read_text()
    for assignment, answers in passing.items():  # in course order: later parts build on earlier ones
        built, failed = check(assignment, answers)  # again, now on the learner's earlier parts
        for name in MINE[assignment]:
            if built is None:
                whose[name] = f"reference: your {assignment} passes alone but not on your earlier parts ({failed})"
                continue
            before = getattr(gpt2, name)
            _patch(name, _tolerant(built[name]))
            broken = _builds_gpt2()
            if broken:
                _patch(name, before)
                whose[name] = f"reference: GPT-2 built with your {name} is not GPT-2 ({broken})"
            else:
                whose[name] = f"yours ({assignment})"
    if namespace is not None:
        for key, value in list(namespace.items()):
            for name, cls in reference.items():
                if value is cls and getattr(gpt2, name) is not cls:
                    namespace[key] = getattr(gpt2, name)
    width = max(map(len, PARTS))
    print("\n".join(f"{name:{width}s}  {whose[name]}" for name in PARTS))
    return whose


def your_gpt2(model_class, **sizes) -> tuple[int, int, float]:
    """How many of GPT-2's parts in a ``model_class(config)`` are the learner's, and its largest
    |Δlogits| from HuggingFace's GPT2LMHeadModel on the same (random) weights. Prints both."""
    model, gap = _logit_gap(model_class, SIZES | sizes)
    used: dict[str, set[bool]] = {}
    for module in model.modules():
        for cls in type(module).__mro__:
            if cls.__name__ in PARTS:
                used.setdefault(cls.__name__, set()).add(not cls.__module__.startswith("gpt2"))
    yours = [name for name in PARTS if used.get(name) == {True}]
    print(f"Your GPT-2: {len(yours)} of {len(used)} parts are yours ({', '.join(yours) or 'none yet'}); "
          f"max |Δlogits| against HuggingFace's GPT2LMHeadModel on the same weights: {gap:.2e}")
    return len(yours), len(used), gap

"""The tamper guard that runs inside a grading kernel.

``GuardedExecute`` sends this file's text to the kernel before the notebook's first cell and
calls it between cells; it imports nothing from the course tooling, which the sandboxed kernel
cannot see. It notices what a submission must not do to earn points:

- replace or delete what the tests rely on: builtins, torch / numpy comparison and testing
  functions, ``torch.Tensor`` and ``nn.Module`` methods, the ``gpt2`` package and
  ``gpt2.testing``, the names the setup cell defined, IPython's cell machinery and hooks;
- hand in the reference component the problem asks for: a name bound to it (alias), a class
  derived from it, or learner code calling it (an import used inside the learner's own class).
  Earlier components from ``gpt2`` stay legal.

It is a safeguard against ordinary cheating, not a proof: code written to defeat this guard in
particular can, since it shares the kernel. The sandbox is what protects files and other learners.
"""
import builtins
import importlib
import json
import os
import sys
import types

# Builtins IPython itself sets around every cell (its input(), its display hook's _).
KERNEL_MANAGED = {"builtins": {"input", "getpass", "get_ipython", "exit", "quit", "display",
                               "_", "__", "___", "__IPYTHON__"}}
# Attributes Python itself caches on classes: copyreg's __slotnames__, written the first time an
# instance is deep-copied, pickled or saved with torch.save. Changing them cheats nothing.
PYTHON_CACHES = {"__slotnames__"}
WATCHED_MODULES = ("builtins", "math", "numpy", "numpy.testing", "torch", "torch.nn",
                   "torch.nn.functional", "torch.testing", "gpt2", "gpt2.testing")


def _is_class(obj) -> bool:
    return isinstance(obj, type)


class Guard:
    def __init__(self, learner_sources, components):
        from IPython import get_ipython

        self.ip = get_ipython()
        self.components = list(components)
        self.learner_files = {self.ip.compile.get_code_name(src, src, 0) for src in learner_sources}
        self.calls = {}
        self.modules = {}
        for name in WATCHED_MODULES:
            try:
                self.modules[name] = importlib.import_module(name)
            except ImportError:  # a notebook without numpy, say: nothing to watch there
                pass
        gpt2 = self.modules.get("gpt2")
        self.references = {c: getattr(gpt2, c) for c in self.components if hasattr(gpt2, c)}
        for name, ref in self.references.items():
            self._report_learner_calls(name, ref)
        # Installed libraries (torch, numpy, transformers...) patch each other on import or first
        # use; learner code lives in the notebook's cells, never in site-packages.
        import sysconfig

        self.library_dirs = tuple({os.path.dirname(self.modules[name].__file__) + os.sep
                                   for name in ("torch", "numpy") if name in self.modules}
                                  | {sysconfig.get_paths()[key] + os.sep for key in ("purelib", "platlib")})
        self.owners = self._owners()
        self.snapshot = {(label, key): value for label, owner in self.owners.items()
                         for key, value in list(vars(owner).items())
                         if key not in KERNEL_MANAGED.get(label, ()) and key not in PYTHON_CACHES}
        self.sys_hooks = (sys.gettrace(), sys.getprofile())
        self.setup_names = None

    def _owners(self) -> dict:
        """Everything whose attributes are watched, by a readable label."""
        owners = dict(self.modules)
        torch = self.modules.get("torch")
        if torch is not None:
            owners["torch.Tensor"] = torch.Tensor
            owners["torch.nn.Module"] = torch.nn.Module
        gpt2 = self.modules.get("gpt2")
        if gpt2 is not None:
            for name in dir(gpt2):
                if _is_class(getattr(gpt2, name)) and getattr(gpt2, name).__module__.startswith("gpt2"):
                    owners[f"gpt2.{name}"] = getattr(gpt2, name)
        for label, obj in (("the IPython shell", self.ip), ("the kernel", getattr(self.ip, "kernel", None))):
            if obj is not None:
                for cls in type(obj).__mro__[:-1]:
                    owners[f"{label} ({cls.__name__})"] = cls
        return owners

    def _report_learner_calls(self, name, ref):
        """Wrap the reference component so a call from the learner's code is recorded."""
        guard = self

        def watch(function):
            def watched(*args, **kwargs):
                guard._note_call(name, ref)
                return function(*args, **kwargs)
            watched.__wrapped__ = function
            for attr in ("__name__", "__qualname__", "__doc__", "__module__"):
                setattr(watched, attr, getattr(function, attr, None))
            return watched

        if _is_class(ref):
            for method in ("__init__", "forward"):
                if hasattr(ref, method):
                    setattr(ref, method, watch(getattr(ref, method)))
        else:
            wrapped = watch(ref)
            for module in list(sys.modules.values()):
                if getattr(module, "__name__", "").startswith("gpt2") and getattr(module, name, None) is ref:
                    setattr(module, name, wrapped)

    def _note_call(self, name, ref):
        if self.ip.user_ns.get(name) is ref:
            return  # the tests put the reference in place of the learner's (e.g. to grade parts apart)
        frame = sys._getframe(2)
        while frame is not None:
            if frame.f_code.co_filename in self.learner_files:
                self.calls.setdefault(name, set()).add(
                    f"your code calls the reference gpt2.{name}, the component this problem asks you to write")
                return
            frame = frame.f_back

    def _library_made(self, obj) -> bool:
        """Whether ``obj`` is code of an installed library: importing torch._dynamo, for one,
        replaces torch.manual_seed by a wrapper of it, and transformers adds nn.Module.smart_apply."""
        code = getattr(obj, "__code__", None)
        return code is not None and code.co_filename.startswith(self.library_dirs)

    def setup_done(self):
        """Remember what the setup cells bound, just before the learner's first cell runs."""
        ns = self.ip.user_ns
        self.setup_names = {k: v for k, v in ns.items() if not k.startswith("_") and (
            isinstance(v, types.ModuleType) or getattr(v, "__module__", None) in self.modules
            or str(getattr(v, "__module__", "")).startswith(("gpt2", "torch", "numpy")))}
        self.hooks = self._hooks()
        return "ok"

    def _hooks(self) -> dict:
        """IPython's machinery that could rewrite, skip or spy on a test cell before it runs."""
        ip = self.ip
        return {
            "IPython input transformers": list(ip.input_transformers_cleanup) + list(ip.input_transformers_post),
            "IPython AST transformers": list(ip.ast_transformers),
            "IPython event callbacks": [cb for cbs in ip.events.callbacks.values() for cb in cbs],
            "the IPython shell's own methods": [v for v in vars(ip).values() if callable(v)],
        }

    def changes(self) -> list:
        """What was replaced or removed since the guard was installed."""
        found = []
        for (label, key), value in self.snapshot.items():
            now = vars(self.owners[label]).get(key, _MISSING)
            if now is not value and not (self._library_made(now) and getattr(now, "__wrapped__", None) is value):
                found.append(f"{label}.{key}")
        for label, owner in self.owners.items():  # a method added to a class hides the inherited one
            if _is_class(owner):
                found += [f"{label}.{key}" for key, now in list(vars(owner).items())
                          if (label, key) not in self.snapshot and key not in PYTHON_CACHES
                          and not self._library_made(now)]
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"sys.modules[{name!r}]")
        if (sys.gettrace(), sys.getprofile()) != self.sys_hooks:
            found.append("sys.settrace / sys.setprofile")
        if self.setup_names is not None:
            for name, value in self.setup_names.items():
                if self.ip.user_ns.get(name, _MISSING) is not value:
                    found.append(f"the name {name!r} from the setup cell")
            now = self._hooks()
            for label, before in self.hooks.items():
                if len(now[label]) != len(before) or any(a is not b for a, b in zip(now[label], before)):
                    found.append(label)
        return found

    def violations(self, components) -> dict:
        """component -> reasons the learner's version of it is the reference's."""
        found = {}
        for name in components:
            ref = self.references.get(name)
            if ref is None:
                continue
            reasons = set(self.calls.get(name, ()))
            mine = self.ip.user_ns.get(name)
            if mine is ref or getattr(mine, "__wrapped__", None) is ref:  # a function is watched: see above
                reasons.add(f"{name} is the reference gpt2.{name} itself, not your implementation")
            elif _is_class(ref) and _is_class(mine) and issubclass(mine, ref):
                reasons.add(f"your {name} derives from the reference gpt2.{name}")
            if reasons:
                found[name] = sorted(reasons)
        return found

    def check(self, components):
        return json.dumps({"changed": self.changes(), "violations": self.violations(components)})


_MISSING = object()


def install(registry_name, learner_sources, components):
    sys.modules[registry_name] = Guard(learner_sources, components)
    return "ok"

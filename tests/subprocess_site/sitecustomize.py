"""Put on PYTHONPATH of the tools a test starts (nbstripout, jupytext, papermill, nbconvert; issue #21).

jsonschema, which nbformat imports, imports rfc3987_syntax when it is installed, and that module builds
a Lark grammar at import: about 2 s of CPU per process on the 2-core machine (0.35 s without). The
`junheng` package tells jsonschema the module is absent (src/junheng/__init__.py); a tool started by
itself does not, and the git filter, the pre-commit hooks and papermill's command line start many. The
notebook schema checks no IRI, so nothing these tools do changes: only jsonschema's "iri" format
checks are left out. A sitecustomize further down the path (a distribution's) is still run.
"""

import importlib
import sys

sys.modules.setdefault("rfc3987_syntax", None)

_here = __file__.rsplit("/", 1)[0]
_path, _mine = sys.path[:], sys.modules.pop("sitecustomize", None)
try:
    sys.path[:] = [p for p in sys.path if p.rstrip("/") != _here.rstrip("/")]
    importlib.import_module("sitecustomize")
except ImportError:
    if _mine is not None:
        sys.modules["sitecustomize"] = _mine
finally:
    sys.path[:] = _path

"""Bi-borough outcomes warehouse: the Dagster code location and its supporting modules."""

import os
import sys
from pathlib import Path

# Tools installed beside this interpreter (dbt, dagster) must be found even when the virtual
# environment is not activated, e.g. by `dagster-dbt` preparing the manifest.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

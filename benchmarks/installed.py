"""`pip install .` into a new venv, then `sagemaker-endpoint render` from it: what a user who installs the package
gets, against the committed template."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).parent.parent
TEMPLATE = ROOT / "templates" / "sagemaker-endpoint.yaml"


def installed_render() -> tuple[float, bool]:
    """(seconds to install, whether the installed command rendered the committed template byte for byte).
    Installed with requirements.txt as constraints, so the same versions as the committed rendering."""
    with tempfile.TemporaryDirectory() as directory:
        env = Path(directory) / "venv"
        venv.create(env, with_pip=True)
        started = time.perf_counter()
        subprocess.run(
            [env / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", ROOT / "requirements.txt", ROOT],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
        output = Path(directory) / "rendered.yaml"
        rendered = subprocess.run(
            [env / "bin" / "sagemaker-endpoint", "render", "--output", output], capture_output=True, check=False
        )
        return seconds, rendered.returncode == 0 and output.read_bytes() == TEMPLATE.read_bytes()


if __name__ == "__main__":
    install_seconds, identical = installed_render()
    print(f"pip install . in a new venv: {install_seconds:.0f} s; its render: {'identical' if identical else 'FAILED'}")
    sys.exit(0 if identical else 1)

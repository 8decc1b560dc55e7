"""Build the resolver Lambda zip: our handler plus crhelper, byte-for-byte reproducible.

Same sources, same bytes: entries in sorted order, a fixed timestamp and fixed permissions. The zip's
sha256 is in its file name and in the template's default ResolverCodeS3Key, so new code is a new key
and CloudFormation updates the function.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import io
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import custom_resource

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
FILE_MODE = 0o644 << 16  # rw-r--r--, in the high bits where zip keeps Unix permissions
UNIX = 3  # zip "made by" system
CRHELPER_LICENSE_FILES = ("LICENSE", "NOTICE")  # Apache-2.0: ship its licence with its code


@dataclass(frozen=True)
class ResolverPackage:
    """The zip's bytes and the names derived from them."""

    content: bytes

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def file_name(self) -> str:
        return f"package-resolver-{self.sha256}.zip"

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / self.file_name
        path.write_bytes(self.content)
        return path


def build_resolver_package() -> ResolverPackage:
    """Zip the custom resource and crhelper (the Lambda runtime has boto3 but not crhelper)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sorted(_package_files().items()):
            entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            entry.external_attr = FILE_MODE
            entry.create_system = UNIX
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, content, compresslevel=9)
    return ResolverPackage(buffer.getvalue())


def _package_files() -> dict[str, bytes]:
    files = _python_sources("custom_resource", Path(custom_resource.__file__).parent)
    files |= _python_sources("crhelper", _installed_package_dir("crhelper"))
    distribution = importlib.metadata.distribution("crhelper")
    for name in CRHELPER_LICENSE_FILES:
        text = distribution.read_text(name)
        if text is not None:
            files[f"crhelper/{name}"] = text.encode()
    return files


def _python_sources(package: str, directory: Path) -> dict[str, bytes]:
    return {f"{package}/{path.name}": path.read_bytes() for path in directory.glob("*.py")}


def _installed_package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{package} is not installed: run `make build`, which installs the pinned requirements")
    return Path(spec.origin).parent

"""Where the tests find the repository's files and their own fixtures, wherever a test module lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
FIXTURES = ROOT / "tests" / "fixtures"
EVENTS = FIXTURES / "events"

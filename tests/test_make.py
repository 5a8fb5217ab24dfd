"""`make help` lists every target, and CI calls `make test`."""
import re
import subprocess

from kg import paths


def test_make_help_lists_every_target():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    output = subprocess.run(["make", "--no-print-directory", "help"], cwd=paths.ROOT, capture_output=True,
                            text=True, check=True).stdout
    listed = {line.split()[0] for line in output.splitlines() if line.strip()}
    assert targets and targets == listed


def test_ci_runs_make_test():
    assert "make test" in (paths.ROOT / ".ci" / "run").read_text(encoding="utf-8")

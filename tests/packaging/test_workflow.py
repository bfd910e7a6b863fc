"""The CI workflow parses as YAML and builds + self-tests the bundle on all three systems.

PyYAML is not a dependency, so the workflow is read with the subset parser in _helpers (which
rejects anything outside block-style YAML); where PyYAML happens to be installed, its reading
must agree.
"""

import pytest

from tests.packaging._helpers import ROOT, parse_yaml_subset

WORKFLOW = ROOT / ".github" / "workflows" / "bundle.yml"


@pytest.fixture(scope="module")
def workflow():
    return parse_yaml_subset(WORKFLOW.read_text(encoding="utf-8"))


def test_runs_on_every_change_and_by_hand(workflow):
    assert set(workflow["on"]) == {"push", "pull_request", "workflow_dispatch"}


def test_matrix_covers_linux_windows_and_macos(workflow):
    job = workflow["jobs"]["bundle"]
    assert job["runs-on"] == "${{ matrix.os }}"
    systems = job["strategy"]["matrix"]["os"]
    assert {s.split("-")[0] for s in systems} == {"ubuntu", "windows", "macos"}
    assert job["strategy"]["fail-fast"] == "false"


def test_steps_mirror_make_bundle_test(workflow):
    steps = workflow["jobs"]["bundle"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "3.11"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "-r requirements.txt -r requirements-dev.txt" in runs
    # the same command `make bundle-test` runs
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nbundle-test:", 1)[1].split("\n\n", 1)[0]
    assert "packaging/build.py --test" in target
    assert "python packaging/build.py --test" in runs
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert "dist/DescentLab-*" in upload["with"]["path"]


def test_pyyaml_agrees_where_installed(workflow):
    yaml = pytest.importorskip("yaml")
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True; GitHub reads it as the string "on"
    loaded["on"] = loaded.pop(True)
    assert (
        loaded["jobs"]["bundle"]["strategy"]["matrix"]["os"]
        == (workflow["jobs"]["bundle"]["strategy"]["matrix"]["os"])
    )
    assert [s.get("name") for s in loaded["jobs"]["bundle"]["steps"]] == [
        s.get("name") for s in workflow["jobs"]["bundle"]["steps"]
    ]

"""The test-side YAML-subset parser against documents whose meaning is written out by hand."""

import pytest

from tests.packaging._helpers import parse_yaml_subset


def test_nested_mappings_sequences_and_scalars():
    doc = """\
# a comment
name: demo   # trailing comment
on:
  push:
    branches: [main, "release/*"]
  pull_request:
jobs:
  a:
    steps:
      - uses: actions/checkout@v4
      - name: two keys
        with:
          python-version: "3.11"
      - plain item
list_at_key_level:
- x
- y
"""
    assert parse_yaml_subset(doc) == {
        "name": "demo",
        "on": {"push": {"branches": ["main", "release/*"]}, "pull_request": None},
        "jobs": {
            "a": {
                "steps": [
                    {"uses": "actions/checkout@v4"},
                    {"name": "two keys", "with": {"python-version": "3.11"}},
                    "plain item",
                ]
            }
        },
        "list_at_key_level": ["x", "y"],
    }


def test_literal_block_keeps_lines_and_drops_common_indent():
    doc = "run: |\n  echo one\n    indented\n\n  echo # not a comment here\nnext: 1\n"
    assert parse_yaml_subset(doc) == {
        "run": "echo one\n  indented\n\necho # not a comment here\n",
        "next": "1",
    }


@pytest.mark.parametrize(
    "doc",
    [
        "a:\n\tb: 1\n",  # tab indentation
        "a: 1\na: 2\n",  # duplicate key
        "a: &anchor 1\n",  # anchors are outside the subset
        "a: {b: 1}\n",  # flow mappings too
        "a: 'open\n",  # unterminated quote
        "a:\n    b: 1\n  c: 2\n",  # inconsistent indentation
        "just text\n",
    ],
)
def test_malformed_or_unsupported_input_is_rejected(doc):
    with pytest.raises(ValueError):
        parse_yaml_subset(doc)

"""Case entries as text blocks: an edit touches only its entry's lines."""
import pytest

from kg import caseyaml, cases

FILES = cases.case_files()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_entry_renders_to_what_the_loader_reads_back(path):
    text = path.read_text(encoding="utf-8")
    for entry_id in caseyaml.entry_ids(text):
        entry = caseyaml.parse(text, entry_id)
        assert caseyaml.parse(caseyaml.render(entry), entry_id) == entry, entry_id


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_replacing_an_entry_by_itself_changes_nothing_and_add_then_delete_restores(path):
    text = path.read_text(encoding="utf-8")
    ids = caseyaml.entry_ids(text)
    for entry_id in (ids[0], ids[len(ids) // 2], ids[-1]):
        assert caseyaml.replace(text, entry_id, caseyaml.block(text, entry_id)) == text
        removed = caseyaml.replace(text, entry_id, None)
        assert entry_id not in caseyaml.entry_ids(removed) and len(caseyaml.entry_ids(removed)) == len(ids) - 1
    new = caseyaml.render({"id": "new-entry", "type": "Community", "label": {"zh": "新社区", "en": "A new community"},
                           "evidence": [{"section": "4.1", "quote": "在此期间，推出“三社联动”治理体系。"}]})
    added = caseyaml.replace(text, "new-entry", new)
    assert added.startswith(text) and caseyaml.replace(added, "new-entry", None) == text


def test_most_hand_written_entries_are_already_in_the_house_style():
    """So editing one of them rewrites only the lines that change (measured: 164 of 224)."""
    same = total = 0
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for entry_id in caseyaml.entry_ids(text):
            total += 1
            same += caseyaml.render(caseyaml.parse(text, entry_id)) == caseyaml.block(text, entry_id)
    assert same / total > 0.7, (same, total)


@pytest.mark.parametrize("value, written", [("gzc:municipality", "gzc:municipality"), ("500103", '"500103"'),
                                            ("a: b", '"a: b"'), ('"Home" of', "'\"Home\" of'"), ('say "x"', 'say "x"'), ("#1", '"#1"')])
def test_scalars_are_quoted_only_when_needed(value, written):
    assert caseyaml.scalar(value) == written

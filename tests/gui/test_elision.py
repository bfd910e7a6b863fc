"""Text short of room loses whole words, never digits: "lr 0.05" is never shown "lr 0.0"."""

from __future__ import annotations

import pytest

from gui import theme


def _is_word_prefix(shown: str, full: str) -> bool:
    kept = shown.removesuffix(" …").split()
    return kept == full.split()[: len(kept)] and (shown == full or shown.endswith(" …"))


def test_an_elided_label_drops_words_and_grows_back(app, qtbot):
    from gui.panels.elided_label import ElidedLabel

    label = ElidedLabel("Adam lr 0.05 β 0.9 0.999")
    qtbot.addWidget(label)
    label.show()
    full = label.text()
    seen = set()
    for width in range(20, 400, 9):
        label.resize(width, 30)
        shown = label.shown_text()
        seen.add(shown)
        assert _is_word_prefix(shown, full), shown
        fits = label.fontMetrics().horizontalAdvance(shown) <= width
        assert fits or shown == "Adam …"  # the first word is kept whatever the room
        assert label.toolTip() == ("" if shown == full else full)
    assert full in seen and len(seen) >= 4  # every cut, then the whole text again
    assert label.sizeHint().width() >= label.fontMetrics().horizontalAdvance(full)


@pytest.mark.parametrize("width", [260, 330, 420, 900])
def test_run_table_cells_are_cut_at_words_with_the_full_text_in_the_tooltip(app, qtbot, width):
    from gui.panels.run_table_panel import C_HYPER, C_RUN, RunTablePanel

    panel = RunTablePanel()
    qtbot.addWidget(panel)
    rows = [
        ("SGD + momentum", "lr 0.05, momentum 0.9, nesterov off", "SGD+m lr 0.05"),
        ("Adam", "lr 0.001, β 0.9 0.999, eps 1e-08", "Adam lr 0.001"),
    ]
    panel.set_runs([theme.run_style(i) for i in range(2)], rows)
    panel.resize(width, 300)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(20)
    for r, (name, hyper, _title) in enumerate(rows):
        for c, full in ((C_RUN, name), (C_HYPER, hyper)):
            item = panel.table.item(r, c)
            assert panel.full_text(r, c) == full
            assert _is_word_prefix(item.text(), full), (item.text(), full)
            if item.text() != full:
                assert full in item.toolTip()
        assert theme.run_style(r).description in panel.table.item(r, C_RUN).toolTip()


def test_a_network_column_header_never_shows_a_shortened_number(app, qtbot):
    from gui.panels.net_column_panel import StatusLine

    line = StatusLine()
    qtbot.addWidget(line)
    line.set_text("diverged at step 1,234 lr 0.05", theme.INK)
    line.resize(120, 24)
    line.show()
    qtbot.waitExposed(line)
    from engine.display import elide_words

    shown = elide_words(line.text(), line.fontMetrics().horizontalAdvance, line.width())
    assert _is_word_prefix(shown, line.text())
    assert "0.0" not in shown.split() and "1,23" not in shown

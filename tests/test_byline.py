"""A byline holds names: the handles and dates pages print beside them are not authors."""

from __future__ import annotations

import pytest

from reader.extract.metadata import names_only, split_authors


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Bryan DeArdo @BryanDeArdo Nov 18", ["Bryan DeArdo"]),
        ("By Ana Lima, @analima · November 18, 2024", ["Ana Lima"]),
        ("Jo Park and Sam Reed 2024-11-18", ["Jo Park", "Sam Reed"]),
        ("Maya Novak", ["Maya Novak"]),
        ("May Lee", ["May Lee"]),
    ],
)
def test_split_authors_keeps_names_only(byline: str, names: list[str]) -> None:
    assert split_authors(byline) == names


def test_names_only_drops_a_handle_and_a_date() -> None:
    assert names_only("Bryan DeArdo @BryanDeArdo Nov 18") == "Bryan DeArdo"

"""How deeply lexbor will nest a page's elements, estimated from its source in one pass.

Counting tags as +1/-1 is not enough: an end tag that matches no open element (`</x>`) closes
nothing, an end tag blocked by a special element is ignored, `<svg>` and `<math>` change the
rules, and formatting elements closed by a block come back (they are "reconstructed"). So this
follows the HTML tree builder's rules for the stack of open elements, erring on the deep side
wherever it simplifies: it pops an element only where the standard says the parser will, and it
counts every formatting element the parser may reconstruct. The result is an upper bound of the
tree's depth (checked against lexbor's own trees in tests/test_extract_budget.py), close to it on
real pages. Script-data escapes and quirks-mode tables are the known simplifications.
"""

from __future__ import annotations

import re

from reader.extract.tree_rules import (
    BREAKOUT,
    CELLS,
    CLOSES_P,
    FOREIGN,
    FORMATTING,
    HEADINGS,
    HTML,
    IMPLIED_END,
    INTEGRATION,
    INTEGRATION_POINT,
    LIST_ENDS,
    MARKERS,
    MATH,
    RAW_TEXT,
    RUBY,
    SCOPE,
    SPECIAL,
    SVG,
    TABLE_ONLY,
    TABLE_PARTS,
    VOID,
    name_set,
)

REOPENED_PER_CHAR = 0.5
"""Most elements opened per character of source: a tag takes 3 characters or more and opens at
most one element, or three in a table (`<td>` in `<table>`: 11 characters, 4 elements)."""
TREE_BASE = 3
"""Levels above the first element on the stack: <html>, <body>, and a leaf in the deepest one."""

# A token: a comment, a doctype or bogus comment, or a tag with its attributes, ending at ">" or
# at the end of the page (where the tokenizer drops an unfinished tag). Quoted attribute values
# may hold ">"; every part is possessive so that a hostile page cannot make the scan backtrack.
_TOKEN = re.compile(
    r"""<(?:
        !--(?:-?>|.*?(?:--!?>|\Z))
      | [!?][^>]*+(?:>|\Z)
      | (/?)([a-zA-Z][^\t\n\f\r />]*+)
        (?:[\t\n\f\r ]++|/(?!>)|[^\t\n\f\r />][^\t\n\f\r />=]*+
           (?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|[^\t\n\f\r >]*+))?)*+
        (/?)(>|\Z)
      | /[^>]*+(?:>|\Z)
    )""",
    re.VERBOSE | re.DOTALL,
)

_RAW_TEXT_END = {name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in RAW_TEXT}

_RULED_START_TAGS = (
    TABLE_ONLY
    | CLOSES_P
    | HEADINGS
    | RUBY
    | RAW_TEXT
    | frozenset(LIST_ENDS)
    | name_set("frameset select option optgroup button a nobr table svg math html body head")
)
"""Start tags with a rule of their own in `_start_tag` or `nesting_depth`."""
_PLAIN_BLOCKS = CLOSES_P - frozenset(LIST_ENDS) - HEADINGS - RAW_TEXT
"""Start tags whose only rule is to close an open <p>."""

# Categories of open elements, each kept as the stack positions of its members, so every scope
# question is one look at the last position rather than a walk down the stack.
_SPECIAL, _SCOPE, _LIST, _BUTTON, _TABLE, _HTML, _LI_STOP = range(7)
_CATEGORIES: dict[tuple[str, int], tuple[int, ...]] = {}


class _OpenElements:
    """The stack of open elements as the tree builder keeps it, reduced to what sets depth."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.spaces: list[int] = []
        self.html_at: dict[str, list[int]] = {}
        self.foreign_at: dict[str, list[int]] = {}
        self.category: list[list[int]] = [[-1] for _ in range(7)]
        # Formatting elements closed implicitly stay in the list of active formatting elements
        # and are reconstructed (opened again) by the next text or start tag: until then they
        # count as open. The list is cut into levels by the markers that cells, captions,
        # objects... put in it; each open element remembers the level its entry is in.
        self.levels: list[int] = []
        self.pending: list[list[str]] = [[]]
        self.pending_total = 0
        self.last_level: dict[str, int] = {}
        """How many of each name the last level holds: end tags ask, and it may be long."""
        self.peak = 0
        self.pushes = 0

    @property
    def top(self) -> str:
        return self.names[-1] if self.names else ""

    @property
    def top_space(self) -> int:
        return self.spaces[-1] if self.spaces else HTML

    def last(self, category: int) -> int:
        return self.category[category][-1]

    def find(self, name: str, space: int = HTML) -> int:
        """The position of the nearest open HTML (or foreign) `name`, or -1."""
        positions = (self.html_at if space == HTML else self.foreign_at).get(name)
        return positions[-1] if positions else -1

    def in_scope(self, name: str, bound: int, extra: int | None = None) -> int:
        """The position of HTML `name` when no boundary element (of the categories `bound` and
        `extra`) is above it, else -1."""
        positions = self.html_at.get(name)
        if not positions:
            return -1
        position = positions[-1]
        category = self.category
        if category[bound][-1] > position or (extra is not None and category[extra][-1] > position):
            return -1
        return position

    def push(self, name: str, space: int = HTML) -> None:
        self.pushes += 1
        position = len(self.names)
        self.names.append(name)
        self.spaces.append(space)
        self.levels.append(len(self.pending) - 1)
        (self.html_at if space == HTML else self.foreign_at).setdefault(name, []).append(position)
        for category in _categories(name, space):
            self.category[category].append(position)
        if space == HTML and name in MARKERS:
            self.pending.append([])
            self.last_level = {}
        depth = position + 1 + self.pending_total
        if depth > self.peak:
            self.peak = depth

    def pop_to(self, position: int, target: str | None = None, table: bool = False) -> None:
        """Pop every element from the top down to `position`, which is popped too.

        Formatting elements popped on the way (but `target`, the one an end tag closes) will be
        reconstructed, so they go to `pending`. `table` says the table rules pop, closing any
        cell or caption on the way as such.
        """
        while len(self.names) > position:
            name = self.names.pop()
            space = self.spaces.pop()
            level = self.levels.pop()
            (self.html_at if space == HTML else self.foreign_at)[name].pop()
            for category in _categories(name, space):
                self.category[category].pop()
            if space != HTML:
                continue
            closed = name == target and len(self.names) == position
            if name in MARKERS:
                # Closing a cell or caption, or an end tag for the marker element itself, clears
                # the list back to the last marker (which may be another's, left behind); being
                # popped on the way leaves the marker in the list.
                if (closed or (table and name in CELLS)) and len(self.pending) > 1:
                    self.pending_total -= len(self.pending.pop())
                    self.last_level = {}
                    for pending in self.pending[-1]:
                        self.last_level[pending] = self.last_level.get(pending, 0) + 1
            elif name in FORMATTING and not closed:
                level = min(level, len(self.pending) - 1)
                self.pending[level].append(name)
                self.pending_total += 1
                if level == len(self.pending) - 1:
                    self.last_level[name] = self.last_level.get(name, 0) + 1

    def reconstruct(self) -> None:
        """Open again the formatting elements closed implicitly since the last marker."""
        level = self.pending[-1]
        if level:
            self.pending[-1] = []
            self.last_level = {}
            self.pending_total -= len(level)
            for name in level:
                self.push(name)

    def is_pending(self, name: str) -> bool:
        """Whether a `name` closed implicitly since the last marker awaits reconstruction."""
        return self.last_level.get(name, 0) > 0

    def forget(self, name: str) -> bool:
        """Drop the latest pending `name` (its end tag came before it was reconstructed)."""
        if not self.is_pending(name):
            return False
        level = self.pending[-1]
        index = len(level) - 1 - level[::-1].index(name)
        del level[index]
        self.pending_total -= 1
        self.last_level[name] -= 1
        return True

    def pop(self) -> None:
        self.pop_to(len(self.names) - 1)


def _categories(name: str, space: int) -> tuple[int, ...]:
    """The categories an open element belongs to (memoized: a few names recur)."""
    known = _CATEGORIES.get((name, space))
    if known is not None:
        return known
    categories = []
    if space == INTEGRATION_POINT:
        categories += [_SPECIAL, _LI_STOP, _SCOPE]
    elif space == HTML:
        if name in SPECIAL:
            categories.append(_SPECIAL)
            if name not in ("address", "div", "p"):
                categories.append(_LI_STOP)
        if name in SCOPE:
            categories.append(_SCOPE)
        if name in ("ol", "ul"):
            categories.append(_LIST)
        if name == "button":
            categories.append(_BUTTON)
        if name in ("html", "table", "template"):
            categories.append(_TABLE)
        categories.append(_HTML)
    _CATEGORIES[(name, space)] = found = tuple(categories)
    return found


def _start_tag(stack: _OpenElements, name: str) -> None:
    """Apply an HTML start tag (not raw text) to the stack."""
    if name in TABLE_ONLY and stack.in_scope("table", _TABLE) < 0:
        return  # a table part outside any table is ignored
    if name == "frameset" and stack.top not in ("", "frameset"):
        # Honoured only before any content (it then replaces the body), else ignored.
        return
    if name == "select" and (select := stack.in_scope("select", _SCOPE)) >= 0:
        stack.pop_to(select)  # a <select> in a <select> closes it
        return
    if name in CLOSES_P:
        position = stack.in_scope("p", _SCOPE, _BUTTON)
        if position >= 0:
            stack.pop_to(position)
    top = stack.top
    if name in LIST_ENDS:
        position = max(stack.find(sibling) for sibling in LIST_ENDS[name])
        if position >= 0 and stack.last(_LI_STOP) <= position:
            stack.pop_to(position)
    elif (name in HEADINGS and top in HEADINGS) or (
        name in ("option", "optgroup") and top == "option"
    ):
        stack.pop()
    elif name in RUBY and stack.in_scope("ruby", _SCOPE) >= 0:
        keep = "rtc" if name in ("rt", "rp") else ""
        while stack.top in IMPLIED_END and stack.top != keep and stack.top_space == HTML:
            stack.pop()
    elif name == "button":
        position = stack.in_scope("button", _SCOPE)
        if position >= 0:
            stack.pop_to(position)
    elif name in ("a", "nobr"):
        # A second <a> closes the first, as an end tag would (the adoption agency).
        _formatting_end(stack, name)
    elif name in TABLE_ONLY:
        _table_start(stack, name)
        if name == "colgroup":
            return
    elif name == "table":
        # A <table> straight inside a table (not in a cell or caption) closes it first.
        table = stack.in_scope("table", _TABLE)
        if table >= 0 and max(stack.find(part) for part in ("td", "th", "caption")) < table:
            stack.pop_to(table)
    if stack.pending_total:
        # Most start tags reconstruct first; doing it before every one errs on the deep side.
        stack.reconstruct()
    if name not in VOID:
        stack.push(name)


def _table_start(stack: _OpenElements, name: str) -> None:
    """Close what a table part ends (cells, rows, sections, what was foster-parented) and add
    the parents it implies (<tbody>, <tr>), as the table insertion modes do."""
    table = stack.in_scope("table", _TABLE)
    if name in ("td", "th", "tr"):
        row = stack.find("tr") if name != "tr" else -1
        section = max(stack.find(part) for part in TABLE_PARTS)
        if row > table:
            stack.pop_to(row + 1, table=True)
            return
        if section > table:
            stack.pop_to(section + 1, table=True)
        else:
            stack.pop_to(table + 1, table=True)
            stack.push("tbody")
        if name != "tr":
            stack.push("tr")
        return
    stack.pop_to(table + 1, table=True)
    if name in ("col", "colgroup"):
        # A column group closes at the next tag that is not a <col>: a level for now only.
        stack.push("colgroup")
        stack.pop()


def _formatting_end(stack: _OpenElements, name: str) -> None:
    """An end tag for a formatting element (the adoption agency, reduced to its effect on depth).

    With no special element above it, the element and everything above it are popped. With one,
    the parser moves subtrees around without making the stack deeper: leaving it unchanged errs
    on the deep side.
    """
    position = stack.in_scope(name, _SCOPE)
    if stack.is_pending(name):
        # Which of a pending and an open element of this name the end tag closes depends on
        # their order in the list: with both, neither is taken as closed.
        if position < 0:
            stack.forget(name)
    elif position >= 0 and stack.last(_SPECIAL) < position:
        stack.pop_to(position, target=name)


def _end_tag(stack: _OpenElements, name: str) -> None:
    """Apply an HTML end tag to the stack."""
    if name in ("body", "html", "head", "br"):
        return
    if name in ("form", "frameset"):
        # Their start tags may have been ignored, and </form> takes the form out of the middle
        # of the stack: only an element on top (once implied end tags are done) is sure to go.
        if name == "form" and stack.in_scope("form", _SCOPE) >= 0:
            while stack.top in IMPLIED_END and stack.top_space == HTML:
                stack.pop()
        if stack.top == name and stack.top_space == HTML:
            stack.pop()
        return
    if name in FORMATTING:
        _formatting_end(stack, name)
        return
    if name == "template":
        position = stack.find("template")  # closes through any scope
    elif name in HEADINGS:
        position = max(stack.in_scope(heading, _SCOPE) for heading in HEADINGS)
    elif name == "p":
        # "</p>" with no <p> open makes an empty <p>: a leaf, which TREE_BASE counts.
        position = stack.in_scope("p", _SCOPE, _BUTTON)
    elif name == "li":
        position = stack.in_scope("li", _SCOPE, _LIST)
    elif name in ("td", "th", "tr", "tbody", "thead", "tfoot", "table", "caption"):
        position = stack.in_scope(name, _TABLE)
        if position >= 0:
            stack.pop_to(position, target=name, table=True)
        return
    elif name in SPECIAL:
        position = stack.in_scope(name, _SCOPE)
    else:
        # Any other end tag closes the nearest HTML element of its name, unless a special
        # element (an integration point among them) is in the way: then it is ignored.
        position = stack.find(name)
        if stack.last(_SPECIAL) > position:
            return
    if position >= 0:
        stack.pop_to(position, target=name)


def _foreign_token(stack: _OpenElements, name: str, closing: bool, self_closing: bool) -> bool:
    """Apply a tag met inside <svg> or <math>; False when it is to be handled as HTML."""
    space = stack.top_space
    if closing and name not in ("br", "p"):
        position = stack.find(name, SVG)
        if position >= 0 and stack.last(_HTML) < position:
            stack.pop_to(position)
            return True
        return False
    if space == INTEGRATION_POINT:
        return False  # start tags in <foreignObject>, <desc>, <mi>... are HTML
    if closing or name in BREAKOUT:
        while stack.top_space in FOREIGN:
            stack.pop()
        return False
    if not self_closing:
        stack.push(name, INTEGRATION_POINT if name in INTEGRATION[space] else space)
    return True


def nesting_depth(html: str, limit: int) -> int:
    """An upper bound of the depth of lexbor's tree for `html`; stops once it exceeds `limit`.

    It also returns more than `limit` for a page that makes the parser open more elements than
    REOPENED_PER_CHAR allows, however shallow: formatting elements reopened in every paragraph
    cost the parser (and this scan) time that grows with their square.
    """
    stack = _OpenElements()
    names, spaces = stack.names, stack.spaces
    position = 0
    search = _TOKEN.search
    most_pushes = len(html) * REOPENED_PER_CHAR + limit
    unclosed: set[str] = set()
    while stack.peak + TREE_BASE <= limit:
        if stack.pushes > most_pushes:
            return limit + 1
        token = search(html, position)
        if token is None:
            break
        if token.start() > position and stack.pending_total and stack.top_space not in FOREIGN:
            stack.reconstruct()  # text reopens closed formatting elements
        position = token.end()
        slash, raw_name, self_slash, end = token.groups()
        if raw_name is None or end != ">":
            continue  # a comment, a doctype, or a tag cut off by the end of the page
        name = raw_name.lower()
        in_html = not spaces or spaces[-1] == HTML
        # Fast paths for most of a real page's tags: an end tag closing the element on top, and
        # a start tag no rule has anything to say about.
        if slash:
            if (
                in_html
                and names
                and names[-1] == name
                and not stack.pending_total
                and name not in MARKERS
            ):
                stack.pop_to(len(names) - 1, target=name)
                continue
        elif (
            in_html
            and not stack.pending_total
            and (
                name not in _RULED_START_TAGS
                or (name in _PLAIN_BLOCKS and not stack.html_at.get("p"))
                or (name == "a" and not stack.html_at.get("a"))
            )
        ):
            if name not in VOID:
                stack.push(name)
            continue
        if not in_html and _foreign_token(stack, name, bool(slash), self_slash == "/"):
            continue
        if slash:
            _end_tag(stack, name)
        elif name in ("svg", "math"):
            if self_slash != "/":
                stack.push(name, SVG if name == "svg" else MATH)
        elif name in RAW_TEXT:
            # Where the element is never closed, the rest of the page is its text; reading on
            # as markup costs time but cannot make the bound too low. Once a search for its end
            # tag failed, later ones would too: they are not made again.
            close = None if name in unclosed else _RAW_TEXT_END[name].search(html, position)
            if close is not None:
                position = close.start()
            else:
                unclosed.add(name)
        elif name not in ("html", "body", "head"):
            _start_tag(stack, name)
    return stack.peak + TREE_BASE

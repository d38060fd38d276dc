"""The HTML tree builder's element categories, as far as nesting depth depends on them.

Names as in the HTML standard's tree construction rules (lower case, the way lexbor keys them).
"""

from __future__ import annotations


def name_set(text: str) -> frozenset[str]:
    """The names in `text`, separated by spaces."""
    return frozenset(text.split())


VOID = name_set(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr"
)
RAW_TEXT = name_set("script style xmp iframe noembed noframes textarea title")
"""Elements whose content is text, not markup, in HTML (lexbor parses with scripting off, so
<noscript> is not among them)."""
FORMATTING = name_set("a b big code em font i nobr s small strike strong tt u")
HEADINGS = name_set("h1 h2 h3 h4 h5 h6")
SPECIAL = name_set(
    "address applet area article aside base basefont bgsound blockquote body br button caption "
    "center col colgroup dd details dialog dir div dl dt embed fieldset figcaption figure footer "
    "form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li "
    "link listing main marquee menu meta nav noembed noframes noscript object ol p param "
    "plaintext pre script search section select source style summary table tbody td template "
    "textarea tfoot th thead title tr track ul wbr xmp"
)
SCOPE = name_set("applet caption html table td th marquee object template select")
"""Elements that bound "has an element in scope" (with the integration points below); lexbor's
customizable <select> behaves as one too."""
MARKERS = name_set("applet object marquee template td th caption")
"""Elements that put a marker in the list of active formatting elements."""
CLOSES_P = name_set(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 h6 "
    "pre listing form plaintext xmp li dd dt hr"
)
"""Start tags that close an open <p> first (<table> only in no-quirks mode, so not here)."""
BREAKOUT = name_set(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img "
    "li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul "
    "var"
)
"""Start tags that leave <svg>/<math> content (<font> too with some attributes: left out, so it
stays nested, the deep side)."""
HTML, SVG, MATH, INTEGRATION_POINT = range(4)
"""Namespaces of open elements, as far as the tree builder's dispatch cares."""
FOREIGN = (SVG, MATH)
INTEGRATION = {
    SVG: name_set("foreignobject desc title"),
    MATH: name_set("mi mo mn ms mtext annotation-xml"),
}
"""Foreign elements whose content is parsed as HTML again."""
LIST_ENDS = {"li": frozenset({"li"}), "dd": frozenset({"dd", "dt"}), "dt": frozenset({"dd", "dt"})}
TABLE_ONLY = name_set("caption col colgroup tbody td tfoot th thead tr")
"""Start tags that only mean something in a table (elsewhere they are ignored)."""
RUBY = name_set("rb rp rt rtc")
CELLS = name_set("td th caption")
IMPLIED_END = name_set("dd dt li optgroup option p rb rp rt rtc")
"""Elements that any end tag of an enclosing element closes ("generate implied end tags")."""
TABLE_PARTS = name_set("tbody thead tfoot")

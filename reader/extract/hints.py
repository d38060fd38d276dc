"""What class names, ids and roles usually mean: generic data, never rules for particular sites.

The words come from the conventions of the common CMSs and page builders (WordPress, Drupal, Arc,
Brightspot, Bootstrap, schema.org microdata) and from the furniture every news page carries.

Every class or id string is scanned once, by one regex over the whole vocabulary, and the result
(which word lists it hits) is cached per string. Unique ids make most lookups misses on a new
page; one case-sensitive, prefix-factored scan instead of one IGNORECASE scan per list made the
lookups ~10× cheaper on the benchmark pages' class strings. On a site never seen, these scans
are still a tenth of the cleaning time (~50 ns a character, the regex engine's cost per
position), so callers cache their verdicts per (class, id) pair on top.
"""

from __future__ import annotations

import re

UNLIKELY = "unlikely"
"""Furniture: such a subtree is dropped before scoring, unless MAYBE words rescue it
(Readability's unlikelyCandidates)."""
MAYBE = "maybe"
"""Words that rescue an UNLIKELY match: `article-header-wrapper` may hold the article."""
POSITIVE = "positive"
"""Words of the main text; each adds CLASS_WEIGHT to a candidate's score."""
NEGATIVE = "negative"
"""Words of furniture; each subtracts CLASS_WEIGHT."""
JUNK = "junk"
"""Furniture inside the chosen content: share bars, bylines and dates repeated from the header,
in-story promos and rails. Skipped when short (see blocks.JUNK_MAX_CHARS), so a class like
`article-share-and-body` cannot drop a story."""
DISCUSSION = "discussion"
"""Reader comments: never the article, pruned whatever share of the page they hold (the
Spanish/Portuguese, German and Dutch names too: `comentarios`, `kommentare`, `reacties`)."""
GALLERY = "gallery"
"""A slideshow inside an article: its slides repeat images with long captions ("1 of 12 ...")
that belong to the gallery, not the story; skipped at any length."""

# The same furniture named in German, French, Spanish, Portuguese and Italian (advertising,
# related stories, sharing): the word lists below are the English conventions of the common CMSs.
_WORLD_FURNITURE = (
    " werbung publicidad publicite pubblicita relacionad correlat verwandt"
    " compartir partager condividi"
)

_WORDS = {
    UNLIKELY: "advert agegate ai2html banner breadcrumb combx comment community cookie consent"
    " cover-wrap disqus donat dropdown extra footer gdpr header legends masthead menu modal navbar"
    " newsletter outbrain overlay pager pagination popup promo related remark replies rss share"
    " sharing shoutbox sidebar skip-link skyscraper sponsor subscribe supplemental taboola"
    " toolbar trending yom-remote most-popular most-read mostread recommend read-more readmore"
    " signup sign-up teaser adslot ad-slot" + _WORLD_FURNITURE,
    MAYBE: "and article body column content main mathjax shadow story post-text posttext",
    POSITIVE: "article body content entry hentry h-entry main page post text blog story prose"
    " paragraph",
    NEGATIVE: "banner byline caption combx comment com- contact credit footer gdpr masthead media"
    " meta newsletter outbrain promo related scroll share shoutbox sidebar skyscraper social"
    " sponsor shopping subscribe tags taboola teaser timestamp toolbar widget dateline recirc"
    " signup breadcrumb ad-container adunit advert hidden" + _WORLD_FURNITURE,
    JUNK: "ad-slot adslot advert byline author dateline share sharing related recommend"
    " newsletter subscribe signup promo sponsor comment read-more readmore more-stories tags"
    " toolbar print breadcrumb outbrain taboola timestamp post-meta entry-meta article-meta"
    " meta- -meta inline-link recirc trending most-popular donat login cookie consent"
    " visually-hidden sr-only screen-reader" + _WORLD_FURNITURE,
    GALLERY: "gallery slideshow carousel slider lightbox",
    DISCUSSION: "comment disqus comentario kommentar reacties",
}

_TOKEN_CATEGORIES = {
    "ad": frozenset({UNLIKELY, NEGATIVE, JUNK}),
    "ads": frozenset({UNLIKELY, NEGATIVE, JUNK}),
    "hid": frozenset({NEGATIVE}),
    "foot": frozenset({UNLIKELY, NEGATIVE}),
}
"""Words that count only standing alone (`ad`, not the `ad` in `header` or `shadow`; `foot`, a
footer's short name in `site-foot` or `blq-foot-text`, not the `foot` in `footnote`). `foot`
lifted the dragnet TUNE half 0.9310 → 0.9312 and the CHECK half 0.9316 → 0.9319, scrapinghub
unchanged; `head` the same way cost both halves (a story's own header blocks), so it is not
here."""

CACHE_LIMIT = 20_000
"""Class strings repeat across a page and across pages; verdicts are cached up to this many
strings (a few MB at most), so a hostile page cannot grow the cache without bound."""


def _prefix_tree(words: list[str]) -> str:
    """A regex matching any of `words`, factored by common prefixes; at a given position it
    matches the longest word there."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if "" in node else group

    return build(root)


def _categories_by_word() -> dict[str, frozenset[str]]:
    """Each word → the lists it or any word that is a prefix of it belongs to (the scan reports
    only the longest word at a position: `pager` also stands for `page`)."""
    own: dict[str, set[str]] = {}
    for category, words in _WORDS.items():
        for word in words.split():
            own.setdefault(word, set()).add(category)
    return {
        word: frozenset().union(*(own[other] for other in own if word.startswith(other)))
        for word in own
    }


_CATEGORIES = _categories_by_word()
# A lookahead finds words at every position, overlapping ones included.
_VOCABULARY = re.compile("(?=(" + _prefix_tree(list(_CATEGORIES)) + "))")
_TOKENS = re.compile(r"[a-z0-9]+")
_cache: dict[str, frozenset[str]] = {}
_EMPTY: frozenset[str] = frozenset()


def categories(value: str | None) -> frozenset[str]:
    """Which word lists a class or id string hits (UNLIKELY, MAYBE, POSITIVE, ...), cached.

    A class attribute is cached whole, and looked up per class name too: whole strings
    ("col-8 post entry") are often unique to a page, but the names in them recur across sites.
    The names not seen before are scanned together, in one regex pass (no vocabulary word
    holds a space, so a match never spans two names): on a new site most names are new, and a
    pass per name cost more in Python calls than in scanning.
    """
    if not value:
        return _EMPTY
    found = _cache.get(value)
    if found is None:
        names = value.split()
        if len(names) == 1:
            found = _scan(names[0])
        else:
            known = []
            missing = []
            for name in names:
                hit = _cache.get(name)
                if hit is None:
                    missing.append(name)
                else:
                    known.append(hit)
            found = _EMPTY.union(*known)
            if missing:
                new = _scan(" ".join(missing))
                if len(missing) == 1 and len(_cache) < CACHE_LIMIT:
                    _cache[missing[0]] = new
                found = found | new if found else new
        if len(_cache) < CACHE_LIMIT:
            _cache[value] = found
    return found


def attribute_categories(class_name: str | None, element_id: str | None) -> frozenset[str]:
    """`categories` of an element's class and id together."""
    of_class = categories(class_name)
    of_id = categories(element_id)
    if not of_id:
        return of_class
    return of_class | of_id if of_class else of_id


def _scan(text: str) -> frozenset[str]:
    """The word lists that a class name or id, or several separated by spaces, hits: one regex
    pass over the whole vocabulary."""
    folded = text.lower()
    words = _VOCABULARY.findall(folded)
    found = _EMPTY.union(*map(_CATEGORIES.__getitem__, words)) if words else _EMPTY
    if "ad" in folded or "hid" in folded or "foot" in folded:
        tokens = [_TOKEN_CATEGORIES[t] for t in _TOKENS.findall(folded) if t in _TOKEN_CATEGORIES]
        if tokens:
            found = found.union(*tokens)
    return found


UNLIKELY_ROLES = frozenset(
    {
        "menu",
        "menubar",
        "complementary",
        "navigation",
        "alert",
        "alertdialog",
        "dialog",
        "banner",
        "contentinfo",
        "search",
        "toolbar",
    }
)
"""ARIA roles of furniture: dropped before scoring."""

_WORLD_LINES = (
    # German, French, Spanish, Portuguese, Italian, Dutch, Russian, Chinese and Japanese forms
    # of the English lines below: advertisement, share, read more / see also, related, comments.
    "anzeige|werbung|publicit[ée]|publicidad|publicidade|pubblicit[àa]|advertentie|реклама"
    "|广告|広告|teilen|artikel teilen|partager|compartir|compartilhar|partilhar|condividi|delen"
    "|weiterlesen|mehr lesen|mehr zum thema|lesen sie auch|lire la suite|lire aussi"
    "|[àa] lire aussi|voir aussi|leer m[áa]s|lee tambi[ée]n|leia mais|leia tamb[ée]m"
    "|saiba mais|leggi anche|leggi tutto|lees meer|lees ook|читайте также|подробнее"
    "|[äa]hnliche artikel|verwandte artikel|articles li[ée]s|sur le m[êe]me sujet"
    "|noticias relacionadas|art[íi]culos relacionados|not[íi]cias relacionadas"
    "|artigos relacionados|articoli correlati|gerelateerde artikelen|kommentare"
    "|commentaires|comentarios|coment[áa]rios|commenti|reacties|комментарии"
)

BOILERPLATE_LINE = re.compile(
    rf"^({_WORLD_LINES}"
    r"|advertisement|advertising|advert|ad|sponsored|share( this)?( article| story)?"
    r"|share on \w+|like this (story|article)\?.{0,60}|.{0,40}(requires|enable) javascript.{0,40}"
    r"|(image|photo|media) (copyright|credit) .{0,60}"
    r"|tweet|email|print|comments?|read more|learn more|continue reading|click here"
    r"|related( stories"
    r"| articles| content| coverage)?|(sign up|subscribe)( for| to)? .{0,60}|more from .{0,60}"
    r"|follow us( on .{0,40})?|don'?t miss|up next|recommended( for you)?|trending( now)?"
    r"|see also|also read|read also|loading\W*|image|photo|video|story continues below"
    r"|article continues below|supported by|you may also like|you might also like"
    r"|watch:? .{0,60}|listen( to this article)?|skip to (main )?content)\W*$",
    re.IGNORECASE,
)
"""Whole short paragraphs that are page furniture left inside the article container, in the
languages of most news sites (the DEV corpora are mostly English: each phrase is the common
form on sites in that language, not a phrase seen on a benchmark page)."""

_WORLD_TAIL = (
    "abonnieren|abonnez-vous|inscreva-se|iscriviti|folgen sie uns|suivez-nous|siga-nos"
    "|seguici|volg ons|alle rechte vorbehalten|todos los derechos reservados"
    "|todos os direitos reservados|tutti i diritti riservati|alle rechten voorbehouden"
)
"""TAIL_FURNITURE's phrases in German, French, Spanish, Portuguese, Italian and Dutch that are
ASCII (subscribe, follow us, all rights reserved); the others sit in TAIL_FURNITURE alone."""

CLOSING_HEADING = re.compile(
    r"^(related( stories| articles| posts| content| coverage| links)?|(\d+ )?comments?"
    r"|(\d+ )?responses?|(\d+ )?replies|leave a (comment|reply)|you (may|might) also like"
    r"|more (stories|articles|posts|news)( from .{0,40})?|recommended( for you| stories)?"
    r"|see also|also read|read (more|next)|trending( now)?|most (read|popular)|up next"
    r"|don'?t miss|popular posts|recent posts|share this( article| story| post)?"
    r"|about the authors?|[üu]ber (den|die) autor(in)?|zum autor|[àa] propos de l'auteur"
    r"|sobre el autor|sobre (o|a) autor(a)?|sull'autore|over de auteur|об авторе"
    r"|verwandte artikel|[äa]hnliche artikel|mehr zum thema|kommentare|articles li[ée]s"
    r"|[àa] lire aussi|sur le m[êe]me sujet|commentaires|noticias relacionadas"
    r"|art[íi]culos relacionados|comentarios|not[íi]cias relacionadas|artigos relacionados"
    r"|coment[áa]rios|articoli correlati|commenti|gerelateerde artikelen|reacties"
    r"|читайте также|комментарии)\W*$",
    re.IGNORECASE,
)
"""Headings that close a story: what comes after them is other stories or the comments (in
the languages of BOILERPLATE_LINE)."""

TAIL_FURNITURE = re.compile(
    r"subscribe|sign up|signup|newsletter|follow (us|him|her|me|them)\b"
    r"|if you (enjoyed|liked) this|^disclaimer\b"
    r"|\bon (twitter|facebook|instagram|youtube|linkedin)\b"
    r"|contributed to this report|reporting by|editing by|writing by|©|copyright|all rights"
    r" reserved|click here|join our|citation:|have a tip|delivered (to|through) your"
    r"|the views expressed|this story (was|has been) (updated|corrected)|republish"
    r"|(email|e-mail|contact) (him|her|them|the author|us)\b|@\w+\.(com|org)"
    rf"|{_WORLD_TAIL}|tous droits r[ée]serv[ée]s|s[íi]guenos|suscr[íi]bete|все права защищены"
    # A post's filing line, in the languages above: "Posted in News", "Tags: ...".
    r"|^(posted in|filed under|tagged with|publicado (en|em)|pubblicato in|geplaatst in"
    r"|ver[öo]ffentlicht in|publi[ée] dans|class[ée] dans"
    r"|(categor(y|ies|ie|ias|[íi]as|ieën)|kategorien?|cat[ée]gories?|tag(s|ged)?|etiquetas"
    r"|schlagw[öo]rter)\s*:)",
    re.IGNORECASE,
)
"""Phrases of the furniture that trails a story: newsletter pitches, "follow us", reporting
credits, copyright lines. Only short paragraphs at the very end are tested (see extract)."""

_TAIL_FURNITURE_FOLDED = re.compile(
    r"subscribe|sign up|signup|newsletter|follow (us|him|her|me|them)\b|if you (enjoyed|liked) this"
    r"|d(?<=^d)isclaimer\b|o(?<=\bo)n (twitter|facebook|instagram|youtube|linkedin)\b"
    r"|contributed to this report|reporting by|editing by|writing by|copyright|all rights"
    r" reserved|click here|join our|citation:|have a tip|delivered (to|through) your"
    r"|the views expressed|this story (was|has been) (updated|corrected)|republish"
    r"|e-?mail (him|her|them|the author|us)\b|contact (him|her|them|the author|us)\b"
    r"|@\w+\.(com|org)"
    rf"|{_WORLD_TAIL}"
    r"|p(?<=^p)osted in|f(?<=^f)iled under|t(?<=^t)agged with|p(?<=^p)ublicado (en|em)"
    r"|p(?<=^p)ubblicato in|g(?<=^g)eplaatst in|v(?<=^v)eroffentlicht in|p(?<=^p)ublie dans"
    r"|c(?<=^c)lasse dans|c(?<=^c)ategor(y|ies|ie|ias)\s*:|k(?<=^k)ategorien?\s*:"
    r"|t(?<=^t)ag(s|ged)?\s*:|e(?<=^e)tiquetas\s*:|s(?<=^s)chlagworter\s*:"
)
"""TAIL_FURNITURE for lowercased ASCII text, written so that every alternative starts with a
literal (`\bon` as `o(?<=\bo)n`, `^disclaimer` as `d(?<=^d)isclaimer`; `©` cannot occur):
case-sensitive, the regex engine skips ahead to the letters that can start a phrase, ~5× faster
than the IGNORECASE scan at every position. Checked equal to TAIL_FURNITURE on every ASCII block
of the benchmark pages and on generated phrase mixes (tests/test_extract.py)."""


def has_tail_furniture(text: str) -> bool:
    """Whether TAIL_FURNITURE occurs in `text` (the fast, folded form for ASCII text, where
    lowercasing is exactly what IGNORECASE does)."""
    if text.isascii():
        return _TAIL_FURNITURE_FOLDED.search(text.lower()) is not None
    return TAIL_FURNITURE.search(text) is not None


CAPTION_CREDIT = re.compile(
    r"\s*[(\[]?\b(image|images|photo|photos|photograph|picture|pic|credit|source|foto)"
    r"( credit)?s?\s*:\s*[^()\[\]]{1,80}[)\]]?\s*$",
    re.IGNORECASE,
)
"""A photo credit at the end of a caption ("... (Image: GETTY)", "Credit: ESA"): the reader
shows the caption, not the agency."""

_CAPTION_CREDIT_FOLDED = re.compile(CAPTION_CREDIT.pattern)
"""CAPTION_CREDIT without IGNORECASE, for lowercased ASCII text: ~3× faster."""


def without_caption_credit(caption: str) -> str:
    """`caption` without a trailing photo credit (CAPTION_CREDIT.sub("", caption)).

    The pattern ends the text, so it matches at most once; ASCII text is matched lowercased
    (exactly what IGNORECASE does there) and cut at the match, keeping its own case.
    """
    if not caption.isascii():
        return CAPTION_CREDIT.sub("", caption)
    match = _CAPTION_CREDIT_FOLDED.search(caption.lower())
    if match is None:
        return caption
    return caption[: match.start()] + caption[match.end() :]

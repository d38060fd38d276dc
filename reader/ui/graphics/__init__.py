"""Drawing pictures in the terminal: which way this terminal allows, and our own encoders.

Every byte these modules hand the terminal is built here from pixels we decoded ourselves
(Kitty graphics APC, Sixel DCS, or coloured half-block cells): no text of the article, no
address and no byte of the source file ever goes into an escape sequence. textual-image 0.12
was checked and not used: importing any of its renderables queries the terminal (it writes
`ESC[c` and a Kitty query to the real stdout and reads stdin raw for up to 0.1 s each, which
fights Textual's input thread once the app runs and delays start-up in tmux), its Kitty
renderable writes to `sys.__stdout__` behind Textual's back from inside rendering, and its
Sixel widget needs one widget per picture, which the line-drawn reading view does not have.
"""

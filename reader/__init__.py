"""newsreader: a terminal news reader that shows the article itself, cleaned, online or off."""

__version__ = "0.1.0"

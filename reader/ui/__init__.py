"""The terminal interface: screens and widgets that talk to the library only through workers."""

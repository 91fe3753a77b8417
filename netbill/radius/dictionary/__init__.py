"""netbill's pyrad dictionary (see the ``dictionary`` file beside this module)."""

from pathlib import Path

DICTIONARY_PATH = Path(__file__).with_name("dictionary")


def load():
    """A pyrad ``Dictionary`` of the attributes netbill uses."""
    from pyrad.dictionary import Dictionary

    return Dictionary(str(DICTIONARY_PATH))

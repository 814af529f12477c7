"""Spelling keys for place names in any script, so that variants of one name compare equal.

Reports spell a town many ways: "Al-Kabir", "el-Kabeer", "الكبير"; "Березовка", "Berezovka",
"Berezivka". A name is reduced to keys of growing looseness:

* :func:`exact_key`: case, diacritics, apostrophes and ayn marks, hyphens, a leading article
  ("al-", "el-", "ال") and letter forms that are one letter written differently (Arabic alef
  with hamza or madda, taa marbuta, alef maqsura, Persian kaf and yeh; Cyrillic ё, й, ї);
* :func:`fold`: also drops every article, doubled letters and a final -h, and merges the usual
  Latin transliteration swaps (q/k/g, ee/i, ou/oo/u, ay/ei/ai, ph/f, a final -iyeh/-iya, a
  first word Tel/Tell/Tall/Tal) and Cyrillic letters that Russian and Ukrainian spell
  differently (і/и/ы, є/э/е, ґ/г, soft and hard signs);
* :func:`translit`: a Cyrillic name written in Latin letters, then folded, so "Мандалай"
  finds "Mandalay" when the gazetteer has no Cyrillic spelling;
* :func:`skeleton`: consonants only, with Arabic letters mapped to the Latin ones that
  transliterate them, so "موبتي" and "Mopti" share "mbt". Loose: used only from an Arabic
  query to Latin spellings (:func:`arabic_skeleton`), and only when nothing closer matched.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"[’‘`'ʿʾʼ´ʻ\"]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,/()\[\]]+")
# Latin renderings of the Arabic article, including the Sudanese "Ed Daein", "En Nahud".
_LATIN_ARTICLE = re.compile(r"^(?:al|el|ar|as|ad|an|at|az|ash|ath|adh|ul|il|ed|en|er|es|et|ez)\s+")
_ARABIC_ARTICLE = re.compile(r"^ال(?=\S{2,})")
_ARTICLE_WORDS = frozenset(
    {"al", "el", "ar", "as", "ad", "an", "at", "az", "ash", "ath", "adh", "ul", "il"}
    | {"ed", "en", "er", "es", "et", "ez"}
)

# One letter written differently: these fold in every key.
_LETTER_FORMS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ـ": None,
        "گ": "ك",
        "ک": "ك",
        "ی": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ڤ": "ف",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
    }
)
# Cyrillic letters Russian and Ukrainian (and Belarusian) use for the same sound.
_CYRILLIC_FOLDS = str.maketrans(
    {"і": "и", "ы": "и", "є": "е", "э": "е", "ґ": "г", "ў": "у", "ь": None, "ъ": None}
)
# Ordered: digraph merges first, then single-letter swaps, then doubled letters and endings.
_LATIN_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"ee"), "i"),
    (re.compile(r"(?:ou|oo)"), "u"),
    (re.compile(r"(?:ay|ei|ey)(?![aeiou])"), "ai"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"[qg]"), "k"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"(?<=[aeiouy])h\b"), ""),
    # the Arabic ending -iyya written -iyeh as Levantine speech says it ("Salamiyeh")
    (re.compile(r"(?<=[^aeiou]i)ye\b"), "ya"),
)
_HILL_WORDS = frozenset({"tal", "tel"})  # after doubled letters fold: Tall, Tell
_LATIN = re.compile(r"[a-z]")

# Russian/Ukrainian Cyrillic to Latin, the way English-language reports write it.
_CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "y",
    "ё": "e",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ы": "y",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ь": "",
    "ъ": "",
    "ў": "u",
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# Consonant skeletons: Arabic letters to the Latin consonant that transliterates them.
_ARABIC_CONSONANTS = {
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "h",
    "خ": "h",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "s",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "غ": "k",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "پ": "b",
    "چ": "j",
    "ژ": "j",
}
_SKELETON_DIGRAPHS = (
    (re.compile(r"sh|ch|zh"), "s"),
    (re.compile(r"th"), "t"),
    (re.compile(r"dh|dz"), "d"),
    (re.compile(r"kh|gh"), "h"),
    (re.compile(r"[qgc]"), "k"),
    (re.compile(r"p"), "b"),
    (re.compile(r"v"), "f"),
    (re.compile(r"x"), "ks"),
)
_NOT_CONSONANT = re.compile(r"[^bdfhjklmnrstz]")
MIN_SKELETON = 3  # shorter skeletons ("rk", "ht") name far too many places


def _marks_off(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def exact_key(text: str) -> str:
    """The name with case, marks, punctuation, a leading article and letter forms folded.

    >>> exact_key("Al Qā’im") == exact_key("al-Qaim") == "qaim"
    True
    """
    folded = _marks_off(text).casefold().translate(_LETTER_FORMS)
    folded = _APOSTROPHES.sub("", folded)
    folded = _SEPARATORS.sub(" ", folded).strip()
    folded = _LATIN_ARTICLE.sub("", folded)
    return _ARABIC_ARTICLE.sub("", folded)


def article_key(text: str) -> str:
    """The exact key of a name that starts with an article ("Al Hudaydah", "الحديدة"), else "".

    A query and a spelling that both carry the article match more closely than when one of
    them lacks it: "الحديدة" is Hodeidah's own spelling, "حديدة" a village's.
    """
    folded = _marks_off(text).casefold().translate(_LETTER_FORMS)
    folded = _SEPARATORS.sub(" ", _APOSTROPHES.sub("", folded)).strip()
    if _LATIN_ARTICLE.match(folded) or _ARABIC_ARTICLE.match(folded):
        return exact_key(text)
    return ""


def _fold_word(word: str) -> str:
    if word.startswith("ال") and len(word) > 3:
        return word[2:]
    if _CYRILLIC.search(word):
        return word.translate(_CYRILLIC_FOLDS)
    if not _LATIN.search(word):
        return word
    for pattern, replacement in _LATIN_FOLDS:
        word = pattern.sub(replacement, word)
    return word


def fold(text: str) -> str:
    """The variant key of a name: spelling variants of one place share it.

    >>> fold("Al-Qasr") == fold("Qasr") == fold("el-kasr")
    True
    >>> fold("Tel Abyad") == fold("Tall Abyad") and fold("Salamiyeh") == fold("Salamiyah")
    True
    """
    words = exact_key(text).split()
    kept = [w for w in words if w not in _ARTICLE_WORDS] or words
    folded = [_fold_word(w) for w in kept]
    if len(folded) > 1 and folded[0] in _HILL_WORDS:
        folded[0] = "tal"  # "Tel", "Tell", "Tall", "Tal": one Arabic word for a hill
    return "".join(folded)


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def translit(text: str) -> str:
    """A Cyrillic name in Latin letters, folded; "" when the name has no Cyrillic letter.

    >>> translit("Мандалай") == fold("Mandalay")
    True
    """
    if not has_cyrillic(text):
        return ""
    lowered = unicodedata.normalize("NFC", text.casefold())
    return fold("".join(_CYRILLIC_TO_LATIN.get(c, c) for c in lowered))


def translits(text: str) -> tuple[str, ...]:
    """Every reading of a Cyrillic name in Latin letters, folded (see :func:`translit`).

    Two letters are read two ways: х as the "kh" of Khartoum or the "h" of Homs (Хартум, Хомс),
    and г as Ukrainian "h" (Луганськ, Luhansk) or Russian "g" (Генейна, Geneina).
    """
    if not has_cyrillic(text):
        return ()
    lowered = unicodedata.normalize("NFC", text.casefold())
    readings: list[str] = []
    for kh in ("kh", "h") if "х" in lowered else ("kh",):
        for g in ("h", "g") if "г" in lowered else ("h",):
            table = {**_CYRILLIC_TO_LATIN, "х": kh, "г": g}
            key = fold("".join(table.get(c, c) for c in lowered))
            if key and key not in readings:
                readings.append(key)
    return tuple(readings)


_ARABIC = re.compile(r"[\u0600-\u06ff]")


def is_latin(text: str) -> bool:
    """Whether a name is written in Latin letters (with or without accents)."""
    return any(c.isalpha() for c in text) and _marks_off(text).isascii()


def arabic_skeleton(text: str) -> str:
    """The skeleton of a name written in Arabic script; "" for any other script.

    Skeletons bridge scripts (an Arabic query, a town known only by Latin spellings); between
    two Latin spellings they are far too loose to be worth anything.
    """
    return skeleton(text) if _ARABIC.search(text) else ""


def skeleton(text: str) -> str:
    """Consonants only, Arabic and Cyrillic written as Latin ones; "" when under three.

    >>> skeleton("موبتي") == skeleton("Mopti") == "mbt"
    True
    """
    key = exact_key(text)
    words = [w for w in key.split() if w not in _ARTICLE_WORDS] or key.split()
    out: list[str] = []
    for word in words:
        if word.startswith("ال") and len(word) > 3:
            word = word[2:]
        if has_cyrillic(word):
            word = translit(word) or word
        word = "".join(_ARABIC_CONSONANTS.get(c, c) for c in word)
        for pattern, replacement in _SKELETON_DIGRAPHS:
            word = pattern.sub(replacement, word)
        word = re.sub(r"(?<=.)h$", "", word)  # a final -h / taa marbuta is a vowel ending
        out.append(_NOT_CONSONANT.sub("", word))
    joined = re.sub(r"(.)\1+", r"\1", "".join(out))
    return joined if len(joined) >= MIN_SKELETON else ""

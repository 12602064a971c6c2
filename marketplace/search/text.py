"""Words for the index and for queries, the same for every backend: Latin words whole, Chinese as characters and pairs.

Chinese is written without spaces, so a shop's "东北大米" must match a resident's "大米". Like
Elasticsearch's `cjk_bigram` filter with unigrams kept, each run of Chinese characters is indexed
as its single characters and its overlapping pairs; a query of two or more characters asks for all
of its pairs, a one-character query for that character. Latin words and numbers are kept whole and
lower-cased; in queries they match as prefixes, so "appl" finds "apples".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# A CJK ideograph (the unified block and its first extension), or a run of Latin letters and digits.
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MAX_QUERY_TERMS = 12


def _normalise(text: str) -> str:
    # NFKC folds full-width Latin letters and digits (ＡＢＣ１２３) to their ASCII forms.
    return unicodedata.normalize("NFKC", text or "").lower()


def _cjk_pieces(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_tokens(*texts: str) -> list[str]:
    """Every token a document is found by, in order, duplicates kept (they weigh in ranking)."""
    tokens: list[str] = []
    for text in texts:
        tokens.extend(_text_tokens(text or ""))
    return tokens


# A town's products repeat the same catalogue names and category words thousands of times: a reindex
# tokenises each distinct text once.
@lru_cache(maxsize=65_536)
def _text_tokens(text: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for match in _TOKEN.finditer(_normalise(text)):
        word = match.group()
        if _CJK.match(word):
            tokens.extend(word)
            if len(word) > 1:
                tokens.extend(word[i:i + 2] for i in range(len(word) - 1))
        else:
            tokens.append(word)
    return tuple(tokens)


@dataclass(frozen=True)
class QueryTerms:
    """A query split into tokens that must all be present: exact ones (Chinese) and prefixes (Latin)."""

    exact: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)


def query_terms(query: str) -> QueryTerms:
    exact: list[str] = []
    prefixes: list[str] = []
    for match in _TOKEN.finditer(_normalise(query)):
        word = match.group()
        if _CJK.match(word):
            for piece in _cjk_pieces(word):
                if piece not in exact:
                    exact.append(piece)
        elif word not in prefixes:
            prefixes.append(word)
    # A pasted paragraph must not become a thousand-term query.
    return QueryTerms(tuple(exact[:MAX_QUERY_TERMS]), tuple(prefixes[:MAX_QUERY_TERMS]))

"""Language choice (an explicit switch, then the account's language, then the browser's, then zh_CN)
and catalogue lookup that finds zh_CN catalogues.

Babel parses "zh_CN" as zh_Hans_CN, and gettext then looks only for zh_Hans_CN/ and zh/ folders,
so catalogues filed the usual way under zh_CN/ were never loaded. `CatalogueDomain` also tries the
language_TERRITORY name, and `current_language` maps the parsed locale back to the configured code.
"""
from __future__ import annotations

from functools import cached_property, lru_cache

from babel import Locale, support
from flask import current_app, has_request_context, request
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user


SOURCE_LANGUAGE = "en"  # the language messages are written in
LANGUAGE_COOKIE = "locale"  # the visitor's own choice, set by the language switch


def select_locale() -> Locale:
    """The visitor's choice, then the account's, then the browser's. Outside a request (a command or
    job formatting a lazy string) there is no visitor: messages stay as written, like `translate`.

    Returns a parsed `Locale` (Flask-Babel takes it as it is): parsing a code costs more than the
    rest of the choice, and the handful of codes are parsed once per process."""
    return _parsed(_chosen_code())


def _chosen_code() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return SOURCE_LANGUAGE
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages, default=current_app.config["BABEL_DEFAULT_LOCALE"])


def share_form_translations() -> None:
    """Before each request: hand Flask-WTF the form messages' catalogue for the visitor's language,
    loaded once per language (Flask-WTF on its own reads the catalogue file on every request)."""
    request.wtforms_translations = _form_catalogue(str(get_locale()))


@lru_cache(maxsize=8)
def _form_catalogue(code: str) -> support.Translations:
    from wtforms.i18n import messages_path

    return support.Translations.load(messages_path(), [code], domain="wtforms")


def catalogue_names(locale: Locale) -> list[str]:
    """Folder names a catalogue for `locale` may be filed under, most specific first."""
    names = [str(locale)]
    if locale.territory:
        names.append(f"{locale.language}_{locale.territory}")
    names.append(locale.language)
    return list(dict.fromkeys(names))


def translate(text: str, **values) -> str:
    """The message in the visitor's language inside a request; as written (English) in jobs and commands,
    where there is no visitor and the locale selector cannot run."""
    from flask import has_request_context

    if has_request_context():
        from flask_babel import gettext

        return gettext(text, **values)
    return text % values if values else text


def mark(text: str) -> str:
    """Mark a message for the catalogue without translating it yet."""
    return text


def current_language() -> str:
    """The configured code (e.g. "zh_CN", "en") of the language this request is shown in."""
    locale = get_locale()
    for code in current_app.config["LANGUAGES"]:
        if _parsed(code) == locale:
            return code
    return str(locale)


@lru_cache(maxsize=32)
def _parsed(code: str) -> Locale:
    """Parsing a locale code walks Babel's list of every locale: once per code is enough."""
    return Locale.parse(code)


class CatalogueDomain(Domain):
    """Flask-Babel's domain, merging every package's catalogue found under any of `catalogue_names`."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        cache = self.get_translations_cache(None)
        key = (str(locale), self.domain[0])
        if key not in cache:
            translations = support.Translations()
            for index, dirname in enumerate(self.translation_directories):
                domain = self.domain[0] if len(self.domain) == 1 else self.domain[index]
                catalogue = support.Translations.load(dirname, catalogue_names(locale), domain)
                translations.merge(catalogue)
                if hasattr(catalogue, "plural"):  # merge() does not copy the plural rule
                    translations.plural = catalogue.plural
            cache[key] = translations
        return cache[key]


class MarketplaceBabel(Babel):
    @cached_property
    def domain_instance(self):
        return CatalogueDomain(domain=self.domain)

"""Helpers for the provider's card box (localstripe's stand-in for Stripe Elements) in the checkout pages."""
from __future__ import annotations

import re

VISA = "4242424242424242"
NEEDS_3DS = "4000002500003155"  # localstripe asks for 3-D Secure on this one


def fill_card(page, number: str = VISA, *, box: str = "#card-element") -> None:
    """Type a test card into the provider's card box; the site itself never sees these digits."""
    card = page.locator(box)
    card.locator("input[placeholder=number]").fill(number)
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("30")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("318000")


# Visible words of a page, with the provider's card box left out: that is
# the provider's to translate (the page asks it for Chinese), not the site's.
_VISIBLE_WORDS = """
() => {
  const skip = (el) => el.closest("script, style, #card-element, [hidden]");
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || skip(el) || !node.textContent.trim()) continue;
    if (el.closest("details:not([open])") && !el.closest("summary")) continue;
    out.push(node.textContent.trim());
  }
  document.querySelectorAll("[placeholder], [aria-label], [title], input[type=submit]").forEach((el) => {
    if (skip(el)) return;
    for (const name of ["placeholder", "aria-label", "title", "value"]) {
      if (el.type === "hidden" || (name === "value" && el.type !== "submit")) continue;
      const v = el.getAttribute(name);
      if (v && v.trim()) out.push(v.trim());
    }
  });
  out.push(document.title);
  return out;
}
"""

# Latin words a Chinese page may show: the language switch, units and ids the site does not translate.
_ALLOWED = {"English", "km", "min"}
_IDS = re.compile(r"\b(?:ord|shop|prd|pay|re|rev|pi|je|payout)_[A-Za-z0-9]+\b")


def untranslated_english(page, data: tuple[str, ...] = ()) -> list[str]:
    """Pieces of visible text on the page that hold English words, once ids, the language switch and
    the given data strings (names people typed, such as a shop's or a product's) are taken out."""
    found = []
    for text in page.evaluate(_VISIBLE_WORDS):
        rest = _IDS.sub(" ", text)
        for datum in sorted(data, key=len, reverse=True):
            rest = rest.replace(datum, " ")
        words = [w for w in re.findall(r"[A-Za-z]{2,}", rest) if w not in _ALLOWED]
        if words:
            found.append(text)
    return found

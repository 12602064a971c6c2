"""Run the localstripe test payment server on loopback with fresh state (the embedded payments default).

Usage: python scripts/run_localstripe.py [--host 127.0.0.1] [--port 8420]
localstripe's own command binds every interface and reloads a pickled store; this does neither.
"""
import argparse
import logging

from aiohttp import web


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from localstripe.server import app  # imported here so --help works without it

    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()

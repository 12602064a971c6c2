"""The ceiling for bench.pages: a bare Flask app that answers "hello", served on the same settings."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"

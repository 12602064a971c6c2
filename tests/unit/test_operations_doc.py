"""docs/OPERATIONS.md documents every setting the code reads, so the table never falls behind."""
import ast
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _read(path: str) -> str:
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def variables_read_by_config() -> set[str]:
    """Names passed to the env_* parsers in marketplace/config.py."""
    names = set()
    for node in ast.walk(ast.parse(_read("marketplace/config.py"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("env_")
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value)
    return names


def variables_read_by_gunicorn_conf() -> set[str]:
    return set(re.findall(r"""(?:environ\.get|_int)\(\s*["']([A-Z_]+)["']""", _read("gunicorn.conf.py")))


def documented_variables() -> set[str]:
    """Variables named in the first column of a table row of docs/OPERATIONS.md."""
    names = set()
    for line in _read("docs/OPERATIONS.md").splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_config_reads_settings_through_the_typed_parsers():
    assert {"DATABASE_URL", "SECRET_KEY", "LOGIN_RATE_LIMIT"} <= variables_read_by_config()


def test_every_setting_in_config_py_has_a_row_in_operations_md():
    missing = variables_read_by_config() - documented_variables()
    assert not missing, f"add a row to the settings table of docs/OPERATIONS.md for: {', '.join(sorted(missing))}"


def test_every_gunicorn_setting_has_a_row_in_operations_md():
    read = variables_read_by_gunicorn_conf()
    assert {"PORT", "WEB_CONCURRENCY"} <= read
    missing = read - documented_variables()
    assert not missing, f"add a row to the web server table of docs/OPERATIONS.md for: {', '.join(sorted(missing))}"


def test_operations_md_documents_no_setting_that_no_longer_exists():
    stale = documented_variables() - variables_read_by_config() - variables_read_by_gunicorn_conf()
    assert not stale, f"docs/OPERATIONS.md documents settings nothing reads: {', '.join(sorted(stale))}"

"""`make bench` finds every bench/<area>.py that has a main() and runs it."""
from bench import run_all


def test_a_module_with_main_is_a_benchmark_and_one_without_is_not(tmp_path):
    (tmp_path / "with_main.py").write_text("def main():\n    pass\n")
    (tmp_path / "helper.py").write_text("def helper():\n    pass\n")
    (tmp_path / "nested.py").write_text("class A:\n    def main(self):\n        pass\n")
    assert run_all.has_main(str(tmp_path / "with_main.py"))
    assert not run_all.has_main(str(tmp_path / "helper.py"))
    assert not run_all.has_main(str(tmp_path / "nested.py"))


def test_the_runner_never_lists_itself(monkeypatch, tmp_path):
    for name in ("run_all", "__init__", "orders", "_shared"):
        (tmp_path / f"{name}.py").write_text("def main():\n    pass\n")
    monkeypatch.setattr(run_all, "BENCH_DIR", str(tmp_path))
    assert run_all.discover() == ["orders"]


def test_an_unknown_benchmark_name_is_an_error(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        run_all.main(["no_such_bench"])
    assert exit_info.value.code == 2
    assert "no benchmark named no_such_bench" in capsys.readouterr().err

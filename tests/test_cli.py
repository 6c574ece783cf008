import csv
import io

import pytest

from opkval.app.cli import main


def test_allocate_prints_csv_for_all_98(capsys):
    assert main(["allocate", "--amount", "500000000", "--key", "age_0_5"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["kommunekode", "kommune", "amount"]
    body = rows[1:]
    assert len(body) == 98
    assert sum(int(r[2]) for r in body) == 500_000_000
    ishoej = next(r for r in body if r[0] == "183")
    assert ishoej[1] == "Ishøj"
    assert abs(int(ishoej[2]) - 500_000_000 * 1750 / 369_586) < 1


def test_allocate_other_keys(capsys):
    for key in ("population", "enrolled"):
        assert main(["allocate", "--amount", "1000", "--key", key]) == 0
        rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
        assert sum(int(r[2]) for r in rows) == 1000


def test_unknown_kommune_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(["report", "--kommune", "Ishoi", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == "Ukendt kommune 'Ishoi'. Mente du: Ishøj?"
    assert "Traceback" not in err
    assert not out.exists()


def test_kommuner_lists_98(capsys):
    assert main(["kommuner"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 99 and ["183", "Ishøj", "ishoej"] == rows[15][:3]


def test_broken_data_file_gives_one_message_and_exit_2(raw_copy, monkeypatch, capsys):
    f = raw_copy / "population_0_5_2021.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[15] = lines[15].replace(",1750", ",-1750")  # Ishøj's age_0_5 (file line 16)
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("OPKVAL_DATA_DIR", str(raw_copy))
    assert main(["allocate", "--amount", "1000"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "population_0_5_2021.csv" in err and "linje 16" in err and "age_0_5" in err
    assert "-1750" in err


def test_amount_accepts_thousands_dots_and_rejects_decimals(capsys):
    assert main(["allocate", "--amount", "1.000"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))[1:]
    assert sum(int(r[2]) for r in rows) == 1000
    for bad in ("1.5", "500000000.50", "-3", "mange"):
        with pytest.raises(SystemExit) as e:
            main(["allocate", "--amount", bad])
        assert e.value.code == 2


def test_unwritable_output_gives_one_message(tmp_path, capsys):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    code = main(["report", "--kommune", "Ishøj", "--out", str(blocker / "x"), "--format",
                 "html"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "Filfejl" in err


def test_backtest_command_shows_dragoer_and_what_was_measured(capsys):
    """Dragør's 817.000 kr. (dragoer-nyt.dk) against the 0-5 key's 2023 + 2024 tranches,
    and per pool the error spread: the 2020 pool's largest error is København's
    63.600.000 - 62.302.143 = +1.297.857 kr.; 4 of 8 lie within ±50.000 kr."""
    import csv
    import io

    assert main(["backtest"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    dragoer = next(r for r in rows if r["kommune"] == "Dragør")
    assert (dragoer["periode"], dragoer["offentliggjort_kr"]) == ("2023-2024", "817000")
    assert "dragoer-nyt.dk" in dragoer["kilde"]
    assert "største København 2020 +1.297.857\u00a0kr." in err
    assert "5 inden for ±50.000\u00a0kr." in err


def test_jobs_left_empty_is_two_or_the_cores_there_are(monkeypatch):
    """make passes JOBS= empty by default: two workers, fewer on a one-core machine (a fixed
    2 would be refused there)."""
    from opkval.app import cli

    monkeypatch.setattr(cli, "cores", lambda: 1)
    assert cli._jobs("") == 1
    monkeypatch.setattr(cli, "cores", lambda: 8)
    assert cli._jobs(" ") == 2
    assert cli._jobs("3") == 3

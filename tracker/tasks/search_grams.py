"""The bigram index of task words (任务检索索引) that /search reads on SQLite.

SQLite's LIKE uses no index, so every search scanned the 100,000 tasks of a city (科创: 320 ms p50). FTS5's
trigram tokenizer would serve terms of 3 characters or more, but Chinese search terms are often 2
(科创, 算力, 芯片). So the index holds every **bigram** (two adjacent letters or digits) of a task's title
and text, as words of an FTS5 table ``task_grams`` (``rowid`` = the task's id, tokenizer unicode61, which
keeps a run of letters together: each space-separated bigram is one token). A term of two characters or
more is found among the tasks that hold all of its bigrams (``MATCH '"科创"'``, ``'"数字" AND "字化" …'``);
the search then checks the term itself with LIKE on those few rows, so the results are exactly those of
the LIKE scan (``tests/test_search.py``). A term with no bigram (one character) still scans.

ASCII letters are folded to lower case on both sides (SQLite's LIKE ignores ASCII case); the tokenizer
also folds other letters and diacritics alike on both sides, which only widens the candidates.

Kept in step by SQLite triggers on ``tasks`` (insert; update of title or text; delete), which call the
SQL function ``duban_grams(title, text)`` that the app registers on every SQLite connection
(``register_functions``, from ``tracker._connection_settings``). A connection without it (the sqlite3
shell) cannot insert or retitle tasks: it gets "no such function: duban_grams" and changes nothing.
Created by the migration (with a backfill) and by ``create_all`` (tests).

PostgreSQL: its pg_trgm indexes serve terms of 3 characters or more; a term of 2 (科创) has no trigram and
scanned the tasks (57/111 ms p50/p95 at city scale). The bigrams are indexed there too, in plain SQL: an
expression GIN index ``ix_tasks_bigrams`` on ``duban_bigrams(title, text)``, an IMMUTABLE SQL function
giving the distinct two-character substrings of the lower-cased title and text (``PG_STATEMENTS``); a
2-character term is then ``duban_bigrams(title, text) @> ARRAY[lower(term)]`` (an index read), checked with
LIKE on those rows. PostgreSQL's ``lower`` maps each character to one character, so a task containing
the term (in any ASCII case) holds its lower-cased bigram. No trigger: the index is kept by PostgreSQL
itself. Created by the migration and by ``create_all`` (``install_postgresql``); left out of the
models and of Alembic's comparison (``is_index_table``), like the SQLite table.

The FTS5 table and its shadow tables (``task_grams_data`` …) are not in the models' metadata:
``is_index_table`` tells Alembic's comparison (``migrations/env.py``, ``tests/test_migrations.py``) to
leave them out.
"""
from __future__ import annotations

import unicodedata

TABLE = "task_grams"
FUNCTION = "duban_grams"

_STATEMENTS = (
    f"DROP TABLE IF EXISTS {TABLE}",
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(grams, tokenize='unicode61', detail=none)",
    f"CREATE TRIGGER tasks_grams_insert AFTER INSERT ON tasks BEGIN "
    f"INSERT INTO {TABLE}(rowid, grams) VALUES (new.id, {FUNCTION}(new.title, new.text)); END",
    f"CREATE TRIGGER tasks_grams_update AFTER UPDATE OF id, title, text ON tasks BEGIN "
    f"DELETE FROM {TABLE} WHERE rowid = old.id; "
    f"INSERT INTO {TABLE}(rowid, grams) VALUES (new.id, {FUNCTION}(new.title, new.text)); END",
    f"CREATE TRIGGER tasks_grams_delete AFTER DELETE ON tasks BEGIN "
    f"DELETE FROM {TABLE} WHERE rowid = old.id; END",
)
BACKFILL = f"INSERT INTO {TABLE}(rowid, grams) SELECT id, {FUNCTION}(title, text) FROM tasks"
DROP_STATEMENTS = ("DROP TRIGGER IF EXISTS tasks_grams_insert", "DROP TRIGGER IF EXISTS tasks_grams_update",
                   "DROP TRIGGER IF EXISTS tasks_grams_delete", f"DROP TABLE IF EXISTS {TABLE}")


PG_FUNCTION = "duban_bigrams"
PG_INDEX = "ix_tasks_bigrams"
PG_STATEMENTS = (
    # $1/$2: title and text; '' for NULL. One row per position, DISTINCT two-character substrings.
    f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}(text, text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
    "SELECT coalesce(array_agg(DISTINCT substr(words, i, 2)), '{}') "
    "FROM (SELECT lower(coalesce($1, '') || ' ' || coalesce($2, '')) AS words) AS source, "
    "generate_series(1, length(words) - 1) AS i $$",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON tasks USING gin ({PG_FUNCTION}(title, text))",
)
PG_DROP_STATEMENTS = (f"DROP INDEX IF EXISTS {PG_INDEX}", f"DROP FUNCTION IF EXISTS {PG_FUNCTION}(text, text)")


def install_postgresql(execute) -> None:
    """PostgreSQL: the bigram function and its expression index on ``tasks`` (built from the rows there)."""
    for statement in PG_STATEMENTS:
        execute(statement)


def uninstall_postgresql(execute) -> None:
    for statement in PG_DROP_STATEMENTS:
        execute(statement)


def _is_word_character(character: str) -> bool:
    return unicodedata.category(character)[0] in "LN"


def _fold(character: str) -> str:
    return character.lower() if character.isascii() else character


def grams_of(*texts: str | None) -> list[str]:
    """The distinct bigrams of ``texts`` in order of first appearance: every two adjacent letters or
    digits, ASCII folded to lower case (``"AI芯片"`` → ``ai``, ``i芯``, ``芯片``)."""
    found: dict[str, None] = {}
    for value in texts:
        if not value:
            continue
        previous = ""
        for character in value:
            if _is_word_character(character):
                current = _fold(character)
                if previous:
                    found[previous + current] = None
                previous = current
            else:
                previous = ""
    return list(found)


def match_expression(term: str) -> str | None:
    """The FTS5 query finding the tasks that hold every bigram of ``term``, or None when it has none."""
    grams = grams_of(term)
    return " AND ".join(f'"{gram}"' for gram in grams) if grams else None


def _grams_sql(title, text) -> str:
    return " ".join(grams_of(title, text))


def register_functions(dbapi_connection) -> None:
    """Registers ``duban_grams`` on a sqlite3 connection (the triggers call it)."""
    dbapi_connection.create_function(FUNCTION, 2, _grams_sql, deterministic=True)


def install(execute, backfill: bool = True) -> None:
    """Creates the index table and its triggers with ``execute(sql)`` (a connection's exec_driver_sql,
    ``op.execute``), then fills it from the tasks already there."""
    for statement in _STATEMENTS:
        execute(statement)
    if backfill:
        execute(BACKFILL)


def uninstall(execute) -> None:
    for statement in DROP_STATEMENTS:
        execute(statement)


def is_index_table(name: str | None) -> bool:
    """The FTS5 table or one of its shadow tables, or PostgreSQL's bigram index (not declared in the
    models)."""
    return bool(name) and (name == TABLE or name.startswith(TABLE + "_") or name == PG_INDEX)

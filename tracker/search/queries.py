"""Task search (任务搜索) for ``/search?q=``.

A query is split on white space into at most ``MAX_TERMS`` terms; a task matches when every term is
found in its number (equal), its title, its text, or the name or short name of its lead or a
cooperating unit. Chinese needs no word segmentation: a term is a substring (``科创``, ``算力``).
Only the tasks the user may see are searched (``visible_task_condition``, the one permission rule:
a unit user searches its own tasks, in plans that are not drafts).

Ranking: the task whose number is the query first, then tasks whose title holds every term, then those
found through a unit's name, then those found only in their text; within a rank, newer plans first and
tasks in plan order. The list is paged like every list (``tracker.common.pagination``).

How it is found, per database:

- PostgreSQL, a reader of everything (coordinator, leader, admin): each term of 3 characters or more
  is a union of one index read per field: ``number =`` (``ix_tasks_number``), ``title LIKE '%t%' OR
  text LIKE '%t%'`` (a BitmapOr of the trigram GIN indexes ``ix_tasks_title_trgm`` and
  ``ix_tasks_text_trgm``, pg_trgm), the lead unit and the cooperation table by the ids of the units the
  term names. A term of 2 characters has no trigram (``'%算力%'`` yields none): its title/text branch
  reads the bigram expression index ``ix_tasks_bigrams`` instead (``duban_bigrams(title, text) @>
  ARRAY[lower(term)]``, tracker/tasks/search_grams.py), then LIKE on those rows. A term of 1 character
  is a condition on each row, applied to the rows the longer terms found or, in a query of short terms
  only, to every task (one ``Seq Scan`` of the 100,000 tasks, about 35-50 ms). ASCII letters make a term case-insensitive (ILIKE; for a short term, LIKEs
  of each spelling). The database's ``LC_CTYPE`` must not be ``C`` (``C.UTF-8`` or ``zh_CN.UTF-8`` are
  fine): in the ``C`` locale pg_trgm takes Chinese characters for separators and extracts no trigram.
- A unit user: the unit's own tasks (a union of two index reads, ``visible_task_condition``) filtered by
  every term, row by row (a few hundred rows).
- SQLite, a reader of everything: the same union per term, but the title/text branch reads the bigram
  index of task words (FTS5 table ``task_grams``, ``tracker/tasks/search_grams.py``): the tasks holding
  every bigram of the term, then LIKE on those rows only, so a term of 2 characters (科创) is narrowed
  too. A 1-character term still scans. A unit user: as on PostgreSQL, its own tasks filtered row by row.

The page's rows and the total come from one statement (``COUNT(*) OVER ()``), so a scan runs once.

EXPLAIN ANALYZE (PostgreSQL 15, city data set of bench/generate.py, 100,016 tasks, as the coordinator):
``q=数字化转型`` (9,617 found): Bitmap Index Scans on ix_tasks_title_trgm (3,243) and ix_tasks_text_trgm
(6,576) under a BitmapOr, hash join to tasks and plans, top-N heapsort of the 50 shown: 40 ms.
``q=科创`` (1,912 found): Seq Scan on tasks with the term's filter (units named 科创 through a hashed
subplan on ix_task_cooperating_units_unit_id), Memoize on pk_plans: 51 ms. ``q=推进`` as the unit with
the most tasks (227): two Bitmap Index Scans (lead unit, cooperation), 49 rows filtered: 3 ms.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (String, and_, case, column, exists, false, func, literal, literal_column, or_, select, table,
                        union)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased, selectinload

from tracker.common.pagination import Page, paginate_rows
from tracker.access.permissions import can_read_everything, visible_task_condition
from tracker.extensions import db
from tracker.plans.models import Plan
from tracker.tasks import search_grams
from tracker.tasks.models import Task, task_cooperating_units
from tracker.units.models import Unit

MAX_TERMS = 5
MAX_QUERY_LENGTH = 100
TRIGRAM_MIN = 3  # characters a term needs before a trigram index can narrow it
UNIT_MATCH_LIMIT = 500  # units named by one term beyond which the term no longer searches by unit name

RANK_NUMBER, RANK_TITLE, RANK_UNIT, RANK_TEXT = 0, 1, 2, 3


@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.terms


def parse_query(raw: str | None) -> SearchQuery:
    """The query as typed (trimmed, at most ``MAX_QUERY_LENGTH`` characters, control characters and NULs
    dropped) and its distinct terms, longest first."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", (raw or ""))[:MAX_QUERY_LENGTH].strip()
    terms = list(dict.fromkeys(text.split()))[:MAX_TERMS]
    return SearchQuery(text, tuple(sorted(terms, key=len, reverse=True)))


def _escaped(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _case_variants(term: str) -> list[str]:
    """Every upper/lower-case spelling of ``term`` (``ai`` → ``ai``, ``aI``, ``Ai``, ``AI``)."""
    variants = [""]
    for character in term:
        options = {character.lower(), character.upper()} if character.isascii() else {character}
        variants = [prefix + option for prefix in variants for option in sorted(options)]
    return variants


def _contains(column, term: str):
    """``column`` contains ``term``: LIKE (exact, and what the trigram index serves fastest) unless the
    term has ASCII letters, whose case should not matter (``ai`` finds ``AI芯片``). A short such term,
    which no index narrows, is a few LIKEs of its spellings: PostgreSQL's ILIKE folds the case of every
    character of every row it scans (``AI`` over 100,000 tasks: 120 ms, as LIKEs 50 ms)."""
    if not re.search(r"[A-Za-z]", term):
        return column.like(_escaped(term), escape="\\")
    if len(term) < TRIGRAM_MIN:
        return or_(*(column.like(_escaped(variant), escape="\\") for variant in _case_variants(term)))
    return column.ilike(_escaped(term), escape="\\")


def _units_named(term: str) -> list[int]:
    """Ids of the units whose name or short name contains ``term`` (a city has ~2,000 units: a scan of
    a small table); none when the term names too many to mean one (``区``)."""
    ids = list(db.session.scalars(select(Unit.id).where(or_(_contains(Unit.name, term),
                                                            _contains(Unit.short_name, term)))
                                  .limit(UNIT_MATCH_LIMIT + 1)))
    return [] if len(ids) > UNIT_MATCH_LIMIT else ids


_grams_table = table(search_grams.TABLE, column("rowid"))


def _by_grams() -> bool:
    """SQLite: the bigram index of task words (``tracker/tasks/search_grams.py``) narrows terms of 2+
    characters; PostgreSQL has its trigram indexes."""
    return db.session.get_bind().dialect.name == "sqlite"


def _by_bigram_index(term: str) -> bool:
    """PostgreSQL: a 2-character term, which no trigram narrows, is read from the bigram expression index
    (``ix_tasks_bigrams``, ``tracker/tasks/search_grams.py``)."""
    return len(term) == 2 and db.session.get_bind().dialect.name == "postgresql"


def _words_branch(found, term: str):
    """SELECT of the ids of the tasks whose title or text contains ``term``."""
    contains = or_(_contains(found.title, term), _contains(found.text, term))
    if _by_bigram_index(term):
        # The tasks holding the term's bigram (one GIN read), then the term itself on those rows.
        bigram = postgresql.array([func.lower(literal(term, String))])
        return select(found.id).where(getattr(func, search_grams.PG_FUNCTION)(found.title, found.text)
                                      .op("@>")(bigram), contains)
    expression = search_grams.match_expression(term) if _by_grams() else None
    if expression is None:
        return select(found.id).where(contains)
    # The tasks holding every bigram of the term (an FTS5 lookup), then the term itself on those rows.
    candidates = (select(_grams_table.c.rowid)
                  .where(literal_column(search_grams.TABLE).op("MATCH")(literal(expression))))
    return select(found.id).where(found.id.in_(candidates), contains)


def _indexed(term: str) -> bool:
    """An index narrows ``term``: a trigram on PostgreSQL (3+ characters) or its bigram (2), a bigram on
    SQLite."""
    if _by_grams():
        return search_grams.match_expression(term) is not None
    return len(term) >= TRIGRAM_MIN or _by_bigram_index(term)


def _term_matches(term: str, unit_ids: list[int]):
    """SELECT of the ids of the tasks matching ``term``: a union of one index read per field (number,
    title, text, lead unit, cooperating unit), so that each uses its own index; "number = t OR title
    LIKE … OR EXISTS(…)" in one WHERE made PostgreSQL filter every task."""
    found = aliased(Task)
    # Title and text in one branch: for a term of 3+ characters a BitmapOr of their two trigram indexes,
    # for a shorter one a single scan of the table instead of two.
    branches = [select(found.id).where(found.number == term), _words_branch(found, term)]
    if unit_ids:
        branches.append(select(found.id).where(found.lead_unit_id.in_(unit_ids)))
        branches.append(select(task_cooperating_units.c.task_id)
                        .where(task_cooperating_units.c.unit_id.in_(unit_ids)))
    return union(*branches)


def _term_filter(term: str, unit_ids: list[int]):
    """The same match as ``_term_matches`` as a condition on each row: for terms that narrow nothing by
    index (1-2 characters) and for a unit user's few hundred tasks, filtering the rows at hand is
    cheaper than reading each field's matches across the city."""
    conditions = [Task.number == term, _contains(Task.title, term), _contains(Task.text, term)]
    if unit_ids:
        conditions.append(Task.lead_unit_id.in_(unit_ids))
        conditions.append(exists().where(task_cooperating_units.c.task_id == Task.id,
                                         task_cooperating_units.c.unit_id.in_(unit_ids)))
    return or_(*conditions)


def search_ids(user, query: SearchQuery):
    """SELECT (task id, plan id) of the tasks ``user`` may see that match every term of ``query``, best
    first (see the module docstring); None for an empty query."""
    if query.empty:
        return None
    units_by_term = {term: _units_named(term) for term in query.terms}
    title_hit = and_(*(_contains(Task.title, term) for term in query.terms))
    unit_ids = [unit_id for ids in units_by_term.values() for unit_id in ids]
    unit_hit = Task.lead_unit_id.in_(unit_ids) if unit_ids else false()
    rank = case((Task.number == query.text, literal(RANK_NUMBER)), (title_hit, literal(RANK_TITLE)),
                (unit_hit, literal(RANK_UNIT)), else_=literal(RANK_TEXT))
    by_index = can_read_everything(user)  # a unit sees a few hundred tasks: filter those
    matches = [Task.id.in_(_term_matches(term, units_by_term[term])) if by_index and _indexed(term)
               else _term_filter(term, units_by_term[term]) for term in query.terms]
    return (select(Task.id).join(Plan, Plan.id == Task.plan_id)
            .where(visible_task_condition(user), *matches)
            .order_by(rank, Plan.issued_on.desc().nulls_last(), Task.plan_id.desc(), Task.sort_key, Task.id))


def search_page(user, query: SearchQuery, per_page: int | None = None) -> Page | None:
    """The requested page (``?page=N``) of the results as tasks with their plan and lead unit, or None for
    an empty query. Rows and total come from one statement (``paginate_rows``: ``COUNT(*) OVER ()``),
    which matters when a short term makes PostgreSQL scan the tasks: once, not twice."""
    statement = search_ids(user, query)
    if statement is None:
        return None
    page = paginate_rows(statement, per_page)
    ids = [row.id for row in page.items]
    tasks = {task.id: task for task in db.session.scalars(
        select(Task).where(Task.id.in_(ids)).options(selectinload(Task.plan), selectinload(Task.lead_unit)))}
    page.items = [tasks[task_id] for task_id in ids]
    return page

#!/usr/bin/env python
"""A deterministic city-scale data set for the Duban benchmarks.

    python bench/generate.py --database-url URL --scale city|medium|small [--recreate]

Creates the schema on an empty database the way ``flask db upgrade`` does (Alembic through
Flask-Migrate), loads the demo seed (so the demo logins exist, password ``demo-password``), then
bulk-inserts units, users, plans, action groups, tasks, cooperating units, status updates, evidence
rows and audit events: SQLAlchemy Core ``insert()`` executemany in chunks, or COPY on PostgreSQL; then
the closed loop's rows (签收, 延期/办结申请, 督办等级 with numbered documents) and a session of 建议提案
(bench/loop_data.py), and the 2026-05 督查通报 through the app's own services.
Everything comes from ``random.Random(42)`` and a fixed "as of" date (``AS_OF``), so two runs with
the same arguments produce the same rows. Prints rows per table and seconds.

The data set is written for ``AS_OF`` (2026-06-29, a Monday): the benchmarks set the app's "today"
to it. Every account's password is ``demo-password`` (one precomputed hash); ``must_change_password``
is cleared on this throw-away database so that benchmark clients can log in without the first-login
password change.
"""
from __future__ import annotations

import argparse
import calendar
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 6, 29)  # the benchmarks' "today" (TRACKER_TODAY)
SEED = 42
DEMO_PASSWORD = "demo-password"
BEIJING = timezone(timedelta(hours=8))

# units, users, tasks, status updates (totals, the demo seed included)
SCALES = {
    "city": dict(units=2000, users=20000, tasks=100_000, updates=1_000_000, proposals=1000),
    "medium": dict(units=200, users=2000, tasks=10_000, updates=100_000, proposals=200),
    "small": dict(units=40, users=200, tasks=400, updates=4000, proposals=30),
}

DISTRICTS = ["黄浦", "徐汇", "长宁", "静安", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定", "浦东", "金山", "松江",
             "青浦", "奉贤", "崇明"]
BUREAUS = [
    ("发展和改革委员会", "发改委"), ("经济委员会", "经委"), ("科学技术委员会", "科委"), ("财政局", "财政局"),
    ("人力资源和社会保障局", "人社局"), ("规划和自然资源局", "规划资源局"), ("生态环境局", "生态环境局"),
    ("建设和管理委员会", "建管委"), ("交通委员会", "交通委"), ("农业农村委员会", "农业农村委"), ("商务委员会", "商务委"),
    ("文化和旅游局", "文旅局"), ("卫生健康委员会", "卫健委"), ("教育局", "教育局"), ("民政局", "民政局"),
    ("司法局", "司法局"), ("公安分局", "公安分局"), ("市场监督管理局", "市场监管局"), ("应急管理局", "应急局"),
    ("水务局", "水务局"), ("绿化和市容管理局", "绿化市容局"), ("房屋管理局", "房管局"),
    ("国有资产监督管理委员会", "国资委"), ("统计局", "统计局"), ("审计局", "审计局"), ("税务局", "税务局"),
    ("医疗保障局", "医保局"), ("退役军人事务局", "退役军人局"), ("体育局", "体育局"), ("投资促进服务中心", "投促中心"),
    ("大数据中心", "大数据中心"), ("城市管理行政执法局", "城管执法局"), ("信访办公室", "信访办"),
    ("金融工作办公室", "金融办"), ("档案局", "档案局"), ("机关事务管理局", "机管局"), ("政务服务办公室", "政务办"),
    ("数据局", "数据局"), ("民族和宗教事务委员会", "民宗委"), ("人民防空办公室", "民防办"),
    ("粮食和物资储备局", "粮储局"), ("融媒体中心", "融媒体中心"), ("地区工作办公室", "地区办"),
    ("综合治理办公室", "综治办"), ("营商环境建设办公室", "营商办"),
]
SOE_WORDS = ["城投", "国资", "新城", "科创", "产业", "资产", "建设", "水务", "交通", "文旅", "农投", "商业", "地产",
             "环境", "能源", "数科", "临港", "康养", "物流", "会展"]
NAME_CHARS = "安宝北昌城川丰枫港广海航和华惠吉嘉江金锦景康兰朗临龙绿马梅明南浦青泉荣瑞三山善盛石顺松泰塘亭" \
             "桐湾万西溪仙祥新兴秀徐阳杨叶逸银永玉园远月云泽张长柘真中朱庄"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈" \
           "姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧巧美鹏辉玲桂丹萍鑫斌宇浩凯健俊帆帅旭宁亮飞建国平志红文海燕" \
        "晨阳琳雪梅霞婷颖佳欣怡思源博睿嘉诚泽"
VERBS = ["推进", "完善", "加快", "深化", "健全", "优化", "强化", "实施", "打造", "落实", "建立", "提升"]
OBJECTS = ["营商环境改革", "重大项目建设", "城市更新行动", "数字化转型", "科技创新平台建设", "产业园区能级",
           "公共服务供给", "生态环境治理", "基层治理体系", "人才引进机制", "政务服务“一网通办”", "城市运行“一网统管”",
           "旧住房成套改造", "乡村振兴示范村建设", "养老服务体系", "交通基础设施", "河湖水环境治理", "安全生产责任制",
           "招商引资工作", "中小企业服务", "文化旅游融合", "医疗卫生资源配置", "义务教育优质均衡", "绿色低碳转型",
           "保障性住房建设", "市场主体培育", "土地集约利用", "应急管理能力", "社会信用体系", "知识产权保护"]
SUFFIXES = ["", "", "工作", "试点", "专项行动", "三年行动"]
PLAN_WORDS = ["行动方案", "实施方案", "工作方案", "三年行动计划", "若干措施"]
GROUP_NUMBERS = ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）"]
GROUP_TITLES = ["体制机制优化行动", "创新策源奠基行动", "产业能级提升行动", "企业服务赋能行动", "城市功能完善行动",
                "民生保障改善行动", "生态环境提升行动", "营商环境优化行动", "要素保障强化行动", "组织保障行动"]
PROGRESS = [
    "本期{v}{o}，召开专题推进会{n}次，协调解决问题{m}项，累计完成年度目标的{p}%。",
    "已完成{o}阶段性任务，形成工作方案并报区政府审定，下一阶段将细化责任分工。",
    "按照时间节点{v}{o}，完成现场踏勘{n}处，签订协议{m}份，总体进度符合预期。",
    "会同配合单位{v}{o}，建立月度会商机制，梳理重点事项{n}项，已办结{m}项。",
    "本期完成投资约{n}亿元，{o}主体工程推进顺利，{m}个子项目已进场施工。",
    "{o}相关政策文件已起草完成，正在征求{n}家单位意见，预计下期提交审议。",
]
PROBLEMS = ["资金拨付进度偏慢，需财政部门加快审核。", "涉及跨部门审批事项较多，协调难度较大。",
            "部分地块征收工作尚未完成，影响后续进度。", "专业人才不足，需加强队伍建设。",
            "受天气影响，现场施工进度有所滞后。"]
NEXT_STEPS = ["加强与配合单位的沟通协调，确保按期完成。", "下月完成方案论证并启动实施。",
              "倒排工期、挂图作战，确保节点目标实现。", "做好资金保障和要素支撑，加快项目落地。",
              "梳理问题清单，逐项明确责任人和完成时限。"]
RETURN_COMMENTS = ["请补充量化指标和佐证材料。", "进展描述过于笼统，请写明本期具体完成情况。",
                   "完成比例与实际不符，请核实后重新报送。"]


@dataclass
class Unit:
    id: int
    kind: str
    district: int | None  # index into DISTRICTS, None for municipal
    weight: float
    users: list[int] = field(default_factory=list)


@dataclass
class TaskInfo:
    id: int
    plan_id: int
    lead: int
    coop: list[int]
    start_on: date
    due_on: date
    cycle: str
    report_day: int
    status: str
    progress: int
    completed_on: date | None
    created_at: datetime


# --------------------------------------------------------------------------------------------------
# database preparation

def _sqlite_path(url) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def recreate_database(database_url: str) -> None:
    """Drops and creates the (throw-away) database: a SQLite file, or a PostgreSQL database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    path = _sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm", ".lock"):
            candidate = Path(str(path) + suffix)
            if candidate.exists():
                candidate.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if url.get_backend_name() == "postgresql":
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()


def schema_gaps(db) -> list[str]:
    """Tables and columns the models declare that the database lacks."""
    from sqlalchemy import inspect

    inspector = inspect(db.engine)
    gaps = []
    for table in db.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            gaps.append(f"table {table.name}")
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        gaps += [f"column {table.name}.{column.name}" for column in table.columns if column.name not in present]
    return gaps


def create_schema(db, mode: str) -> str:
    """``flask db upgrade`` on the empty database. In ``auto`` mode, if the migrations lag behind the
    models (a column or table without its revision yet), falls back to ``create_all`` + ``stamp``."""
    from flask_migrate import stamp, upgrade
    from sqlalchemy import inspect, text

    if inspect(db.engine).get_table_names():
        raise SystemExit("the database is not empty: pass --recreate (throw-away databases only)")
    if mode in ("upgrade", "auto"):
        upgrade()
        gaps = schema_gaps(db)
        if not gaps:
            return "alembic upgrade head"
        message = "migrations lag behind the models: " + ", ".join(gaps)
        if mode == "upgrade":
            raise SystemExit(message)
        print(f"WARNING: {message}; using metadata.create_all() instead", flush=True)
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.create_all()
    stamp()
    return "metadata.create_all + alembic stamp head"


# --------------------------------------------------------------------------------------------------
# bulk loading

class Loader:
    """Inserts rows table by table: COPY on PostgreSQL (when allowed), Core executemany elsewhere."""

    def __init__(self, db, use_copy: bool, chunk: int = 20_000):
        self.db = db
        self.engine = db.engine
        self.postgres = self.engine.dialect.name == "postgresql"
        self.use_copy = use_copy and self.postgres
        self.chunk = chunk
        self.counts: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def _defaults(self, table, given: set[str]) -> dict:
        """Python-side column defaults the rows leave out (COPY does not apply them)."""
        values = {}
        for column in table.columns:
            if column.name in given or column.primary_key:
                continue
            default = column.default
            if default is None:
                values[column.name] = None
            elif default.is_scalar:
                values[column.name] = default.arg
            elif default.is_callable:
                values[column.name] = default.arg(None)
        return values

    @staticmethod
    def _plain(value):
        if hasattr(value, "value") and isinstance(value, str):  # str enums
            return value.value
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return value

    def insert(self, table, rows) -> int:
        """Inserts an iterable of dicts (all with the same keys); returns the row count."""
        started = time.perf_counter()
        count = 0
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return 0
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
            if self.use_copy:
                extra = self._defaults(table, set(first))
                columns = list(first) + list(extra)
                extra_values = [self._plain(v) for v in extra.values()]
                raw = conn.connection.driver_connection
                with raw.cursor() as cursor:
                    names = ", ".join(f'"{name}"' for name in columns)
                    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                        keys = list(first)  # each row's values in the first row's order (rows may differ in it)
                        for row in _chain(first, iterator):
                            copy.write_row([self._plain(row[k]) for k in keys] + extra_values)
                            count += 1
            else:
                statement = table.insert()
                buffer = []
                for row in _chain(first, iterator):
                    buffer.append(row)
                    if len(buffer) >= self.chunk:
                        conn.execute(statement, buffer)
                        count += len(buffer)
                        buffer = []
                if buffer:
                    conn.execute(statement, buffer)
                    count += len(buffer)
        self.counts[table.name] += count
        self.seconds[table.name] += time.perf_counter() - started
        return count


def _chain(first, rest):
    yield first
    yield from rest


# --------------------------------------------------------------------------------------------------
# the data

def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _beijing(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING).astimezone(timezone.utc)


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def report_periods(task: TaskInfo, horizon: date) -> list[tuple[str, date]]:
    """(period key, nominal report day) for every period of the task's life up to ``horizon``."""
    if task.cycle == "once":
        if task.completed_on:
            return [("final", task.completed_on)]
        return [("final", task.due_on)] if task.due_on <= horizon else []
    periods = []
    step = 1 if task.cycle == "monthly" else 3
    year, month = task.start_on.year, task.start_on.month
    if step == 3:
        month = ((month - 1) // 3 + 1) * 3
    while True:
        report_on = _month_day(year, month, task.report_day)
        if report_on > horizon:
            break
        if report_on >= task.start_on:
            key = f"{year}-{month:02d}" if step == 1 else f"{year}-Q{month // 3}"
            periods.append((key, report_on))
        year, month = _add_months(year, month, step)
    return periods


def _reporting_horizon(task: TaskInfo) -> date:
    if task.status == "completed" and task.completed_on:
        return task.completed_on
    if task.status == "suspended":
        return min(AS_OF, task.due_on)
    return AS_OF + timedelta(days=7)  # open: includes a period due in the coming week (early reports)


class Generator:
    def __init__(self, db, sizes: dict, loader: Loader):
        from sqlalchemy import func, select

        from tracker.auth.models import leader_units
        from tracker.models import (ActionGroup, AuditEvent, EvidenceFile, Plan, StatusUpdate, Task, Unit as UnitModel,
                                    User, task_cooperating_units)

        self.db, self.sizes, self.loader = db, sizes, loader
        self.rng = random.Random(SEED)
        self.t = dict(units=UnitModel.__table__, users=User.__table__, plans=Plan.__table__,
                      groups=ActionGroup.__table__, tasks=Task.__table__, coop=task_cooperating_units,
                      updates=StatusUpdate.__table__, evidence=EvidenceFile.__table__,
                      audit=AuditEvent.__table__, leader_units=leader_units)
        with db.engine.connect() as conn:
            self.next_id = {name: (conn.scalar(select(func.max(table.c.id))) or 0) + 1
                            for name, table in self.t.items() if name not in ("coop", "leader_units")}
            self.existing_units = conn.execute(select(UnitModel.id, UnitModel.name, UnitModel.short_name)).all()
            self.existing_users = conn.execute(select(User.id, User.role, User.unit_id)).all()
        self.user_columns = {column.name for column in User.__table__.columns}
        self.units: dict[int, Unit] = {}
        self.district_units: list[list[int]] = []
        self.municipal: list[int] = []
        self.coordinators: list[int] = []
        self.leaders: list[int] = []
        self.leader_districts: list[tuple[int, int]] = []  # (user id, district index) of generated leaders
        self.tasks: list[TaskInfo] = []
        self.plan_info: dict[int, tuple[str, str, str]] = {}  # plan id → (status, title, doc number)
        self.task_text: dict[int, tuple[str, str]] = {}  # task id → (number, title)
        self.created_at = _beijing(date(2023, 1, 3), 9)

    def _id(self, name: str) -> int:
        value = self.next_id[name]
        self.next_id[name] += 1
        return value

    # ---- units ----------------------------------------------------------------------------------
    def units_rows(self):
        rng, sizes = self.rng, self.sizes
        by_name = {name: uid for uid, name, _short in self.existing_units}
        used_names = set(by_name) | {short for _uid, _name, short in self.existing_units}
        n_districts = min(len(DISTRICTS), max(2, sizes["units"] // 25))
        target_new = max(0, sizes["units"] - len(self.existing_units))
        n_municipal = max(2, round(sizes["units"] * 0.04))
        per_district = max(3, (target_new - n_municipal) // n_districts)
        rows = []
        seen = set()

        def add(name, short, kind, district, weight, parent=None):
            if name in by_name:  # the demo seed's unit: part of the city
                uid = by_name[name]
                if uid not in seen:
                    seen.add(uid)
                    self.units[uid] = Unit(uid, kind, district, weight)
                return uid
            if len(rows) >= target_new:
                return None
            while short in used_names:
                short = short + rng.choice(NAME_CHARS)
            while name in used_names:
                name = name + rng.choice(NAME_CHARS)
            used_names.update((name, short))
            uid = self._id("units")
            emails = [f"unit{uid}@example.gov.cn"] + ([f"unit{uid}.ducha@example.gov.cn"] if rng.random() < 0.4 else [])
            rows.append(dict(id=uid, name=name, short_name=short, kind=kind, parent_id=parent,
                             contact_person=_person(rng), notification_emails="\n".join(emails),
                             phone=f"021-{rng.randint(50000000, 69999999)}", created_at=self.created_at))
            self.units[uid] = Unit(uid, kind, district, weight)
            return uid

        def place_name(suffix: str) -> str:
            return rng.choice(NAME_CHARS) + rng.choice(NAME_CHARS) + suffix

        for full, short in BUREAUS[:max(2, n_municipal)]:
            uid = add(f"上海市{full}", f"市{short}", "municipal_commission", None, 1.0)
            if uid:
                self.municipal.append(uid)
        for k in range(n_municipal - len(self.municipal)):
            uid = add(f"上海市{SOE_WORDS[k % len(SOE_WORDS)]}事务中心{k}", f"市{SOE_WORDS[k % len(SOE_WORDS)]}中心{k}",
                      "municipal_commission", None, 0.5)
            if uid:
                self.municipal.append(uid)
        for d in range(n_districts):
            name = DISTRICTS[d]
            members: list[int] = []
            n_bureaus = min(len(BUREAUS), max(2, int(per_district * 0.4)))
            n_towns = max(1, int(per_district * 0.25))
            n_soes = max(1, int(per_district * 0.12))
            for i, (full, short) in enumerate(BUREAUS[:n_bureaus]):
                uid = add(f"{name}区{full}", f"{name}{short}", "district_bureau", d, 3.0 / (1 + 0.08 * i))
                if uid:
                    members.append(uid)
            bureaus = list(members)
            for _ in range(n_towns):
                suffix = rng.choice(("镇", "镇", "街道"))
                town = place_name(suffix)
                uid = add(f"{name}区{town}{'人民政府' if suffix == '镇' else '办事处'}", f"{name}{town}", "town", d, 1.2)
                if uid:
                    members.append(uid)
            for k in range(n_soes):
                word = SOE_WORDS[k % len(SOE_WORDS)] + ("" if k < len(SOE_WORDS) else str(k))
                uid = add(f"上海{name}{word}集团有限公司", f"{name}{word}集团", "state_owned_company", d, 1.0)
                if uid:
                    members.append(uid)
            while len(members) < per_district:
                place = place_name(rng.choice(("园区", "功能区", "开发区", "服务中心")))
                uid = add(f"{name}区{place}管理委员会", f"{name}{place}", "other", d, 0.6,
                          parent=rng.choice(bureaus) if bureaus and rng.random() < 0.7 else None)
                if uid is None:
                    break
                members.append(uid)
            self.district_units.append(members)
        for members in self.district_units:  # tiny scales: a district without units of its own borrows some
            if not members:
                members += self.municipal[:3] or list(self.units)[:3]
        # the demo seed's remaining units (e.g. other districts' bodies) join the first district's pool
        for uid, _name, _short in self.existing_units:
            if uid not in self.units:
                self.units[uid] = Unit(uid, "other", 0, 0.5)
                self.district_units[0].append(uid)
        return rows

    # ---- users ----------------------------------------------------------------------------------
    def users_rows(self, password_hash: str):
        rng = self.rng
        n_districts = len(self.district_units)
        for uid, role, unit_id in self.existing_users:
            role = getattr(role, "value", role)
            if role == "coordinator":
                self.coordinators.append(uid)
            elif role == "leader":
                self.leaders.append(uid)
            elif role == "unit" and unit_id in self.units:
                self.units[unit_id].users.append(uid)
        wanted = max(0, self.sizes["users"] - len(self.existing_users))
        staff = [("coordinator", 2 * n_districts), ("leader", n_districts)]
        unit_ids = list(self.units)
        # every unit has a user; the rest go to busier units first
        unit_slots = [uid for uid in unit_ids if not self.units[uid].users]
        remaining = wanted - sum(n for _, n in staff) - len(unit_slots)
        if remaining > 0:
            unit_slots += rng.choices(unit_ids, weights=[self.units[u].weight for u in unit_ids], k=remaining)
        unit_slots.sort()
        per_unit_counter: dict[int, int] = defaultdict(int)
        extra = {"must_change_password": False} if "must_change_password" in self.user_columns else {}
        if "failed_logins" in self.user_columns:
            extra["failed_logins"] = 0

        def row(login, display_name, role, unit_id):
            uid = self._id("users")
            return dict(id=uid, login=login, email=f"{login}@example.gov.cn", display_name=display_name,
                        password_hash=password_hash, role=role, unit_id=unit_id, is_active_user=True,
                        locale="zh_CN", created_at=self.created_at, **extra)

        for role, count in staff:
            for k in range(count):
                district = DISTRICTS[k % n_districts]
                r = row(f"bench-{role}{k + 1}", f"{district}区{'督查室' if role == 'coordinator' else '副区长'}{_person(rng)}",
                        role, None)
                (self.coordinators if role == "coordinator" else self.leaders).append(r["id"])
                if role == "leader":
                    self.leader_districts.append((r["id"], k % n_districts))
                yield r
        for unit_id in unit_slots:
            per_unit_counter[unit_id] += 1
            r = row(f"bench-u{unit_id}-{per_unit_counter[unit_id]}", f"{_person(rng)}", "unit", unit_id)
            self.units[unit_id].users.append(r["id"])
            yield r

    def leader_units_rows(self):
        """分管单位: each district's vice-mayor oversees that district's units (the demo leader, none:
        every escalation reaches them)."""
        for user_id, district in self.leader_districts:
            for unit_id in sorted(set(self.district_units[district])):
                yield dict(user_id=user_id, unit_id=unit_id)

    # ---- plans, groups, tasks -------------------------------------------------------------------
    def plans_and_tasks(self):
        """Returns (plan rows, group rows, task rows, cooperation rows); fills self.tasks."""
        rng, sizes = self.rng, self.sizes
        n_tasks = sizes["tasks"]
        n_districts = len(self.district_units)
        n_plans = max(2 * n_districts, n_tasks // 40)
        weights = [rng.lognormvariate(0, 0.7) for _ in range(n_plans)]
        total = sum(weights)
        shares = [n_tasks * w / total for w in weights]
        counts = [max(3, int(share)) for share in shares]
        by_fraction = sorted(range(n_plans), key=lambda i: int(shares[i]) - shares[i])
        for k in range(max(0, n_tasks - sum(counts))):  # hand out the rounding remainder, one task each
            counts[by_fraction[k % n_plans]] += 1
        years = [2023, 2024, 2025, 2026]
        plan_rows, group_rows, task_rows, coop_rows = [], [], [], []
        doc_counter: dict[tuple[int, int], int] = defaultdict(int)
        district_weights = [[self.units[u].weight for u in members] for members in self.district_units]
        all_units = list(self.units)
        for p in range(n_plans):
            d = p % n_districts
            district = DISTRICTS[d]
            year = years[(p // n_districts) % len(years)]
            issued = date(year, 1, 1) + timedelta(days=rng.randint(0, 364))
            if issued > AS_OF - timedelta(days=20):
                issued = AS_OF - timedelta(days=rng.randint(20, 170))
            end_year = min(2027, max(2024, year + rng.choice((0, 1, 1, 2, 2, 3))))
            period_end = date(end_year, 12, 31)
            if period_end < AS_OF and rng.random() < 0.6:
                status = "archived"
            elif issued > AS_OF - timedelta(days=60) and rng.random() < 0.3:
                status = "draft"
            else:
                status = "active"
            doc_counter[(d, year)] += 1
            obj = rng.choice(OBJECTS)
            verb = rng.choice(VERBS)
            plan_id = self._id("plans")
            plan_created = _beijing(issued, 10)
            self.plan_info[plan_id] = (status, "", "")
            plan_rows.append(dict(
                id=plan_id, title=f"{district}区关于{verb}{obj}的{rng.choice(PLAN_WORDS)}（{year}—{end_year}年）",
                short_name=f"{district}{obj[:4]}{doc_counter[(d, year)]}",
                doc_number=f"{district}府办发〔{year}〕{doc_counter[(d, year)]}号", issuer=f"上海市{district}区人民政府",
                issued_on=issued, period_start=issued, period_end=period_end,
                kind=rng.choices(("action_plan", "meeting_decision", "other"), (85, 10, 5))[0], status=status,
                source_text=None, created_at=plan_created, version=1))
            self.plan_info[plan_id] = (status, plan_rows[-1]["title"], plan_rows[-1]["doc_number"])
            size = counts[p]
            n_groups = max(1, min(8, 2 + size // 8))
            groups = []
            for g in range(n_groups):
                gid = self._id("groups")
                groups.append(gid)
                group_rows.append(dict(id=gid, plan_id=plan_id, position=g + 1, number=GROUP_NUMBERS[g],
                                       title=GROUP_TITLES[(g + p) % len(GROUP_TITLES)]))
            members, member_weights = self.district_units[d], district_weights[d]
            for i in range(size):
                task = self._task(plan_id, status, issued, period_end, members, member_weights, all_units, plan_created)
                number = str(i + 1)
                coop_rows += [dict(task_id=task.id, unit_id=u) for u in task.coop]
                task_rows.append(dict(
                    id=task.id, plan_id=plan_id, group_id=groups[min(n_groups - 1, i * n_groups // size)],
                    parent_id=None, number=number, sort_key=number.zfill(6),
                    title=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}{rng.choice(SUFFIXES)}",
                    text=f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}。{rng.choice(NEXT_STEPS)}"
                         f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，到{task.due_on.year}年形成可复制可推广的经验。",
                    lead_unit_id=task.lead, start_on=task.start_on, due_on=task.due_on, reporting_cycle=task.cycle,
                    report_day=task.report_day, status=task.status, progress=task.progress,
                    completed_on=task.completed_on, created_at=plan_created, updated_at=plan_created, version=1))
                self.tasks.append(task)
                self.task_text[task.id] = (number, task_rows[-1]["title"])
        return plan_rows, group_rows, task_rows, coop_rows

    def _task(self, plan_id, plan_status, issued, period_end, members, member_weights, all_units, created):
        rng = self.rng
        roll = rng.random()
        if roll < 0.85:
            lead = rng.choices(members, member_weights)[0]
        elif roll < 0.95 and self.municipal:
            lead = rng.choice(self.municipal)
        else:
            lead = rng.choice(all_units)
        coop: list[int] = []
        for _ in range(rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0]):
            candidate = rng.choice(members)
            if candidate != lead and candidate not in coop:
                coop.append(candidate)
        start_on = issued + timedelta(days=rng.randint(0, 60))
        earliest = max(start_on + timedelta(days=60), date(2024, 1, 31))
        latest = max(earliest, min(period_end, date(2027, 12, 31)))
        due_on = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        cycle = rng.choices(("monthly", "quarterly", "once"), (75, 20, 5))[0]
        report_day = 25 if rng.random() < 0.7 else 30
        completed_on = None
        if plan_status == "draft":
            status = "not_started"
        elif plan_status == "archived":
            status = "completed" if rng.random() < 0.9 else "suspended"
        elif start_on > AS_OF:
            status = "not_started"
        elif due_on < AS_OF:
            status = rng.choices(("completed", "suspended", "in_progress", "not_started"), (86, 4, 9, 1))[0]
        else:
            status = rng.choices(("completed", "suspended", "in_progress", "not_started"), (10, 2, 80, 8))[0]
        if status == "completed":
            on_time = rng.random() < 0.9
            last = min(AS_OF - timedelta(days=1), due_on if on_time else due_on + timedelta(days=rng.randint(1, 60)))
            first = min(last, start_on + timedelta(days=30))
            completed_on = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
            progress = 100
        elif status == "not_started":
            progress = 0
        else:
            span = max(1, (due_on - start_on).days)
            elapsed = min(1.0, max(0.0, (AS_OF - start_on).days / span))
            progress = max(5, min(95, int(elapsed * 100 + rng.randint(-25, 10))))
        return TaskInfo(self._id("tasks"), plan_id, lead, coop, start_on, due_on, cycle, report_day, status, progress,
                        completed_on, created)

    # ---- status updates, evidence, audit --------------------------------------------------------
    def _calibrate(self) -> tuple[float, float]:
        """Filing probabilities for older periods (lead, cooperating) that hit the updates target."""
        older = latest = future = coop_slots = 0
        for task in self.tasks:
            periods = report_periods(task, _reporting_horizon(task))
            due = [p for p in periods if p[1] <= AS_OF]
            future += len(periods) - len(due)
            if due:
                latest += 1
                older += len(due) - 1
            coop_slots += len(due) * len(task.coop)
        target = self.sizes["updates"]
        fixed = latest * 0.9 * 1.05 + future * 0.35
        p_coop = 0.05
        p_lead = (target - fixed - coop_slots * p_coop) / max(1.0, older * 1.04)
        if p_lead > 0.97:
            p_lead = 0.97
            p_coop = min(0.9, (target - fixed - older * p_lead * 1.04) / max(1.0, coop_slots))
        return max(0.05, p_lead), max(0.0, p_coop)

    def updates_rows(self):
        """Yields ("updates" | "evidence" | "audit", row) in an order that satisfies the foreign keys."""
        rng = self.rng
        p_lead, p_coop = self._calibrate()
        as_of_morning = _beijing(AS_OF, 8)
        progress_texts = [t for t in PROGRESS]
        for task in self.tasks:
            yield "audit", dict(id=self._id("audit"), at=task.created_at, actor_id=rng.choice(self.coordinators),
                                action="task.created", object_type="tasks", object_id=task.id, task_id=task.id,
                                changes={"lead_unit_id": task.lead, "due_on": task.due_on.isoformat()},
                                summary="（批量导入）")
            periods = report_periods(task, _reporting_horizon(task))
            if not periods:
                continue
            due_count = sum(1 for _key, day in periods if day <= AS_OF)
            lead_slots = len(periods)
            is_open = task.status in ("not_started", "in_progress")
            for index, (key, report_on) in enumerate(periods):
                percent = min(100, round(task.progress * (index + 1) / lead_slots))
                if index == lead_slots - 1 and task.status == "completed":
                    percent = 100
                if report_on > AS_OF:
                    kind, chance = "future", 0.35
                elif index == due_count - 1 and is_open:
                    kind, chance = "latest", 0.9
                else:
                    kind, chance = "older", p_lead
                if rng.random() < chance:
                    yield from self._update(task, task.lead, key, report_on, percent, kind, as_of_morning,
                                            progress_texts)
                if report_on <= AS_OF:
                    for unit in task.coop:
                        if rng.random() < p_coop:
                            yield from self._update(task, unit, key, report_on, percent, "coop", as_of_morning,
                                                    progress_texts)

    def _update(self, task, unit_id, key, report_on, percent, kind, as_of_morning, texts, resubmission_of=None):
        rng = self.rng
        authors = self.units[unit_id].users
        author = rng.choice(authors)
        day = report_on - timedelta(days=rng.randint(0, 6))
        if resubmission_of is not None:
            day = resubmission_of[1] + timedelta(days=rng.randint(1, 5))
        day = max(task.start_on, min(day, AS_OF - timedelta(days=1)))
        submitted_at = _beijing(day, rng.randint(9, 17), rng.randint(0, 59))
        if kind == "future":
            state = "submitted" if rng.random() < 0.4 else "accepted"
        elif kind == "latest":
            state = rng.choices(("submitted", "returned", "accepted"), (10, 4, 86))[0]
        elif kind == "coop":
            state = "submitted" if report_on >= AS_OF - timedelta(days=20) and rng.random() < 0.15 else "accepted"
        else:
            state = "returned" if resubmission_of is None and rng.random() < 0.04 else "accepted"
        reviewed_at = None
        if state != "submitted":
            reviewed_at = submitted_at + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
            if reviewed_at >= as_of_morning:
                state, reviewed_at = "submitted", None
        reviewer = rng.choice(self.coordinators) if reviewed_at else None
        update_id = self._id("updates")
        text = rng.choice(texts).format(v=rng.choice(VERBS), o=rng.choice(OBJECTS), n=rng.randint(1, 12),
                                        m=rng.randint(1, 30), p=percent)
        comment = rng.choice(RETURN_COMMENTS) if state == "returned" else ""
        yield "updates", dict(
            id=update_id, task_id=task.id, unit_id=unit_id, author_id=author, period=key, progress_text=text,
            percent=percent, problems=rng.choice(PROBLEMS) if rng.random() < 0.3 else "",
            next_steps=rng.choice(NEXT_STEPS) if rng.random() < 0.7 else "", submitted_at=submitted_at,
            review_state=state, reviewer_id=reviewer, reviewed_at=reviewed_at, review_comment=comment,
            resubmission_of_id=resubmission_of[0] if resubmission_of else None, version=1)
        if rng.random() < 0.15:
            evidence_id = self._id("evidence")
            yield "evidence", dict(id=evidence_id, update_id=update_id, original_name=f"{key}佐证材料.pdf",
                                   stored_name=f"bench-{evidence_id:08d}.pdf", content_type="application/pdf",
                                   size=rng.randint(40_000, 4_000_000), sha256=f"{evidence_id:064x}",
                                   uploaded_at=submitted_at)
        yield "audit", dict(id=self._id("audit"), at=submitted_at, actor_id=author,
                            action="update.resubmitted" if resubmission_of else "update.submitted",
                            object_type="status_updates", object_id=update_id, task_id=task.id,
                            changes={"period": key, "percent": percent}, summary=text[:200])
        if reviewed_at:
            yield "audit", dict(id=self._id("audit"), at=reviewed_at, actor_id=reviewer, action=f"update.{state}",
                                object_type="status_updates", object_id=update_id, task_id=task.id,
                                changes={"review_state": ["submitted", state]}, summary=comment)
        if state == "returned" and kind == "older" and rng.random() < 0.95:
            yield from self._update(task, unit_id, key, report_on, percent, kind, as_of_morning, texts,
                                    resubmission_of=(update_id, reviewed_at.astimezone(BEIJING).date()))


def _split_streams(stream, loader: Loader, tables: dict, with_audit: bool, chunk: int = 50_000) -> None:
    """Buffers the interleaved (kind, row) stream and loads it chunk by chunk, parents first."""
    buffers: dict[str, list] = {"updates": [], "evidence": [], "audit": []}

    def flush():
        for kind in ("updates", "evidence", "audit"):
            if buffers[kind] and (with_audit or kind != "audit"):
                loader.insert(tables[kind], buffers[kind])
            buffers[kind] = []

    pending = 0
    for kind, row in stream:
        buffers[kind].append(row)
        pending += 1
        if pending >= chunk:
            flush()
            pending = 0
    flush()


def finish(db, postgres: bool, analyze: bool) -> None:
    from sqlalchemy import inspect, text

    with db.engine.begin() as conn:
        if "must_change_password" in {c["name"] for c in inspect(conn).get_columns("users")}:
            conn.execute(text("UPDATE users SET must_change_password = :f"), {"f": False})
        if postgres:
            for table in db.metadata.sorted_tables:
                if ("id" in table.c and table.c.id.primary_key and table.c.id.autoincrement
                        and table.c.id.type.python_type is int):  # not login_sessions (a text id)
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                      f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))
    if analyze:
        if postgres:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")


def summary(db) -> dict:
    from sqlalchemy import text

    queries = {
        "open tasks past due (active plans)":
            "SELECT count(*) FROM tasks t JOIN plans p ON p.id = t.plan_id WHERE p.status = 'active' "
            "AND t.status IN ('not_started', 'in_progress') AND t.due_on < :as_of",
        "updates awaiting review": "SELECT count(*) FROM status_updates WHERE review_state = 'submitted'",
    }
    with db.engine.connect() as conn:
        return {name: conn.execute(text(sql), {"as_of": AS_OF}).scalar() for name, sql in queries.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="sqlite:///path.db or postgresql+psycopg://...")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    for name in ("units", "users", "tasks", "updates", "proposals"):
        parser.add_argument(f"--{name}", type=int, help=f"override the scale's number of {name}")
    parser.add_argument("--recreate", action="store_true", help="drop and create the database first (throw-away!)")
    parser.add_argument("--schema", choices=("auto", "upgrade", "create-all"), default="auto",
                        help="auto: alembic upgrade, falling back to create_all if migrations lag the models")
    parser.add_argument("--no-copy", action="store_true", help="PostgreSQL: Core executemany instead of COPY")
    parser.add_argument("--no-audit", action="store_true", help="skip the audit events of tasks and updates")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE at the end")
    args = parser.parse_args(argv)

    sizes = dict(SCALES[args.scale])
    for name in sizes:
        if getattr(args, name):
            sizes[name] = getattr(args, name)

    started = time.perf_counter()
    if args.recreate:
        recreate_database(args.database_url)
    os.environ.setdefault("TRACKER_SCHEDULER", "0")
    from tracker import create_app
    from tracker.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SCHEDULER_ENABLED": False})
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        print(f"scale {args.scale}: {sizes}; database {db.engine.dialect.name}; as of {AS_OF}", flush=True)
        t0 = time.perf_counter()
        how = create_schema(db, args.schema)
        print(f"schema: {how} ({time.perf_counter() - t0:.1f} s)", flush=True)

        from seeds.demo import load_demo
        from tracker.auth.services import hash_password

        t0 = time.perf_counter()
        load_demo()
        password_hash = hash_password(DEMO_PASSWORD)
        db.session.remove()
        print(f"demo seed ({time.perf_counter() - t0:.1f} s)", flush=True)

        loader = Loader(db, use_copy=not args.no_copy)
        gen = Generator(db, sizes, loader)
        t = gen.t
        loader.insert(t["units"], gen.units_rows())
        loader.insert(t["users"], gen.users_rows(password_hash))
        loader.insert(t["leader_units"], gen.leader_units_rows())
        plan_rows, group_rows, task_rows, coop_rows = gen.plans_and_tasks()
        loader.insert(t["plans"], plan_rows)
        loader.insert(t["groups"], group_rows)
        loader.insert(t["tasks"], task_rows)
        loader.insert(t["coop"], coop_rows)
        del plan_rows, group_rows, task_rows, coop_rows
        _split_streams(gen.updates_rows(), loader, {"updates": t["updates"], "evidence": t["evidence"],
                                                     "audit": t["audit"]}, with_audit=not args.no_audit)
        from bench.loop_data import issue_bulletin, load_loop, loop_tables

        t0 = time.perf_counter()
        load_loop(db, gen, loader, sizes["proposals"], with_audit=not args.no_audit)
        loop_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        finish(db, postgres, analyze=not args.no_analyze)
        finishing = time.perf_counter() - t0
        t0 = time.perf_counter()
        issue_bulletin(db)  # the app's services, after the sequences are set (finish)
        bulletin_seconds = time.perf_counter() - t0
        t = {**t, **loop_tables()}

        from sqlalchemy import func, select
        with db.engine.connect() as conn:
            totals = {name: conn.scalar(select(func.count()).select_from(table)) for name, table in t.items()}
        facts = summary(db)
        db.engine.dispose()

    print(f"\n{'table':<24}{'inserted':>12}{'total rows':>12}{'seconds':>10}")
    for name, table in t.items():
        print(f"{table.name:<24}{loader.counts.get(table.name, 0):>12,}{totals[name]:>12,}"
              f"{loader.seconds.get(table.name, 0.0):>10.1f}")
    print(f"{'loop and proposals (generated and loaded)':<48}{loop_seconds:>10.1f}")
    print(f"{'finish (sequences, ANALYZE)':<48}{finishing:>10.1f}")
    print(f"{'督查通报 2026-05 (the app drafts and issues)':<40}{bulletin_seconds:>18.1f}")
    for name, value in facts.items():
        print(f"{name}: {value:,}")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

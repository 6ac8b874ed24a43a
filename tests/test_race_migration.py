"""Migration e5a1c0d4b7f2 (issue 22) on a database holding what the creation races left behind: two pending
extension requests and two pending closure requests of one task, two resubmissions of one returned update.
The upgrade keeps the oldest of each, resolves the others visibly, then creates the unique indexes."""
from __future__ import annotations

from sqlalchemy import text

from tests.test_migrations import empty_database_url  # noqa: F401 - the fixture
from tracker import create_app
from tracker.extensions import db

BEFORE = "e5a1c0d4b7f2-1"  # the revision before this one, wherever the chain puts it


def test_the_upgrade_resolves_duplicates_left_by_races_then_holds_the_rules(empty_database_url):  # noqa: F811
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    with app.app_context():
        for args in (["db", "upgrade"], ["seed", "demo"], ["db", "downgrade", BEFORE]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        db.session.remove()
        with db.engine.begin() as connection:
            task_id, unit_id = connection.execute(text("SELECT id, lead_unit_id FROM tasks ORDER BY id LIMIT 1")).one()
            user_id = connection.execute(text("SELECT id FROM users WHERE unit_id = :u ORDER BY id LIMIT 1"),
                                         {"u": unit_id}).scalar()
            for n in range(3):
                connection.execute(text(
                    "INSERT INTO extension_requests (task_id, unit_id, requested_by_id, requested_at, requested_due_on, "
                    "reason, is_late, state, decision_comment, version) VALUES (:t, :u, :by, :at, '2027-01-31', :reason, "
                    "false, 'pending', '', 1)"), {"t": task_id, "u": unit_id, "by": user_id,
                                                  "at": f"2026-06-30 0{n}:00:00+00:00", "reason": f"申请{n}"})
                connection.execute(text(
                    "INSERT INTO closure_requests (task_id, unit_id, requested_by_id, requested_at, summary, state, "
                    "decision_comment, version) VALUES (:t, :u, :by, :at, :summary, 'pending', '', 1)"),
                    {"t": task_id, "u": unit_id, "by": user_id, "at": f"2026-06-30 0{n}:00:00+00:00",
                     "summary": f"办结{n}"})
            returned = connection.execute(text(
                "INSERT INTO status_updates (task_id, unit_id, author_id, period, progress_text, percent, problems, "
                "next_steps, submitted_at, review_state, review_comment, version) VALUES (:t, :u, :by, '2026-06', "
                "'被退回', 10, '', '', '2026-06-20 00:00:00+00:00', 'returned', '请补充', 2) RETURNING id"),
                {"t": task_id, "u": unit_id, "by": user_id}).scalar()
            for n in range(2):
                connection.execute(text(
                    "INSERT INTO status_updates (task_id, unit_id, author_id, period, progress_text, percent, problems, "
                    "next_steps, submitted_at, review_state, review_comment, version, resubmission_of_id) VALUES "
                    "(:t, :u, :by, '2026-06', :p, 20, '', '', '2026-06-21 00:00:00+00:00', 'submitted', '', 1, :r)"),
                    {"t": task_id, "u": unit_id, "by": user_id, "p": f"重新提交{n}", "r": returned})

        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.begin() as connection:
            extensions = connection.execute(text(
                "SELECT reason, state, decision_comment FROM extension_requests WHERE task_id = :t ORDER BY id"),
                {"t": task_id}).all()
            assert [(reason, state) for reason, state, _comment in extensions] == [
                ("申请0", "pending"), ("申请1", "rejected"), ("申请2", "rejected")]
            assert all("系统清理" in comment for _reason, state, comment in extensions if state == "rejected")
            closures = connection.execute(text(
                "SELECT summary, state FROM closure_requests WHERE task_id = :t ORDER BY id"), {"t": task_id}).all()
            assert closures == [("办结0", "pending"), ("办结1", "returned"), ("办结2", "returned")]
            again = connection.execute(text(
                "SELECT progress_text, resubmission_of_id FROM status_updates WHERE progress_text LIKE '重新提交%' "
                "ORDER BY id")).all()
            assert again == [("重新提交0", returned), ("重新提交1", None)]  # both kept; one resubmission per update
            assert connection.execute(text("SELECT COUNT(*) FROM supervision_documents WHERE version = 1")).scalar() == \
                connection.execute(text("SELECT COUNT(*) FROM supervision_documents")).scalar()
        # From now on the database itself refuses a second pending request.
        with db.engine.connect() as connection:
            try:
                connection.execute(text(
                    "INSERT INTO extension_requests (task_id, unit_id, requested_by_id, requested_at, requested_due_on, "
                    "reason, is_late, state, decision_comment, version) VALUES (:t, :u, :by, '2026-07-01 00:00:00+00:00', "
                    "'2027-02-28', '再次申请', false, 'pending', '', 1)"), {"t": task_id, "u": unit_id, "by": user_id})
            except Exception as error:  # noqa: BLE001 - IntegrityError from either driver
                assert "unique" in str(error).lower()
            else:
                raise AssertionError("a second pending extension request was accepted")
            connection.rollback()
        db.session.remove()
        db.engine.dispose()

"""Command-line interface: ``flask seed demo`` and friends."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

seed_cli = AppGroup("seed", help="Load seed data.")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Load the demo seed (units, users, the Xicen plan). Idempotent."""
    from seeds.demo import DEMO_PASSWORD, demo_logins, load_demo

    counts = load_demo()
    click.echo(f"Demo seed loaded: {counts['units']} units, {counts['users']} users.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login, role, unit in demo_logins():
        click.echo(f"  {login:<16} {role:<12} {unit}")


def register(app: Flask) -> None:
    app.cli.add_command(seed_cli)

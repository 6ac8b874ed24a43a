"""Form widgets of our own. ``ChecklistField`` (多选清单): a multi-unit field as a list of checkboxes with a
filter box, instead of a native multi-select that needs Ctrl-click (配合单位, 分管单位, 会办单位). It posts
the same values as the select did (one ``name=id`` per ticked unit) and works without script; with
tracker/static/checklist.js the box filters the list as one types and the legend counts the ticked ones."""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape
from wtforms import SelectMultipleField


class ChecklistWidget:
    def __call__(self, field, **kwargs) -> Markup:
        name = escape(field.name)
        rows = []
        for value, label, selected, _render_kw in field.iter_choices():
            box_id = escape(f"{field.id}-{value}")
            rows.append(
                f'<div class="form-check checklist-item"><input class="form-check-input" type="checkbox" '
                f'name="{name}" value="{escape(value)}" id="{box_id}"{" checked" if selected else ""}>'
                f'<label class="form-check-label" for="{box_id}">{escape(label)}</label></div>')
        ticked = sum(1 for _value, _label, selected, _kw in field.iter_choices() if selected)
        return Markup(
            f'<div class="checklist border rounded p-2" id="{escape(field.id)}" data-checklist>'
            f'<div class="d-flex gap-2 align-items-center mb-2">'
            f'<input type="search" class="form-control form-control-sm checklist-filter" '
            f'placeholder="{escape(_("输入名称筛选"))}" aria-label="{escape(_("输入名称筛选"))}" autocomplete="off">'
            f'<span class="small text-muted text-nowrap checklist-count" data-template="{escape(_("已选%(n)s个", n="{n}"))}">'
            f'{escape(_("已选%(n)s个", n=ticked))}</span></div>'
            f'<div class="checklist-items">{"".join(rows)}</div>'
            f'<div class="small text-muted checklist-none" hidden>{escape(_("没有符合的单位。"))}</div></div>')


class ChecklistField(SelectMultipleField):
    widget = ChecklistWidget()

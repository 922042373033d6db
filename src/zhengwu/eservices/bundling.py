"""The one form and one set of materials of a 一件事 (docs/rules.md §5 “一件事”): read from its
items, shared by the service that splits an application and the pages that ask for it.

- a form field is asked once per code: the first item that has the code gives its label, type and
  choices; it is required when any item requires it; it is filled by the platform (not asked)
  when every item that has it fills it from a base (预填);
- a material is asked once per name: required when any item requires it; not asked when every item
  that needs it fetches it from a base or the 电子证照 base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhengwu.eservices.models import Bundle, FormField, ItemMaterial, ServiceItem


@dataclass
class UnionField:
    code: str
    label: str
    data_type: str
    required: bool
    enum_values: list[str]
    max_length: int | None
    platform_filled: bool
    items: list[str] = field(default_factory=list)


@dataclass
class UnionMaterial:
    index: int
    name: str
    required: bool
    notes: str
    fetched: bool
    items: list[str] = field(default_factory=list)
    material_ids: list[int] = field(default_factory=list)


@dataclass
class UnionForm:
    items: list[ServiceItem]
    fields: list[UnionField]
    materials: list[UnionMaterial]

    def material_named(self, name: str) -> UnionMaterial | None:
        return next((m for m in self.materials if m.name == name), None)

    def material_of(self, material_id: int) -> UnionMaterial | None:
        return next((m for m in self.materials if material_id in m.material_ids), None)


def bundle_items(bundle: Bundle) -> list[ServiceItem]:
    return [
        entry.item
        for entry in bundle.entries.select_related("item__department").prefetch_related(
            "item__fields", "item__materials"
        )
    ]


def union_of(items: list[ServiceItem]) -> UnionForm:
    fields: dict[str, UnionField] = {}
    materials: dict[str, UnionMaterial] = {}
    for item in items:
        form_field: FormField
        for form_field in item.fields.all():
            union = fields.get(form_field.code)
            if union is None:
                union = fields[form_field.code] = UnionField(
                    code=form_field.code,
                    label=form_field.label,
                    data_type=form_field.data_type,
                    required=form_field.required,
                    enum_values=[str(v) for v in form_field.enum_values],
                    max_length=form_field.max_length,
                    platform_filled=bool(form_field.prefill),
                )
            union.required = union.required or form_field.required
            union.platform_filled = union.platform_filled and bool(form_field.prefill)
            union.items.append(item.name)
        material: ItemMaterial
        for material in item.materials.all():
            found = materials.get(material.name)
            if found is None:
                found = materials[material.name] = UnionMaterial(
                    index=len(materials), name=material.name, required=False, notes=material.notes, fetched=True
                )
            found.required = found.required or material.required
            found.fetched = found.fetched and material.fetchable
            found.items.append(item.name)
            found.material_ids.append(material.pk)
    return UnionForm(items=items, fields=list(fields.values()), materials=list(materials.values()))


def union_form(bundle: Bundle) -> UnionForm:
    return union_of(bundle_items(bundle))


def conflicts(form: UnionForm) -> list[str]:
    """Fields sharing a code across items but not a type or choices: such items cannot share one form."""
    problems = []
    for union in form.fields:
        for item in form.items:
            for f in item.fields.all():
                if f.code == union.code and (
                    f.data_type != union.data_type or [str(v) for v in f.enum_values] != union.enum_values
                ):
                    problems.append(f"字段“{union.label}”（{union.code}）在《{item.name}》中的类型或取值不同")
    return problems

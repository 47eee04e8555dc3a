"""Instrument definitions: the documented YAML (or JSON) format, read and checked.

A definition is plain data. `parse_definition` turns a file's text into a `Definition` or
raises `DefinitionError` listing every mistake with its line, so a person can fix the file
in one pass. JSON is read by the same YAML reader (JSON is YAML), so its mistakes get line
numbers too. The format is documented in docs/instruments.md.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import yaml

# Keys are forgiving about case and spacing ("Shared Purpose" is read as "shared-purpose"),
# strict about everything else, since they name columns in survey exports.
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
KEY_RULE = "use letters, digits, '-' and '_' only (spaces become '-'), at most 60, starting with a letter or digit."
SCALE_POINTS = (1, 2, 3, 4, 5)
DEFAULT_SCALE = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
DEFAULT_NOT_APPLICABLE = "Not applicable / don't know"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Item:
    key: str
    statement: str
    dimension: str
    reverse: bool = False


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str


@dataclass(frozen=True)
class Definition:
    """One instrument's questions, exactly as a definition file gives them."""

    id: str
    title: str
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    prompts: tuple[Prompt, ...] = ()
    description: str = ""
    version: str = ""
    scale: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_SCALE))
    not_applicable: str = DEFAULT_NOT_APPLICABLE

    def to_data(self) -> dict:
        """The definition as JSON-friendly data (what the database keeps)."""
        data = asdict(self)
        for name in ("dimensions", "items", "prompts"):  # lists, as JSON gives them back: equal when unchanged
            data[name] = list(data[name])
        data["scale"] = {str(point): label for point, label in self.scale.items()}
        return data

    @classmethod
    def from_data(cls, data: dict) -> Definition:
        return cls(
            id=data["id"],
            title=data["title"],
            description=data.get("description", ""),
            version=data.get("version", ""),
            dimensions=tuple(Dimension(**d) for d in data["dimensions"]),
            items=tuple(Item(**i) for i in data["items"]),
            prompts=tuple(Prompt(**p) for p in data.get("prompts", ())),
            scale={int(point): label for point, label in data.get("scale", DEFAULT_SCALE).items()},
            not_applicable=data.get("not_applicable", DEFAULT_NOT_APPLICABLE),
        )

    def items_of(self, dimension: str) -> list[Item]:
        return [item for item in self.items if item.dimension == dimension]

    def dimension_label(self, key: str) -> str:
        return next((d.label for d in self.dimensions if d.key == key), key)


def normal_key(text: str) -> str:
    """A key as written, made regular: "Shared Purpose" and "shared purpose" are "shared-purpose"."""
    return "-".join(text.lower().split())


class DefinitionError(ValueError):
    """A definition file with mistakes; `problems` lists each as "line N: what is wrong"."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class _Reader:
    """Walks the YAML node tree, collecting every problem with the line it is on."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, node, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(f"line {line}: {message}")

    def mapping(self, node, what: str) -> dict | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} should be a set of 'name: value' lines.")
            return None
        result = {}
        for key_node, value_node in node.value:
            key = str(key_node.value).strip().lower()
            if key in result:
                self.problem(key_node, f"'{key}' is given twice in {what}.")
            result[key] = (key_node, value_node)
        return result

    def text(self, fields: dict, name: str, node, what: str, required=True) -> str:
        if name not in fields:
            if required:
                self.problem(node, f"{what} has no '{name}'.")
            return ""
        value_node = fields[name][1]
        if not isinstance(value_node, yaml.ScalarNode):
            self.problem(value_node, f"'{name}' of {what} should be text.")
            return ""
        value = " ".join(str(value_node.value).split())
        if required and not value:
            self.problem(value_node, f"'{name}' of {what} is empty.")
        return value

    def key(self, fields: dict, node, what: str, seen: dict) -> str:
        written = self.text(fields, "key", node, what)
        key = normal_key(written)
        if not key:
            return ""
        value_node = fields["key"][1]
        if not KEY_PATTERN.match(key):
            self.problem(value_node, f"key '{written}' of {what}: {KEY_RULE}")
        elif key in seen:
            self.problem(value_node, f"key '{key}' is used twice (first on line {seen[key]}).")
        else:
            seen[key] = value_node.start_mark.line + 1
        return key

    def flag(self, fields: dict, name: str, what: str) -> bool:
        if name not in fields:
            return False
        value_node = fields[name][1]
        value = str(getattr(value_node, "value", "")).strip().lower()
        if value in {"true", "yes", "y", "1"}:
            return True
        if value in {"false", "no", "n", "0", ""}:
            return False
        self.problem(value_node, f"'{name}' of {what} should be true or false, not '{value}'.")
        return False

    def sequence(self, fields: dict, name: str, node, required=True) -> list:
        if name not in fields:
            if required:
                self.problem(node, f"the definition has no '{name}' list.")
            return []
        value_node = fields[name][1]
        if not isinstance(value_node, yaml.SequenceNode):
            self.problem(value_node, f"'{name}' should be a list, each entry starting with '- '.")
            return []
        if required and not value_node.value:
            self.problem(value_node, f"'{name}' is empty.")
        return value_node.value


def _read_scale(reader: _Reader, fields: dict) -> tuple[dict[int, str], str]:
    scale, not_applicable = dict(DEFAULT_SCALE), DEFAULT_NOT_APPLICABLE
    if "scale" not in fields:
        return scale, not_applicable
    node = fields["scale"][1]
    entries = reader.mapping(node, "the scale")
    if entries is None:
        return scale, not_applicable
    given = {}
    for name, (key_node, value_node) in entries.items():
        label = " ".join(str(getattr(value_node, "value", "")).split())
        if name in {"na", "n/a", "not_applicable", "not applicable"}:
            not_applicable = label or not_applicable
        elif name in {str(point) for point in SCALE_POINTS}:
            if not label:
                reader.problem(value_node, f"scale point {name} has no label.")
            given[int(name)] = label
        else:
            reader.problem(key_node, f"the scale has points 1 to 5 and 'na'; '{name}' is not one of them.")
    missing = [str(point) for point in SCALE_POINTS if point not in given]
    if given and missing:
        reader.problem(node, f"the scale needs a label for every point 1 to 5; missing {', '.join(missing)}.")
    scale.update(given)
    labels = [label.casefold() for label in scale.values()] + [not_applicable.casefold()]
    if len(set(labels)) != len(labels):
        reader.problem(node, "two points of the scale have the same label; each needs its own.")
    return scale, not_applicable


def parse_definition(text: str) -> Definition:
    """Read a definition from YAML or JSON text; raise DefinitionError naming every mistake."""
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise DefinitionError([f"line {line}: this is not valid YAML or JSON ({error.problem})."]) from None
    except yaml.YAMLError as error:
        raise DefinitionError([f"line 1: this is not valid YAML or JSON ({error})."]) from None
    if root is None:
        raise DefinitionError(["line 1: the file is empty."])
    top = reader.mapping(root, "the definition")
    if top is None:
        raise DefinitionError(reader.problems)
    known = {"id", "version", "title", "description", "scale", "dimensions", "items", "prompts"}
    for name, (key_node, _) in top.items():
        if name not in known:
            reader.problem(
                key_node, f"'{name}' is not part of the format (expected one of {', '.join(sorted(known))})."
            )

    written = reader.text(top, "id", root, "the definition")
    identifier = normal_key(written)
    if identifier and not KEY_PATTERN.match(identifier):
        reader.problem(top["id"][1], f"id '{written}': {KEY_RULE}")
    title = reader.text(top, "title", root, "the definition")
    description = reader.text(top, "description", root, "the definition", required=False)
    version = reader.text(top, "version", root, "the definition", required=False)
    scale, not_applicable = _read_scale(reader, top)

    dimensions: list[Dimension] = []
    dimension_keys: dict[str, int] = {}  # key -> the line it is first given on
    for node in reader.sequence(top, "dimensions", root):
        fields = reader.mapping(node, "a dimension")
        if fields is None:
            continue
        key = reader.key(fields, node, "a dimension", dimension_keys)
        label = reader.text(fields, "label", node, f"dimension '{key}'")
        dimensions.append(Dimension(key, label, reader.text(fields, "description", node, "", required=False)))

    items: list[Item] = []
    item_keys: dict[str, int] = {}
    for node in reader.sequence(top, "items", root):
        fields = reader.mapping(node, "an item")
        if fields is None:
            continue
        key = reader.key(fields, node, "an item", item_keys)
        what = f"item '{key}'" if key else "an item"
        statement = reader.text(fields, "statement", node, what)
        dimension = normal_key(reader.text(fields, "dimension", node, what))
        if dimension and dimension not in dimension_keys:
            reader.problem(
                fields["dimension"][1],
                f"{what} belongs to dimension '{dimension}', which is not in the dimensions list.",
            )
        items.append(Item(key, statement, dimension, reader.flag(fields, "reverse", what)))

    prompts: list[Prompt] = []
    prompt_keys: dict[str, int] = {}
    for node in reader.sequence(top, "prompts", root, required=False):
        fields = reader.mapping(node, "a prompt")
        if fields is None:
            continue
        key = reader.key(fields, node, "a prompt", prompt_keys)
        prompts.append(Prompt(key, reader.text(fields, "text", node, f"prompt '{key}'")))
    for key, line in prompt_keys.items():
        if key in item_keys:
            reader.problems.append(f"line {line}: prompt key '{key}' is also an item key; each key must be unique.")

    used = {item.dimension for item in items}
    for declared in dimensions:
        if declared.key and declared.key not in used:
            reader.problems.append(
                f"line {dimension_keys[declared.key]}: dimension '{declared.key}' has no items; "
                "give it at least one or remove it."
            )
    if reader.problems:
        raise DefinitionError(reader.problems)
    return Definition(
        id=identifier,
        title=title,
        description=description,
        version=version,
        dimensions=tuple(dimensions),
        items=tuple(items),
        prompts=tuple(prompts),
        scale=scale,
        not_applicable=not_applicable,
    )

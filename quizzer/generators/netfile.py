"""Networks files: a layer list in the layer syntax, one layer per line, for ``solve … --layers-file net.txt``.

    # ResNet-50 stem
    conv c=64 k=7 s=2 p=3
    maxpool k=3 s=2 p=1
    res(                          # a residual block: main path, '|', then the shortcut
      conv c=64 k=1
      conv c=64 k=3 p=1
      conv c=256 k=1
    | conv c=256 k=1              # no '|' line: the identity shortcut
    )

'#' starts a comment, blank lines are skipped, and every error names the file and line ('net.txt:12: …').
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quizzer.errors import BadParameters
from quizzer.generators.base import Family, Params
from quizzer.generators.layer_syntax import Node, parse_pieces, pieces

MAX_BYTES = 1 << 20  # a network of a thousand layers is ~30 KB; a larger file is not a layer list


def read_layers_file(path: str | Path) -> tuple[Node, ...]:
    """The nodes a networks file lists; ``BadParameters`` naming the file and line for anything unreadable."""
    path = Path(path)
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BadParameters(f"{name}: {path.stat().st_size:,} bytes is too large for a layer list")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadParameters(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadParameters(f"{path}: is a directory, not a layer list") from None
    except UnicodeDecodeError:
        raise BadParameters(f"{name}: not UTF-8 text") from None
    except OSError as exc:
        raise BadParameters(f"{path}: cannot read it ({exc.strerror})") from None
    items: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0]
        if line.strip():
            items.extend(pieces(line, f"{name}:{number}"))
    if not items:
        raise BadParameters(f"{name}: no layers (only blank lines and comments)")
    try:
        return parse_pieces(items)
    except ValueError as exc:
        raise BadParameters(
            str(exc).replace("the residual block opened", f"{name}: the residual block opened")
        ) from None


def layers_key(family: Family[Any]) -> str | None:
    """The parameter ``--layers-file`` fills: ``layers``, or ``prefix`` for rf-min-layers; None for other families."""
    fields = family.params_model.model_fields
    return next((name for name in ("layers", "prefix") if name in fields), None)  # rf-min-layers: a prefix


def params_with_layers_file(family: Family[Any], values: dict[str, Any], path: str | Path | None) -> Params:
    """The family's params from ``key=value`` strings, with ``layers`` (``prefix`` for rf-min-layers) read from
    ``path`` when one is given."""
    from quizzer.generators.registry import parse_params

    if path is None:
        return parse_params(family, values)
    key = layers_key(family)
    if key is None:
        raise BadParameters(f"{family.name} has no layers parameter; --layers-file is for stack families")
    if key in values:
        raise BadParameters(f"give the layers either as {key}=… or with --layers-file, not both")
    return parse_params(family, {**values, key: read_layers_file(path)})

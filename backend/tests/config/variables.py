"""The environment variables the backend reads, with their defaults, found in its source.

One computation for two checks: that .env.example documents every one (tests/config/test_env.py)
and that docker-compose.yml passes every one to the backend with the code's default
(tests/topology/test_config.py, which loads this file by its path). Standard library only, so
that it loads without Django.
"""

import ast
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
# config/env.py's readers; env_str and env_list default to "" when a call names no default.
READERS = {"env_str", "env_int", "env_bool", "env_list", "env_rate"}
_COMPUTED = object()


def backend_variables() -> dict[str, str | None]:
    """Each variable, with its default spelled as the environment would ("false", "300",
    "" for none), or None when the code computes it (a path under the checkout, say)."""
    found: dict[str, str | None] = {}
    for path in sorted(CONFIG_DIR.glob("**/*.py")):
        module = ast.parse(path.read_text())
        constants = _module_constants(module)
        for node in ast.walk(module):
            if not _is_read(node):
                continue
            name = node.args[0].value
            default = _spelled(_value(node.args[1], constants)) if len(node.args) > 1 else ""
            assert found.get(name, default) == default, f"{name} is read with two defaults"
            found[name] = default
    return found


def _is_read(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in READERS
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _module_constants(module: ast.Module) -> dict[str, object]:
    """Top-level NAME = literal assignments, for defaults given by name (DEFAULT_SERVER)."""
    return {
        statement.targets[0].id: statement.value.value
        for statement in module.body
        if isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and isinstance(statement.value, ast.Constant)
    }


def _value(node: ast.expr, constants: dict[str, object]) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, _COMPUTED)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):  # 7 * 24 * 3600
        left, right = _value(node.left, constants), _value(node.right, constants)
        if isinstance(left, int) and isinstance(right, int):
            return left * right
    return _COMPUTED


def _spelled(value: object) -> str | None:
    if value is _COMPUTED:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

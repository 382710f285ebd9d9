"""Read one YAML file of ``config/`` into a validated model, with errors an operator can act on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = ["ConfigError", "config_dir", "read_config"]

Model = TypeVar("Model", bound=BaseModel)

_REPO_CONFIG = Path(__file__).resolve().parents[2] / "config"


class ConfigError(Exception):
    """A configuration file is missing, is not YAML, or does not fit its schema."""


def config_dir() -> Path:
    """The folder of YAML configuration: ``$TRIDENT_CONFIG_DIR``, else the project's ``config/``.

    Raises:
        ConfigError: when neither exists.
    """
    chosen = os.environ.get("TRIDENT_CONFIG_DIR")
    folder = Path(chosen) if chosen else _REPO_CONFIG
    if not folder.is_dir():
        raise ConfigError(f"configuration folder {folder} does not exist; set TRIDENT_CONFIG_DIR")
    return folder


def read_config(name: str, model: type[Model], folder: Path | None = None) -> Model:
    """Load ``<folder>/<name>`` and validate it as ``model``.

    Raises:
        ConfigError: naming the file and, for schema errors, each failing field's location.
    """
    path = (folder or config_dir()) / name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML ({error.__class__.__name__})") from None
    try:
        return model.model_validate(document or {})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '(top)'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None

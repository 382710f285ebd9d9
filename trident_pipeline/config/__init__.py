"""Configuration from the YAML files in ``config/``, validated when loaded."""

from trident_pipeline.config.accounts import AccountConfig, AccountsConfig
from trident_pipeline.config.loader import ConfigError, config_dir, read_config
from trident_pipeline.config.staff import Responder, Role, StaffConfig

__all__ = [
    "AccountConfig",
    "AccountsConfig",
    "ConfigError",
    "Responder",
    "Role",
    "StaffConfig",
    "config_dir",
    "read_config",
]

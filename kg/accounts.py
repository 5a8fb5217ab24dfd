"""Editor accounts, kept in a YAML file with hashed passwords (scrypt, via werkzeug).

    - name: wang
      role: editor        # proposes edits
      password: scrypt:32768:8:1$...
    - name: li
      role: reviewer      # proposes, and accepts, rejects or reverts the edits of others

`kg account add NAME --role editor|reviewer` adds or replaces one (the password read from stdin).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("editor", "reviewer")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password: str  # the hash

    @property
    def reviews(self) -> bool:
        return self.role == "reviewer"


def read(path: Path) -> dict[str, Account]:
    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or []) if path.exists() else []
    accounts = {}
    for row in data:
        if row.get("role") not in ROLES or not row.get("name") or not str(row.get("password", "")).startswith(
                ("scrypt:", "pbkdf2:")):
            raise ValueError(f"{path}: bad account {row.get('name')!r}: needs name, role ({'/'.join(ROLES)}) and a "
                             f"hashed password / 账户配置有误")
        accounts[row["name"]] = Account(row["name"], row["role"], row["password"])
    return accounts


def verify(path: Path, name: str, password: str) -> Account | None:
    account = read(path).get(name)
    return account if account and check_password_hash(account.password, password) else None


def add(path: Path, name: str, role: str, password: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES} / 角色应为 editor 或 reviewer")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters / 密码至少8个字符")
    accounts = read(path)
    accounts[name] = Account(name, role, generate_password_hash(password))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump([a.__dict__ for a in accounts.values()], allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    path.chmod(0o600)

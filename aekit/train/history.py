"""The record of one training run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """Loss per epoch (mini-batch solvers) or per iteration (scipy solvers).

    ``loss`` is the training objective, ``val_loss`` the same objective on the validation
    split (empty without one), ``terms`` the weighted parts of ``loss`` (they sum to it),
    ``seconds`` the cumulative wall time at each entry, ``evaluations`` the cumulative
    number of objective evaluations (scipy solvers), ``stop_reason`` why training ended.
    """

    unit: str = "epoch"
    solver: str = ""
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    terms: dict[str, list[float]] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    evaluations: list[int] = field(default_factory=list)
    stop_reason: str = ""
    best_index: int | None = None

    def __len__(self) -> int:
        return len(self.loss)

    def record(self, loss: float, terms: dict[str, float], seconds: float, val_loss: float | None = None, evaluations: int | None = None) -> None:
        self.loss.append(loss)
        for name, value in terms.items():
            self.terms.setdefault(name, []).append(value)
        self.seconds.append(seconds)
        if val_loss is not None:
            self.val_loss.append(val_loss)
        if evaluations is not None:
            self.evaluations.append(evaluations)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> History:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

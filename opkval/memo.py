"""Per-data-set memoisation: a function's result kept in ``RawData.cache``.

Some results depend only on the data set and the configuration, yet are asked for once per
kommune (98 times in ``make reports``). :func:`per_data_set` keeps the first result in the
data set's own cache, keyed on the function and every other argument as bound (defaults
included), so a parameter added later is part of the key without anyone remembering to add
it. Configuration models are keyed by their JSON. The cached object is shared: callers must
not mutate it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])


def _part(value: object) -> object:
    if isinstance(value, BaseModel):
        return (type(value).__qualname__, value.model_dump_json())
    hash(value)  # a value that cannot be a key fails here, not as a silent cache miss
    return value


def per_data_set(fn: F) -> F:
    """Decorator for ``fn(data, ...)``: cache the result in ``data.cache``."""
    sig = inspect.signature(fn)
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(data, *args, **kwargs):
        bound = sig.bind(data, *args, **kwargs)
        bound.apply_defaults()
        key = (name, *((k, _part(v)) for k, v in list(bound.arguments.items())[1:]))
        if key not in data.cache:
            data.cache[key] = fn(data, *args, **kwargs)
        return data.cache[key]

    return wrapper  # type: ignore[return-value]

"""Per-data-set memoisation: a function's result kept in ``RawData.cache``.

Some results depend only on the data set and the configuration, yet are asked for once per
kommune (98 times in ``make reports``). :func:`per_data_set` keeps the first result in the
data set's own cache, keyed on the function and every other argument as bound (defaults
included), so a parameter added later is part of the key without anyone remembering to add
it. Configuration models are keyed by their JSON. The cached object is shared: callers must
not mutate it.

A parameter whose ``None`` means "look it up" (the loaded configuration, its default key) is
resolved before the key is made, by the function given for it: ``f(data)`` and
``f(data, cfg=load_config())`` then share one entry, and the function receives the value.
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


def per_data_set(fn: F | None = None, /, **resolve: Callable[[dict], object]) -> F:
    """Decorator for ``fn(data, ...)``: cache the result in ``data.cache``.

    ``@per_data_set(cfg=lambda a: load_config())``: a ``cfg`` of None is replaced by the
    loaded config; each resolver gets the bound arguments so far (in the order given).
    """
    def decorate(fn: F) -> F:
        sig = inspect.signature(fn)
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(data, *args, **kwargs):
            bound = sig.bind(data, *args, **kwargs)
            bound.apply_defaults()
            for param, look_up in resolve.items():
                if bound.arguments[param] is None:
                    bound.arguments[param] = look_up(bound.arguments)
            key = (name, *((k, _part(v)) for k, v in list(bound.arguments.items())[1:]))
            if key not in data.cache:
                data.cache[key] = fn(*bound.args, **bound.kwargs)
            return data.cache[key]

        return wrapper  # type: ignore[return-value]

    return decorate(fn) if fn is not None else decorate  # type: ignore[return-value]

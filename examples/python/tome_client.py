"""A Python client for `tome serve`: a PyTorch IterableDataset over its HTTP
Arrow stream, and the same stream through Arrow Flight.

    from torch.utils.data import DataLoader
    from tome_client import TomeDataset, ResumeState

    state = ResumeState.load("state.json")          # a new state if the file is missing
    data = TomeDataset("http://127.0.0.1:8080", "train", shuffle="block", seed=7,
                       epoch=state.epoch, batch_rows=1024, resume=state)
    for batch, position in DataLoader(data, batch_size=None, num_workers=4):
        ...                                          # batch: {column: tensor or list}
        state.update(position)                       # what this process consumed
    state.save("state.json")

Rank and world come from torch.distributed when it is initialised, else from
the RANK and WORLD_SIZE environment variables, else 0 and 1. Every DataLoader
worker reads its own stream: consumer rank*workers+worker of world*workers
(see `consumer`), and resumes at that consumer's saved count (`start=`).

Only the standard library is needed to import this module; pyarrow is
imported when a stream is read, torch when it is installed (TomeDataset is a
torch IterableDataset then, and a plain iterable otherwise).
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request

try:  # torch is optional: without it TomeDataset is a plain iterable.
    from torch.utils.data import IterableDataset as _DatasetBase
except ImportError:  # pragma: no cover - depends on the environment
    _DatasetBase = object

SHUFFLE_MODES = ("none", "shards", "block", "global", "buffer")

# The stream's parameters, in the order the query string lists them.
_PARAM_KEYS = ("split", "columns", "shuffle", "seed", "epoch", "window", "buffer",
               "world", "rank", "start", "batch_rows", "drop_remainder")
_INT_PARAMS = {"seed", "epoch", "window", "buffer", "world", "rank", "start", "batch_rows"}

# The parameters that fix the order of an epoch: a saved state applies only
# to a stream with the same ones.
_ORDER_KEYS = ("dataset", "split", "shuffle", "seed", "window", "buffer", "drop_remainder")


def stream_params(**params):
    """Checks and normalises stream parameters (the query keys of
    /v1/datasets/{name}/stream); None values are left out.

    >>> stream_params(shuffle="block", seed=7, columns=["text", "label"], split=None)
    {'columns': ['text', 'label'], 'shuffle': 'block', 'seed': 7}
    """
    out = {}
    for key in _PARAM_KEYS:
        value = params.pop(key, None)
        if value is None:
            continue
        if key in _INT_PARAMS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key}={value!r}: want a non-negative integer")
        elif key == "columns":
            if isinstance(value, str):
                value = [value]
            value = list(value)
            for column in value:
                if not isinstance(column, str) or not column or "," in column:
                    raise ValueError(f"column {column!r}: want a non-empty name without commas")
        elif key == "shuffle":
            if value not in SHUFFLE_MODES:
                raise ValueError(f"shuffle={value!r}: want one of {', '.join(SHUFFLE_MODES)}")
        elif key == "drop_remainder":
            if not isinstance(value, bool):
                raise ValueError(f"drop_remainder={value!r}: want True or False")
        elif not isinstance(value, str):
            raise ValueError(f"{key}={value!r}: want a string")
        out[key] = value
    if params:
        raise ValueError(f"unknown stream parameters: {', '.join(sorted(params))}")
    if "rank" in out and out["rank"] >= out.get("world", 1):
        raise ValueError(f"rank {out['rank']} is not below world {out.get('world', 1)}")
    return out


def stream_url(base, dataset, params):
    """The URL of dataset's stream on the server at base, with params (from
    stream_params) as its query."""
    query = []
    for key, value in params.items():
        if key == "columns":
            value = ",".join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        query.append((key, str(value)))
    path = "/v1/datasets/" + urllib.parse.quote(dataset, safe="") + "/stream"
    url = base.rstrip("/") + path
    return url + "?" + urllib.parse.urlencode(query) if query else url


def flight_ticket(dataset, params):
    """The Flight ticket (or command descriptor) of the same stream: the
    parameters as JSON, with the dataset's name under "dataset"."""
    doc = {"dataset": dataset}
    doc.update(params)
    return json.dumps(doc, separators=(",", ":")).encode()


def auth_headers(token=None):
    """The Authorization header of a token (default: $TOME_TOKEN), if any."""
    token = os.environ.get("TOME_TOKEN") if token is None else token
    return {"Authorization": "Bearer " + token} if token else {}


def rank_and_world(env=None, dist=None):
    """This process's (rank, world): from torch.distributed when it is
    initialised, else from RANK and WORLD_SIZE in env (default os.environ),
    else (0, 1). dist is the torch.distributed module, or None to import it
    if torch is installed."""
    if dist is None:
        try:
            import torch.distributed as dist
        except ImportError:
            dist = None
    if dist is not None and dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    env = os.environ if env is None else env
    rank, world = env.get("RANK"), env.get("WORLD_SIZE")
    if rank is None and world is None:
        return 0, 1
    if rank is None or world is None:
        raise ValueError("set both RANK and WORLD_SIZE, or neither")
    try:
        rank, world = int(rank), int(world)
    except ValueError:
        raise ValueError(f"RANK={rank!r} and WORLD_SIZE={world!r}: want integers") from None
    if world < 1 or not 0 <= rank < world:
        raise ValueError(f"RANK={rank} and WORLD_SIZE={world}: want 0 <= RANK < WORLD_SIZE")
    return rank, world


def worker_and_workers(info=None):
    """This DataLoader worker's (id, count): (0, 1) in the main process or
    without torch. info is torch.utils.data.get_worker_info(), or None to ask
    torch."""
    if info is None:
        try:
            from torch.utils.data import get_worker_info
        except ImportError:
            return 0, 1
        info = get_worker_info()
        if info is None:
            return 0, 1
    return info.id, info.num_workers


def consumer(rank, world, worker, workers):
    """The (rank, world) a DataLoader worker asks the server for.

    Each of the world*workers readers is one consumer of the epoch's global
    sequence: consumer rank*workers+worker takes global positions c, c+W*K,
    c+2*W*K, ... (W ranks, K workers each). Interleaving every reader over
    the one global sequence, rather than cutting a rank's share into blocks,
    keeps the order elastic: once each consumer has taken n samples, the job
    has consumed exactly the first n*W*K positions of the global order, so it
    can resume on any number of ranks and workers from that position (see
    ResumeState.start), and the order never depends on the worker count of
    the run that wrote the state.

    >>> consumer(rank=1, world=2, worker=2, workers=4)
    (6, 8)
    """
    if world < 1 or workers < 1 or not 0 <= rank < world or not 0 <= worker < workers:
        raise ValueError(f"rank {rank} of {world}, worker {worker} of {workers}: out of range")
    return rank * workers + worker, world * workers


class ResumeState:
    """How many samples each consumer has delivered to the training loop in
    one epoch, saved as small JSON, so that a restarted job continues with
    exactly the samples not yet trained on.

    update() counts the batches the loop consumed (by the position each batch
    comes with). start() gives a consumer's start= on resume: its own count
    when the job restarts with the same world*workers; with another one, the
    first sample at or after the global position every consumer has reached
    (consumers that ran ahead repeat at most the few batches that were in
    flight). For that, merge the states of every rank first (merge()).
    """

    VERSION = 1

    def __init__(self, epoch=0, world=None, consumed=None, order=None):
        self.epoch = epoch
        self.world = world          # world*workers of the counts, None before any
        self.consumed = dict(consumed or {})  # consumer -> samples delivered
        self.order = dict(order or {})        # the order parameters of the stream

    # -- counting ---------------------------------------------------------

    def update(self, position):
        """Counts one consumed batch, given the position its stream yielded
        with it. A batch of another epoch starts that epoch's counts; a batch
        of another world*workers rebases the counts on it (see start)."""
        epoch, world = position["epoch"], position["world"]
        if epoch != self.epoch:
            self.epoch, self.world, self.consumed = epoch, None, {}
        if self.world is None:
            self.world = world
        elif world != self.world:
            self.consumed = {c: self.start(c, world) for c in range(world)}
            self.world = world
        if position.get("order"):
            self.order = dict(position["order"])
        c = position["consumer"]
        self.consumed[c] = self.consumed.get(c, position["start"]) + position["rows"]

    # -- resuming ---------------------------------------------------------

    def global_position(self):
        """The global position reached: every sample before it was consumed.
        Needs the counts of every consumer."""
        if self.world is None:
            return 0
        missing = [c for c in range(self.world) if c not in self.consumed]
        if missing:
            raise ValueError(
                f"the state counts {self.world - len(missing)} of {self.world} consumers: "
                "merge the states of every rank (ResumeState.merge) to resume on another world")
        return min(self.consumed[c] * self.world + c for c in range(self.world))

    def start(self, consumer, world, epoch=None):
        """The start= of consumer (of world) resuming from this state: its
        count when world is the state's (0 if the state has none for it),
        else its first global position at or after global_position(). 0 for
        another epoch."""
        if epoch is not None and epoch != self.epoch:
            return 0
        if self.world is None:
            return 0
        if world == self.world:
            # A consumer the state does not count delivered nothing yet.
            return self.consumed.get(consumer, 0)
        reached = self.global_position()
        return max(0, -(-(reached - consumer) // world))

    def check_order(self, order):
        """Refuses a state written for another order (dataset, split,
        shuffle, seed, ...): its counts would skip the wrong samples."""
        if not self.order:
            return
        for key in _ORDER_KEYS:
            if self.order.get(key) != order.get(key):
                raise ValueError(
                    f"the saved state is for {key}={self.order.get(key)!r}, "
                    f"the stream has {key}={order.get(key)!r}")

    # -- storing ----------------------------------------------------------

    @classmethod
    def merge(cls, states):
        """One state from the states of several ranks of one run."""
        states = [s if isinstance(s, ResumeState) else cls.from_dict(s) for s in states]
        merged = cls()
        for s in states:
            if s.world is None:
                continue
            if merged.world is None:
                merged.epoch, merged.world, merged.order = s.epoch, s.world, dict(s.order)
            elif (s.epoch, s.world) != (merged.epoch, merged.world):
                raise ValueError("cannot merge states of different epochs or worlds")
            for c, n in s.consumed.items():
                merged.consumed[c] = max(n, merged.consumed.get(c, 0))
        return merged

    def to_dict(self):
        return {
            "version": self.VERSION,
            "epoch": self.epoch,
            "world": self.world,
            "consumed": {str(c): n for c, n in sorted(self.consumed.items())},
            "order": self.order,
        }

    @classmethod
    def from_dict(cls, doc):
        if doc.get("version") != cls.VERSION:
            raise ValueError(f"resume state version {doc.get('version')!r}: want {cls.VERSION}")
        consumed = {}
        for c, n in doc.get("consumed", {}).items():
            c, n = int(c), int(n)
            if c < 0 or n < 0:
                raise ValueError(f"resume state: consumer {c} consumed {n}")
            consumed[c] = n
        world = doc.get("world")
        if world is not None and (int(world) < 1 or any(c >= int(world) for c in consumed)):
            raise ValueError(f"resume state: consumers {sorted(consumed)} in a world of {world}")
        return cls(int(doc.get("epoch", 0)), None if world is None else int(world), consumed, doc.get("order"))

    def save(self, path):
        """Writes the state to path atomically (a temporary file renamed
        over it), so a crash leaves the old state or the new one."""
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".tome-state-", dir=directory)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(self.to_dict(), f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    @classmethod
    def load(cls, path):
        """The state saved at path, or a new one if there is no file."""
        try:
            with open(path) as f:
                return cls.from_dict(json.load(f))
        except FileNotFoundError:
            return cls()


class StreamError(RuntimeError):
    """The server refused a stream; status is the HTTP status."""

    def __init__(self, status, message):
        super().__init__(f"tome serve answered {status}: {message}")
        self.status = status


ARROW_STREAM = "application/vnd.apache.arrow.stream"


def open_stream(url, headers=None, timeout=60, opener=urllib.request.urlopen):
    """Starts an HTTP stream and returns the response, a file object of
    Arrow IPC stream bytes. A refusal raises StreamError with the server's
    JSON error message, and so does an answer that is not an Arrow stream
    (a proxy's login page, say)."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        response = opener(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            message = json.loads(body).get("error", body.decode(errors="replace"))
        except (ValueError, AttributeError):
            message = body.decode(errors="replace")
        raise StreamError(e.code, message) from None
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(ARROW_STREAM):
        response.close()
        raise StreamError(response.status, f"Content-Type {content_type!r}, not {ARROW_STREAM}")
    return response


def read_ipc_batches(response):
    """Yields the record batches of an Arrow IPC stream (pyarrow)."""
    import pyarrow.ipc

    yield from pyarrow.ipc.open_stream(response)


def to_torch(batch):
    """The default conversion of a pyarrow RecordBatch: {column: tensor} for
    numeric and boolean columns without nulls, {column: list} for others."""
    import pyarrow.types as t
    import torch

    out = {}
    for name, column in zip(batch.schema.names, batch.columns):
        kind = column.type
        if column.null_count == 0 and (t.is_integer(kind) or t.is_floating(kind) or t.is_boolean(kind)):
            out[name] = torch.from_numpy(column.to_numpy(zero_copy_only=False, writable=True))
        else:
            out[name] = column.to_pylist()
    return out


class TomeDataset(_DatasetBase):
    """A PyTorch IterableDataset of one dataset served by `tome serve`.

    It yields (batch, position) pairs: batch is transform(record batch)
    (default to_torch), position says which consumer's stream the batch came
    from and how many samples it holds, for ResumeState.update. Use it with
    DataLoader(..., batch_size=None): the server already makes batches of
    batch_rows samples, shuffled and partitioned.

    rank and world default to rank_and_world() (read when the dataset is
    made, in the main process); each DataLoader worker then reads its own
    consumer's stream. set_epoch() chooses the epoch, as with PyTorch's
    DistributedSampler.
    """

    def __init__(self, url, dataset, *, split=None, columns=None, shuffle=None, seed=None,
                 epoch=0, window=None, buffer=None, batch_rows=None, drop_remainder=None,
                 rank=None, world=None, resume=None, token=None, transform=None, timeout=60,
                 read_batches=read_ipc_batches, opener=urllib.request.urlopen):
        super().__init__()
        if (rank is None) != (world is None):
            raise ValueError("give both rank and world, or neither")
        if rank is None:
            rank, world = rank_and_world()
        self.url, self.dataset = url, dataset
        self.rank, self.world = rank, world
        self.epoch = epoch
        self.params = stream_params(split=split, columns=columns, shuffle=shuffle, seed=seed,
                                    window=window, buffer=buffer, batch_rows=batch_rows,
                                    drop_remainder=drop_remainder)
        self.resume = resume
        if resume is not None:
            resume.check_order(self.order())
        self.headers = auth_headers(token)
        self.transform = transform
        self.timeout = timeout
        self.read_batches = read_batches
        self.opener = opener

    def set_epoch(self, epoch):
        self.epoch = epoch

    def order(self):
        """The parameters that fix the epoch's order, as a state records them."""
        order = {"dataset": self.dataset}
        order.update({k: v for k, v in self.params.items() if k in _ORDER_KEYS})
        return order

    def consumer_params(self, worker=0, workers=1):
        """The stream parameters of one DataLoader worker."""
        c, w = consumer(self.rank, self.world, worker, workers)
        start = self.resume.start(c, w, self.epoch) if self.resume is not None else 0
        params = dict(self.params, epoch=self.epoch, world=w, rank=c)
        if start:
            params["start"] = start
        return stream_params(**params)

    def __iter__(self):
        worker, workers = worker_and_workers()
        params = self.consumer_params(worker, workers)
        position = {"epoch": self.epoch, "world": params["world"], "consumer": params["rank"],
                    "start": params.get("start", 0), "order": self.order()}
        transform = self.transform or to_torch
        response = open_stream(stream_url(self.url, self.dataset, params), self.headers,
                               self.timeout, self.opener)
        with response:
            for batch in self.read_batches(response):
                yield transform(batch), dict(position, rows=batch.num_rows)


def flight_batches(location, dataset, token=None, **params):
    """Yields the record batches of the same stream over Arrow Flight
    (`tome serve --flight-addr`), e.g. location "grpc://127.0.0.1:8815"."""
    import pyarrow.flight as flight

    token = os.environ.get("TOME_TOKEN") if token is None else token
    headers = [(b"authorization", b"Bearer " + token.encode())] if token else []
    client = flight.connect(location)
    try:
        reader = client.do_get(flight.Ticket(flight_ticket(dataset, stream_params(**params))),
                               options=flight.FlightCallOptions(headers=headers))
        yield from reader.to_reader()
    finally:
        client.close()

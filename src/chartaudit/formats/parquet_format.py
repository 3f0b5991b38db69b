"""Parquet: a file, or a directory of parts read in file-name order; written as one file or as one part per chunk."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from chartaudit.formats import register
from chartaudit.formats.base import TableFormat, TableWriter


def _table(frame: pd.DataFrame, writer: TableWriter) -> Any:
    """A frame as an Arrow table: with the writer's schema, or (first chunk) one inferred and kept."""
    import pyarrow as pa

    if writer.schema is None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer.schema = table.schema if writer.started or len(frame) else None
        return table
    return pa.Table.from_pandas(frame, schema=writer.schema, preserve_index=False)


class ParquetWriter(TableWriter):
    def __init__(self, path: Path, schema: Any = None) -> None:
        super().__init__(path, schema)
        self._file: Any = None

    def _write(self, frame: pd.DataFrame) -> None:
        import pyarrow.parquet as pq

        table = _table(frame, self)
        if self._file is None:
            self._file = pq.ParquetWriter(self.temporary, table.schema)
        self._file.write_table(table)

    def _release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class ParquetDirectoryWriter(TableWriter):
    """One ``part-NNNNNN.parquet`` per written frame (an empty frame only when nothing else is written)."""

    def __init__(self, path: Path, schema: Any = None) -> None:
        super().__init__(path, schema)
        self._parts = 0

    def _write(self, frame: pd.DataFrame) -> None:
        import pyarrow.parquet as pq

        if len(frame) or not self._parts:
            self.temporary.mkdir(exist_ok=True)
            pq.write_table(_table(frame, self), self.temporary / f"part-{self._parts:06d}.parquet")
            self._parts += 1

    def close(self) -> None:
        self.temporary.mkdir(exist_ok=True)
        replace_directory(self.temporary, self.path)


def replace_directory(source: Path, destination: Path) -> None:
    """Put directory ``source`` at ``destination``, replacing an existing one (two renames)."""
    old = None
    if destination.exists():
        old = destination.with_name(f".{destination.name}.{os.getpid()}.old")
        os.replace(destination, old)
    os.replace(source, destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)


@register
class ParquetFormat(TableFormat):
    name = "parquet"
    suffixes = (".parquet", ".pq")
    mime = "application/vnd.apache.parquet"
    label = "Parquet"
    order = 20

    @staticmethod
    def _dataset(path: Path) -> Any:
        import pyarrow.dataset as ds

        return ds.dataset(path, format="parquet")

    def columns(self, path: Path) -> list[str]:
        return list(self._dataset(path).schema.names)

    def row_count(self, path: Path) -> int | None:
        return self._dataset(path).count_rows()

    def read_chunks(self, path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        import pyarrow as pa

        dataset = self._dataset(path)
        total = max(dataset.count_rows(), 1)
        pending: list[Any] = []
        pending_rows = done = 0
        for batch in dataset.to_batches(batch_size=chunk_size):
            if not batch.num_rows:
                continue
            pending.append(batch)
            pending_rows += batch.num_rows
            while pending_rows >= chunk_size:
                table = pa.Table.from_batches(pending)
                head, rest = table.slice(0, chunk_size), table.slice(chunk_size)
                done += head.num_rows
                yield head.to_pandas(), done / total
                pending, pending_rows = rest.to_batches(), rest.num_rows
        if pending_rows:
            done += pending_rows
            yield pa.Table.from_batches(pending).to_pandas(), done / total

    def read_stream(self, stream: Any, size: int, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float | None]]:
        """An uploaded file in batches of ``chunk_size`` rows (never decoded whole at once)."""
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(stream)
        total, done = max(parquet.metadata.num_rows, 1), 0
        for batch in parquet.iter_batches(batch_size=chunk_size):
            done += batch.num_rows
            yield batch.to_pandas(), min(done / total, 1.0)

    def expanded_bytes(self, data: bytes) -> int | None:
        """The uncompressed size the file's metadata declares for its column chunks."""
        import pyarrow.parquet as pq

        try:
            metadata = pq.ParquetFile(io.BytesIO(data)).metadata
        except Exception:  # noqa: BLE001 - not Parquet: the reader reports it in one line
            return None
        return sum(metadata.row_group(group).column(column).total_uncompressed_size
                   for group in range(metadata.num_row_groups) for column in range(metadata.num_columns))

    def writer(self, path: Path, schema: Any = None) -> TableWriter:
        return ParquetWriter(path, schema)

    def _write_bytes(self, frame: pd.DataFrame, buffer: io.BytesIO) -> None:
        frame.to_parquet(buffer, index=False)


@register
class ParquetDirectoryFormat(ParquetFormat):
    """An output named without an extension (or an existing directory): partitioned Parquet."""

    name = "parquet_dir"
    suffixes = ()
    label = "Parquet directory"

    def writer(self, path: Path, schema: Any = None) -> TableWriter:
        return ParquetDirectoryWriter(path, schema)

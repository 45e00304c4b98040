"""``corridor doc``: issue, verify, redact and revoke OpenAttestation v2 documents, and manage the
node's issuer registry. Output is JSON on stdout; errors are JSON on stderr with exit code 2; a
document that fails verification exits with code 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from corridor.cli.common import DEFAULT_DATA_DIR, Country, DataDir, DbSchema, DbUrl
from corridor.documents import service
from corridor.documents.issuers import ROLES, Issuer
from corridor.documents.registry import NodeDocuments
from corridor.shared.errors import Conflict, CorridorError, Forbidden, InvalidInput, NotFound
from corridor.shared.jsondata import BadJson, read_json_file
from corridor.shared.validation import field_errors

app = typer.Typer(
    help="Verifiable trade documents (OpenAttestation v2 / TradeTrust format).", no_args_is_help=True
)
issuer_app = typer.Typer(help="Issuing bodies registered at this node.", no_args_is_help=True)
app.add_typer(issuer_app, name="issuer")

NodeOption = Country


def _emit(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _fail(message: str, errors: list[dict[str, str]] | None = None, code: int = 2) -> NoReturn:
    body: dict[str, Any] = {"error": message}
    if errors:
        body["errors"] = errors
    sys.stderr.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    raise typer.Exit(code)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except typer.Exit:
        raise
    except InvalidInput as e:
        _fail("invalid input", [err.to_json() for err in e.errors])
    except (NotFound, Forbidden, Conflict, CorridorError) as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"{e.strerror or e}: {e.filename}" if e.filename else str(e))
    except Exception as e:  # the CLI reports, never dumps a traceback
        _fail(f"unexpected error: {type(e).__name__}: {e}")


def _read_json(path: Path) -> Any:
    try:
        return read_json_file(path)
    except BadJson as e:
        _fail(f"{path}: {e}")


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _node_dir(data_dir: Path, node: str) -> Path:
    if node.upper() not in ("IN", "RU"):
        _fail(f"--node: {node!r} is not a corridor node (IN or RU)")
    return data_dir / node.upper()


@contextmanager
def _documents(data_dir: Path, node: str, db: str | None, db_schema: str | None) -> Iterator[NodeDocuments]:
    """The node's issuer registry and revocations, in its database, for one command."""
    from corridor.cli.common import local_node

    _node_dir(data_dir, node)
    with local_node(data_dir, node.upper(), db, db_schema) as local:
        documents = local.bus.ctx.documents
        assert documents is not None, "a node opened here keeps a document registry"
        yield documents


@app.command()
def issue(
    files: Annotated[list[Path], typer.Argument(help="Raw document JSON files; one batch, one merkleRoot.")],
    issuer: Annotated[str, typer.Option("--issuer", help="Issuer id, e.g. did:corridor:in:fieo")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the wrapped <name>.tt files")],
    node: NodeOption = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Wrap one or many raw documents and sign the batch's merkleRoot as the issuer."""
    with _errors():
        docs = [_read_json(f) for f in files]
        with _documents(data_dir, node, db, db_schema) as documents:
            wrapped = documents.issue(docs, issuer)
        written = []
        used: set[str] = set()
        for src, doc in zip(files, wrapped, strict=True):
            stem = src.name.removesuffix(".json")
            name = stem if stem not in used else f"{stem}-{doc['signature']['targetHash'][:8]}"
            used.add(name)
            target = out / f"{name}.tt"
            _write_json(target, doc)
            written.append(
                {"source": str(src), "wrapped": str(target), "targetHash": doc["signature"]["targetHash"]}
            )
        _emit({"issuer": issuer, "merkleRoot": wrapped[0]["signature"]["merkleRoot"], "documents": written})


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="Wrapped document (.tt / .json)")],
    node: NodeOption = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Check integrity, the issuer's signature and registration, and revocation; print the verdict."""
    with _errors():
        document = _read_json(file)
        with _documents(data_dir, node, db, db_schema) as documents:
            verdict = documents.verify(document)
        _emit(verdict.to_json())
    if not verdict.valid:
        raise typer.Exit(1)


@app.command()
def redact(
    file: Annotated[Path, typer.Argument(help="Wrapped document")],
    field: Annotated[list[str], typer.Option("--field", help="Path to hide, e.g. items[0].description")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout")] = None,
) -> None:
    """Hide fields (selective disclosure); the document still verifies."""
    with _errors():
        redacted = service.redact(_read_json(file), field)
        if out is None:
            _emit(redacted)
        else:
            _write_json(out, redacted)
            _emit({"wrapped": str(out), "hidden": field})


@app.command()
def revoke(
    file: Annotated[Path, typer.Argument(help="Wrapped document to revoke")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is revoked")],
    batch: Annotated[bool, typer.Option("--batch", help="Revoke the whole batch (its merkleRoot)")] = False,
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="Revoking issuer (default: the document's)")
    ] = None,
    node: NodeOption = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Revoke a document or its batch at the node; the peer node is told by a signed message
    (sent when the node's relay runs, e.g. under ``corridor node serve``). Prints the record."""
    from corridor.cli.common import local_node
    from corridor.service.commands import RevokeDocument

    with _errors():
        document = _read_json(file)
        with local_node(data_dir, _node_dir(data_dir, node).name, db, db_schema) as local:
            record = local.handle(RevokeDocument(document, reason, batch, issuer))
        _emit(record)


@issuer_app.command("register")
def issuer_register(
    name: Annotated[str, typer.Option("--name", help="Legal name of the issuing body")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166-1 alpha-2, e.g. IN")],
    role: Annotated[str, typer.Option("--role", help=f"e.g. {', '.join(ROLES[:2])}")],
    issuer_id: Annotated[
        str | None, typer.Option("--id", help="did:... id (default did:corridor:<cc>:<name>)")
    ] = None,
    node: NodeOption = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Register an issuing body at this node with a new Ed25519 key (private key file mode 0600)."""
    with _errors():
        with _documents(data_dir, node, db, db_schema) as documents:
            registered = documents.register(
                name=name, country=country, role=role, issuer_id=issuer_id, node=node.upper()
            )
        _emit(registered.model_dump())


@issuer_app.command("import")
def issuer_import(
    file: Annotated[
        Path, typer.Argument(help="Issuer JSON as printed by 'issuer register' at the peer node")
    ],
    node: NodeOption = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """Trust an issuer registered at another node, by its public key."""
    with _errors():
        try:
            imported = Issuer.model_validate(_read_json(file))
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc)) from None
        with _documents(data_dir, node, db, db_schema) as documents:
            documents.add(imported)
        _emit(imported.model_dump())


@issuer_app.command("list")
def issuer_list(
    node: NodeOption = "IN",
    data_dir: DataDir = DEFAULT_DATA_DIR,
    db: DbUrl = None,
    db_schema: DbSchema = None,
) -> None:
    """List the issuers this node trusts."""
    with _errors(), _documents(data_dir, node, db, db_schema) as documents:
        _emit([i.model_dump() for i in documents.list_issuers()])


if __name__ == "__main__":
    app()

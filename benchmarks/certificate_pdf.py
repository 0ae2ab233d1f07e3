"""Certificate PDF benchmark (issue 5, "Performance"): prints figures, passes or fails nothing.

    .venv/bin/python benchmarks/certificate_pdf.py [--rounds 20]

In one run, on a throwaway SQLite database filled by `load_demo` (its own temporary private storage and
development signing CA, so nothing touches the demo or test data):

- render time per certificate document through the portal code (facts, template, QR code, allow-list URL
  fetcher, PDF/A-3b with the JSON attachment) versus a bare WeasyPrint render of the same HTML with
  WeasyPrint's own fetcher and no attachment (goal: at most 1.3x);
- the PAdES signature time (pyHanko, EC P-256);
- the whole task body (render + sign + store) per document.

Not measured here: documents per second with the Celery "pdf" queue at 1 and 2 worker processes.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _environment(workdir: Path) -> None:
    for name in ("REDIS_URL", "DATABASE_URL", "PRIVATE_STORAGE_ROOT"):
        os.environ.pop(name, None)
    os.environ.update(
        PASSBRIDGE_ENV="development",
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        PRIVATE_STORAGE_ROOT=str(workdir / "private"),
        PASSBRIDGE_SIGNING_KEY=str(workdir / "signing" / "key.pem"),
        PASSBRIDGE_SIGNING_CERT=str(workdir / "signing" / "cert.pem"),
        PASSBRIDGE_SIGNING_CA=str(workdir / "signing" / "ca.pem"),
    )
    sys.path.insert(0, str(ROOT))


def timed(function, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(f"  {label:<44} median {median * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms   n={len(times)}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pb-pdf-bench-") as tmp:
        workdir = Path(tmp)
        _environment(workdir)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction
        from weasyprint import HTML

        from certification.documents.models import CertificateDocument
        from certification.documents.render import certificate_html, render_certificate
        from certification.documents.services import document_render
        from certification.documents.signature import sign_pdf
        from certification.models import Certificate

        print("Preparing: migrate and load_demo on a temporary SQLite database ...", flush=True)
        with contextlib.redirect_stdout(io.StringIO()):
            call_command("migrate", verbosity=0)
            call_command("load_demo")
        certificate = Certificate.objects.filter(origin__isnull=False).order_by("pk").first()
        count = CertificateDocument.objects.count()
        print(f"Certificate {certificate.number} ({count} demo documents rendered)")

        html, _data, _digest = certificate_html(certificate)
        base_url = (ROOT / "static").as_uri() + "/"
        rendered = render_certificate(certificate)  # warm-up: fonts, caches, imports
        HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/a-3b")

        def bare_render() -> None:
            HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/a-3b")

        # Interleaved, so a busy neighbour or CPU frequency drift weighs on both sides alike.
        portal_times: list[float] = []
        bare_times: list[float] = []
        for _ in range(args.rounds):
            portal_times += timed(lambda: render_certificate(certificate), 1)
            bare_times += timed(bare_render, 1)
        print(f"Render ({args.rounds} rounds each, interleaved):")
        portal = line("portal code (render_certificate)", portal_times)
        bare = line("bare WeasyPrint, same HTML", bare_times)
        print(f"  ratio portal / bare: {portal / bare:.2f}x (goal <= 1.3x)")

        print("Signature:")
        line("PAdES sign (pyHanko, EC P-256)", timed(lambda: sign_pdf(rendered.pdf), args.rounds))

        def full_task() -> None:
            with transaction.atomic():
                CertificateDocument.objects.filter(certificate=certificate).delete()
            document_render(certificate_id=certificate.pk)

        print("Whole task body:")
        line("render + sign + store (document_render)", timed(full_task, max(3, args.rounds // 2)))
        print("Not measured: documents/s through the Celery 'pdf' queue at 1 and 2 worker processes.")


if __name__ == "__main__":
    main()
